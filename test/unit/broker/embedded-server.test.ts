import net from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../lib/broker/embedded-server.js';
import { ListenError } from '../../../lib/broker/listen.js';
import { IggyClient } from '../../../lib/client/iggy-client.js';
import { tempDir } from './broker-kit.js';

async function busyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const busy = net.createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const port = (busy.address() as net.AddressInfo).port;
  return { port, release: () => new Promise((resolve) => busy.close(() => resolve())) };
}

describe('EmbeddedServer', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(() => cleanup());

  it('runs without any listener when both ports are null', async () => {
    const server = await EmbeddedServer.start({ persistent: false, tcpPort: null, httpPort: null });
    try {
      expect(server.tcp).toBeNull();
      expect(server.http).toBeNull();
      expect(server.httpAddress).toBeNull();
      expect(() => server.tcpAddress).toThrow(/no TCP listener/);
      const c = server.broker.openSession();
      await c.createStream({ name: 'in-process' });
      expect((await c.getStreams()).map((s) => s.name)).toEqual(['in-process']);
    } finally {
      await server.stop();
    }
  });

  it('serves HTTP alone when tcpPort is null', async () => {
    const server = await EmbeddedServer.start({ persistent: false, tcpPort: null, httpPort: 0 });
    try {
      expect(server.tcp).toBeNull();
      const res = await fetch(`http://127.0.0.1:${server.httpAddress!.port}/ping`);
      expect(await res.text()).toBe('pong');
    } finally {
      await server.stop();
    }
  });

  it.each(['tcp', 'http'] as const)(
    'fails with a ListenError naming the %s listener when its port is taken, and releases the data directory',
    async (listener) => {
      const busy = await busyPort();
      const dataDir = join(dir, 'data');
      const ports =
        listener === 'tcp' ? { tcpPort: busy.port, httpPort: 0 } : { tcpPort: 0, httpPort: busy.port };
      try {
        const error = await EmbeddedServer.start({ dataDir, ...ports }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ListenError);
        expect(error).toMatchObject({ listener, host: '127.0.0.1', port: busy.port, reason: 'is in use' });
        expect((error as Error).message).toBe(
          `${listener.toUpperCase()} listener: 127.0.0.1:${busy.port} is in use`,
        );
      } finally {
        await busy.release();
      }
      const again = await EmbeddedServer.start({ dataDir, tcpPort: null, httpPort: null });
      await again.stop();
    },
  );

  it('stop releases the data directory and both ports: the same ones can be opened again at once', async () => {
    const dataDir = join(dir, 'data');
    const first = await EmbeddedServer.start({ dataDir, tcpPort: 0, httpPort: 0, rootPassword: 'iggy' });
    const tcpPort = first.tcpAddress.port;
    const httpPort = first.httpAddress!.port;
    const c = first.broker.openSession();
    await c.createStream({ name: 'kept' });
    await first.stop();
    const second = await EmbeddedServer.start({ dataDir, tcpPort, httpPort });
    const client = new IggyClient({
      addresses: [`127.0.0.1:${tcpPort}`],
      credentials: { username: 'iggy', password: 'iggy' },
      reconnect: false,
    });
    try {
      expect(second.tcpAddress.port).toBe(tcpPort);
      expect(second.httpAddress!.port).toBe(httpPort);
      await client.connect();
      expect((await client.getStreams()).map((s) => s.name)).toEqual(['kept']);
    } finally {
      await client.close();
      await second.stop();
    }
  });
});
