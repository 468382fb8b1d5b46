import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import { ConsumerKind, PollingKind, Transport } from '../../../lib/broker/types.js';
import { IggyClient } from '../../../lib/client/index.js';
import { Partitioning } from '../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { ChildRun, cleanUp, tempDir } from '../../support/app-process.js';
import { payloads, pollBytes } from '../broker/broker-kit.js';
import { ensureBuilt, repoRoot } from '../../support/build-once.js';

/** How long the CLI may take, after the signal, to stop and exit. */
const STOP_BUDGET_MS = 8_000;
const ROOT = { username: 'iggy', password: 'iggy' } as const;

/** `iggy-embedded` as a real process, started from the build, with its printed addresses. */
class EmbeddedCli extends ChildRun {
  tcpPort!: number;
  httpPort!: number;

  static async start(dataDir: string): Promise<EmbeddedCli> {
    const args = [
      'dist/lib/cli/iggy-embedded.js',
      '--data-dir',
      dataDir,
      '--tcp-port',
      '0',
      '--http-port',
      '0',
      '--with-default-root-credentials',
    ];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const cli = new EmbeddedCli(child);
    const [, tcp] = await cli.waitForOutput(/TCP listening on 127\.0\.0\.1:(\d+)/);
    const [, http] = await cli.waitForOutput(/HTTP listening on http:\/\/127\.0\.0\.1:(\d+)/);
    cli.tcpPort = Number(tcp);
    cli.httpPort = Number(http);
    return cli;
  }

  async client(): Promise<IggyClient> {
    const client = new IggyClient({
      addresses: [`127.0.0.1:${this.tcpPort}`],
      credentials: ROOT,
      reconnect: false,
      requestTimeoutMs: 10_000,
    });
    await client.connect();
    return client;
  }
}

/** Payloads of partition 0 of `s`/`t`, read by a broker opened in this process on `dataDir`. */
async function storedPayloads(dataDir: string): Promise<string[]> {
  const broker = await Broker.open({ dataDir, retentionIntervalMs: 0, rootPassword: ROOT.password });
  try {
    const root = broker.connect(Transport.Tcp, 'test');
    await root.login(ROOT.username, ROOT.password);
    const polled = await pollBytes(root, {
      streamId: 's',
      topicId: 't',
      consumer: { kind: ConsumerKind.Consumer, id: 1 },
      partitionId: 0,
      strategy: { kind: PollingKind.First, value: 0n },
      count: 100,
      autoCommit: false,
    });
    return payloads(polled.messages);
  } finally {
    await broker.close();
  }
}

async function send(client: IggyClient, texts: string[]): Promise<void> {
  await client.sendMessages({
    streamId: 's',
    topicId: 't',
    partitioning: Partitioning.partitionId(0),
    messages: texts.map((t) => ({ payload: Buffer.from(t) })),
  });
}

describe('iggy-embedded process: stop on SIGINT / SIGTERM', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it('exits 0 on SIGINT then on SIGTERM, releases the data dir and keeps what it acknowledged', async () => {
    const dataDir = join(tempDir('iggy-cli-signals-'), 'data');

    // First run: prints both addresses, serves them, and stops on SIGINT with a client still connected.
    const first = await EmbeddedCli.start(dataDir);
    expect(first.output).toContain(`data in ${dataDir}`);
    expect(await (await fetch(`http://127.0.0.1:${first.httpPort}/ping`)).text()).toBe('pong');
    const a = await first.client();
    await a.createStream({ name: 's' });
    await a.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
    await send(a, ['one', 'two']);
    await send(a, ['three']);
    const firstExit = await first.stop('SIGINT', STOP_BUDGET_MS);
    await a.close().catch(() => undefined);
    expect({ exit: firstExit, output: first.tail() }).toEqual({
      exit: { code: 0, signal: null },
      output: expect.stringContaining('SIGINT received, stopping') as unknown,
    });
    expect(first.output).toContain('iggy-embedded: stopped');
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);
    expect(await storedPayloads(dataDir)).toEqual(['one', 'two', 'three']);

    // Second run on the same directory: the data is served again, and SIGTERM stops it the same way.
    const second = await EmbeddedCli.start(dataDir);
    const b = await second.client();
    const polled = await b.pollMessages({
      streamId: 's',
      topicId: 't',
      consumer: { kind: ConsumerKind.Consumer, id: 1 },
      partitionId: 0,
      strategy: PollingStrategy.first(),
      count: 100,
    });
    expect(polled.messages.map((m) => Buffer.from(m.payload).toString())).toEqual(['one', 'two', 'three']);
    await send(b, ['four']);
    await b.close();
    const secondExit = await second.stop('SIGTERM', STOP_BUDGET_MS);
    expect({ exit: secondExit, output: second.tail() }).toEqual({
      exit: { code: 0, signal: null },
      output: expect.stringContaining('SIGTERM received, stopping') as unknown,
    });
    expect(existsSync(join(dataDir, '.lock'))).toBe(false);
    expect(await storedPayloads(dataDir)).toEqual(['one', 'two', 'three', 'four']);
  }, 120_000);
});
