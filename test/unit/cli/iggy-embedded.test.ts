import net from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { IggyClient } from '../../../lib/client/index.js';
import { startCli } from '../../../lib/cli/cli-main.js';
import { rootLogin } from '../../support/root-login.js';
import { CLI_DEFAULTS, CliExit, parseCliArgs, parseFsync } from '../../../lib/cli/cli-options.js';

const quiet = () => undefined;

describe('parseCliArgs', () => {
  it('fills in the defaults', () => {
    const { server, verbose } = parseCliArgs([], quiet);
    expect(server).toEqual({
      persistent: true,
      dataDir: CLI_DEFAULTS.dataDir,
      host: '127.0.0.1',
      httpHost: '127.0.0.1',
      httpAllowedHosts: undefined,
      tcpPort: 8090,
      httpPort: 3000,
      fsync: { kind: 'interval', ms: 1000 },
      segmentSizeBytes: undefined,
      rootUsername: process.env.IGGY_ROOT_USERNAME,
      rootPassword: process.env.IGGY_ROOT_PASSWORD,
      allowDefaultRootPassword: false,
      limits: { maxConnections: undefined },
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
        '--http-host',
        '0.0.0.0',
        '--allow-default-root-password',
        '--max-connections',
        '10',
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
      httpHost: '0.0.0.0',
      allowDefaultRootPassword: true,
      limits: { maxConnections: 10 },
      fsync: { kind: 'interval', ms: 250 },
      rootUsername: 'admin',
      rootPassword: 'secret',
      tls: { cert: 'c.pem', key: 'k.pem' },
    });
    expect(verbose).toBe(true);
  });

  it('gives root iggy/iggy only when asked with --with-default-root-credentials', () => {
    const { server } = parseCliArgs(['--with-default-root-credentials'], quiet);
    expect(server).toMatchObject({ rootUsername: 'iggy', rootPassword: 'iggy' });
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
      ['--with-default-root-credentials', '--root-password', 'x'],
      ['--max-connections', '0'],
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
  const quietIo = (out: string[] = [], err: string[] = []) => ({
    out: (l: string) => void out.push(l),
    err: (l: string) => void err.push(l),
  });
  const canLogin = async (port: number, password: string): Promise<boolean> =>
    (await rootLogin(port, password)) === 'ok';

  it('starts a persistent broker on ephemeral ports, prints its addresses and the generated root password once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iggy-cli-'));
    const out: string[] = [];
    const args = ['--data-dir', join(dir, 'data'), '--tcp-port', '0', '--http-port', '0'];
    let server = await startCli(args, quietIo(out));
    try {
      const tcp = server.tcpAddress;
      expect(out.join('\n')).toContain(`TCP listening on 127.0.0.1:${tcp.port}`);
      expect(out.join('\n')).toContain(`HTTP listening on http://127.0.0.1:${server.httpAddress!.port}`);
      const password = /random password (\S+) \(shown once/.exec(out.join('\n'))![1]!;
      const client = new IggyClient({
        addresses: [`127.0.0.1:${tcp.port}`],
        credentials: { username: 'iggy', password },
        reconnect: false,
      });
      await client.connect();
      await client.createStream({ name: 'from-cli' });
      await client.close();
      expect(await canLogin(tcp.port, 'iggy')).toBe(false);
      expect(await (await fetch(`http://127.0.0.1:${server.httpAddress!.port}/ping`)).text()).toBe('pong');
      await server.stop();

      const again: string[] = [];
      server = await startCli(args, quietIo(again));
      expect(again.join('\n')).not.toContain('password');
      expect(await canLogin(server.tcpAddress.port, password)).toBe(true);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows the generated root password even when that first start then fails (a port in use)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iggy-cli-'));
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = (busy.address() as net.AddressInfo).port;
    const out: string[] = [];
    try {
      const data = join(dir, 'data');
      await expect(
        startCli(['--data-dir', data, '--tcp-port', String(port), '--no-http'], quietIo(out)),
      ).rejects.toThrow();
      const password = /random password (\S+) \(shown once/.exec(out.join('\n'))?.[1];
      expect(password).toBeDefined();
      const server = await startCli(['--data-dir', data, '--tcp-port', '0', '--no-http'], quietIo([]));
      try {
        expect(await canLogin(server.tcpAddress.port, password!)).toBe(true);
      } finally {
        await server.stop();
      }
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('applies a --root-password changed since the last start, and says so on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iggy-cli-'));
    const base = ['--data-dir', join(dir, 'data'), '--tcp-port', '0', '--no-http'];
    let server = await startCli([...base, '--root-password', 'first-secret'], quietIo());
    try {
      await server.stop();
      const err: string[] = [];
      server = await startCli([...base, '--root-password', 'second-secret'], quietIo([], err));
      expect(err.join('\n')).toMatch(/WARN the root user's password was replaced by the configured one/);
      expect(err.join('\n')).not.toContain('second-secret');
      expect(await canLogin(server.tcpAddress.port, 'second-secret')).toBe(true);
      expect(await canLogin(server.tcpAddress.port, 'first-secret')).toBe(false);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a non-loopback listener while root has the default password, unless opted out', async () => {
    const insecure = ['--in-memory', '--tcp-port', '0', '--no-http', '--host', '0.0.0.0'];
    await expect(startCli([...insecure, '--with-default-root-credentials'], quietIo())).rejects.toThrow(
      /refusing to listen on 0\.0\.0\.0 \(TCP\): the root user still has the default password/,
    );
    await expect(
      startCli(
        [
          '--in-memory',
          '--tcp-port',
          '0',
          '--http-port',
          '0',
          '--http-host',
          '0.0.0.0',
          '--with-default-root-credentials',
        ],
        quietIo(),
      ),
    ).rejects.toThrow(/refusing to listen on 0\.0\.0\.0 \(HTTP\)/);
    const opted = await startCli(
      [...insecure, '--with-default-root-credentials', '--allow-default-root-password'],
      quietIo(),
    );
    try {
      expect(await canLogin(opted.tcpAddress.port, 'iggy')).toBe(true);
    } finally {
      await opted.stop();
    }
    const withPassword = await startCli([...insecure, '--root-password', 'a-real-secret'], quietIo());
    await withPassword.stop();
  });
});
