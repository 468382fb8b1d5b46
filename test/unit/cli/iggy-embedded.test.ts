import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { IggyClient } from '../../../lib/client/index.js';
import { startCli } from '../../../lib/cli/cli-main.js';
import { CLI_DEFAULTS, CliExit, parseCliArgs, parseFsync } from '../../../lib/cli/cli-options.js';

const quiet = () => undefined;

describe('parseCliArgs', () => {
  it('fills in the defaults', () => {
    const { server, verbose } = parseCliArgs([], quiet);
    expect(server).toEqual({
      persistent: true,
      dataDir: CLI_DEFAULTS.dataDir,
      host: '127.0.0.1',
      tcpPort: 8090,
      httpPort: 3000,
      fsync: { kind: 'interval', ms: 1000 },
      rootUsername: process.env.IGGY_ROOT_USERNAME ?? 'iggy',
      rootPassword: process.env.IGGY_ROOT_PASSWORD ?? 'iggy',
      tls: undefined,
    });
    expect(verbose).toBe(false);
  });

  it('reads every option', () => {
    const { server, verbose } = parseCliArgs(
      [
        '--data-dir',
        '/tmp/x',
        '--tcp-port',
        '0',
        '--http-port=0',
        '--host',
        '::1',
        '--fsync',
        'interval:250',
        '--root-username',
        'admin',
        '--root-password',
        'secret',
        '--tls-cert',
        'c.pem',
        '--tls-key',
        'k.pem',
        '--verbose',
      ],
      quiet,
    );
    expect(server).toMatchObject({
      persistent: true,
      dataDir: '/tmp/x',
      tcpPort: 0,
      httpPort: 0,
      host: '::1',
      fsync: { kind: 'interval', ms: 250 },
      rootUsername: 'admin',
      rootPassword: 'secret',
      tls: { cert: 'c.pem', key: 'k.pem' },
    });
    expect(verbose).toBe(true);
  });

  it('runs in memory and without HTTP when asked', () => {
    const { server } = parseCliArgs(['--in-memory', '--no-http', '--fsync', 'never'], quiet);
    expect(server).toMatchObject({
      persistent: false,
      dataDir: undefined,
      httpPort: null,
      fsync: { kind: 'never' },
    });
  });

  it('parses fsync modes', () => {
    expect(parseFsync('always')).toEqual({ kind: 'always' });
    expect(parseFsync('interval:5')).toEqual({ kind: 'interval', ms: 5 });
    expect(() => parseFsync('interval:0')).toThrow();
    expect(() => parseFsync('sometimes')).toThrow();
  });

  it('rejects bad arguments with exit code 1, and answers --help with 0', () => {
    const written: string[] = [];
    const write = (t: string) => void written.push(t);
    for (const bad of [
      ['--tcp-port', 'x'],
      ['--tcp-port', '70000'],
      ['--fsync', 'x'],
      ['--tls-cert', 'c'],
      ['--bogus'],
      ['extra'],
    ]) {
      expect(() => parseCliArgs(bad, write)).toThrow(CliExit);
      try {
        parseCliArgs(bad, write);
      } catch (error) {
        expect((error as CliExit).exitCode).toBe(1);
      }
    }
    try {
      parseCliArgs(['--help'], write);
      throw new Error('expected --help to exit');
    } catch (error) {
      expect(error).toBeInstanceOf(CliExit);
      expect((error as CliExit).exitCode).toBe(0);
    }
    expect(written.join('')).toContain('--root-password');
  });
});

describe('startCli', () => {
  it('starts a persistent broker on ephemeral ports, prints its addresses, serves clients and stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iggy-cli-'));
    const out: string[] = [];
    const io = { out: (l: string) => void out.push(l), err: () => undefined };
    const server = await startCli(
      ['--data-dir', join(dir, 'data'), '--tcp-port', '0', '--http-port', '0'],
      io,
    );
    try {
      const tcp = server.tcpAddress;
      expect(out.join('\n')).toContain(`TCP listening on 127.0.0.1:${tcp.port}`);
      expect(out.join('\n')).toContain(`HTTP listening on http://127.0.0.1:${server.httpAddress!.port}`);
      const client = new IggyClient({
        addresses: [`127.0.0.1:${tcp.port}`],
        credentials: { username: 'iggy', password: 'iggy' },
        reconnect: false,
      });
      await client.connect();
      await client.createStream({ name: 'from-cli' });
      await client.close();
      expect(await (await fetch(`http://127.0.0.1:${server.httpAddress!.port}/ping`)).text()).toBe('pong');
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
