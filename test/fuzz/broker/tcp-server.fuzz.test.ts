import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { IggyClient } from '../../../lib/client/index.js';
import { CommandCode } from '../../../lib/protocol/codes/command-codes.js';
import { iggyErrorName } from '../../../lib/protocol/codes/error-codes.js';
import { loginUserCodec } from '../../../lib/protocol/commands/session/index.js';
import { encodeRequestFrame } from '../../../lib/protocol/framing.js';
import { ConsumerKind } from '../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { connectionFuzzRuns, mutated, randomBytes } from '../../support/fuzz.js';
import { RawSocket } from '../../support/raw-socket.js';
import { startTcpFixture, type TcpFixture } from '../../unit/broker/tcp/tcp-kit.js';
import { sampleFrames } from './sample-frames.js';

const FUZZER = { username: 'fuzzer', password: 'fuzz-pass' };
const codes = Object.values(CommandCode);

/** A header with any length field (huge, tiny, negative-looking) and any code, then a few bytes. */
const absurdHeader = fc
  .tuple(
    fc.oneof(fc.constantFrom(0, 1, 3, 4, 0xffffffff, 0x7fffffff, 10 * 1024 * 1024 + 5), fc.nat()),
    fc.oneof(fc.constantFrom(...codes), fc.nat()),
    randomBytes(32),
  )
  .map(([length, code, tail]) => {
    const header = Buffer.alloc(8);
    header.writeUInt32LE(length >>> 0, 0);
    header.writeUInt32LE(code >>> 0, 4);
    return Buffer.concat([header, tail]);
  });

describe('BrokerTcpServer under hostile input (fuzz)', () => {
  let fx: TcpFixture;
  let good: IggyClient;
  let frames: Buffer[];
  let goodTarget: { streamId: number; topicId: number };
  let sentByGood = 0;

  beforeAll(async () => {
    // The frames log in with wrong credentials on purpose; the throttle would lock the fuzzer out.
    fx = await startTcpFixture({}, { loginThrottle: false });
    good = await fx.client();
    const goodStream = await good.createStream({ name: 'good' });
    const goodTopic = await good.createTopic({ streamId: goodStream.id, name: 't', partitionsCount: 1 });
    goodTarget = { streamId: goodStream.id, topicId: goodTopic.id };
    const fuzzStream = await good.createStream({ name: 'fuzz' });
    const fuzzTopic = await good.createTopic({ streamId: fuzzStream.id, name: 'events', partitionsCount: 2 });
    const group = await good.createConsumerGroup({
      streamId: fuzzStream.id,
      topicId: fuzzTopic.id,
      name: 'g',
    });
    // The fuzzer reads everything but may change only its own stream: the good client's data stays safe.
    const all = {
      manageStream: true,
      readStream: true,
      manageTopics: true,
      readTopics: true,
      pollMessages: true,
      sendMessages: true,
    };
    const user = await good.createUser({
      ...FUZZER,
      status: 1,
      permissions: {
        global: {
          manageServers: false,
          readServers: true,
          manageUsers: false,
          readUsers: true,
          manageStreams: false,
          readStreams: true,
          manageTopics: false,
          readTopics: true,
          pollMessages: false,
          sendMessages: false,
        },
        streams: new Map([[fuzzStream.id, { ...all, topics: new Map() }]]),
      },
    });
    frames = sampleFrames({
      streamId: fuzzStream.id,
      topicId: fuzzTopic.id,
      groupId: group.id,
      userId: user.id,
    });
  });

  afterAll(async () => {
    await fx?.stop();
  });

  async function goodClientStillWorks(): Promise<void> {
    await good.ping();
    const payload = Buffer.from(`good-${sentByGood}`);
    await good.sendMessages({
      ...goodTarget,
      partitioning: Partitioning.balanced(),
      messages: [{ payload }],
    });
    sentByGood++;
    const polled = await good.pollMessages({
      ...goodTarget,
      consumer: { kind: ConsumerKind.Consumer, id: 1 },
      partitionId: 0,
      strategy: PollingStrategy.last(),
      count: 1,
    });
    expect(polled.messages.map((m) => Buffer.from(m.payload).toString())).toEqual([payload.toString()]);
  }

  async function open(authenticated: boolean): Promise<RawSocket> {
    const raw = await RawSocket.connect(fx.port);
    if (authenticated) {
      raw.write(encodeRequestFrame(CommandCode.LoginUser, loginUserCodec.encodeRequest(FUZZER)));
      expect((await raw.next()).status).toBe(0);
    }
    return raw;
  }

  it('answers well-formed errors or closes the connection, never dies, and serves others throughout', async () => {
    const validFrame = fc.constantFrom(...frames);
    const hostile = fc.oneof(
      { weight: 5, arbitrary: validFrame.chain((f) => mutated(f)) },
      { weight: 2, arbitrary: randomBytes(512) },
      { weight: 2, arbitrary: absurdHeader },
      { weight: 1, arbitrary: validFrame },
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostile, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (parts, authenticated) => {
          const raw = await open(authenticated);
          try {
            raw.write(Buffer.concat(parts));
            await raw.settle();
            expect(raw.malformed).toBe(false);
            for (const response of raw.drain()) {
              if (response.status !== 0) {
                expect(iggyErrorName(response.status)).not.toMatch(/^Unknown/);
                // Error (1) means an unexpected exception inside the server: a bug.
                expect(response.status).not.toBe(1);
                expect(response.payload.length).toBe(0);
              }
            }
          } finally {
            raw.close();
          }
          if (++runs % 20 === 0) await goodClientStillWorks();
        },
      ),
      { numRuns: connectionFuzzRuns(200) },
    );
    await goodClientStillWorks();
  }, 600_000);

  it('survives pipelines of valid frames of every command, in random order, with and without login', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(frames, { minLength: 1 }),
        fc.boolean(),
        async (picked, authenticated) => {
          const raw = await open(authenticated);
          try {
            raw.write(Buffer.concat(picked));
            const statuses: number[] = [];
            while (statuses.length < picked.length) {
              const response = await raw.next(5_000).catch(() => null);
              if (!response) break;
              statuses.push(response.status);
            }
            // Every frame is answered, in order, unless a command ended the session.
            if (!raw.isClosed) expect(statuses).toHaveLength(picked.length);
            for (const s of statuses) if (s !== 0) expect(iggyErrorName(s)).not.toMatch(/^Unknown|^Error$/);
          } finally {
            raw.close();
          }
        },
      ),
      { numRuns: Math.max(10, Math.floor(connectionFuzzRuns(200) / 10)) },
    );
    await goodClientStillWorks();
  }, 600_000);

  it('leaks no connection or client', async () => {
    const deadline = Date.now() + 5_000;
    while (fx.server.connectionCount !== 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(fx.server.connectionCount).toBe(1);
    expect(await good.getClients()).toHaveLength(1);
  });
});
