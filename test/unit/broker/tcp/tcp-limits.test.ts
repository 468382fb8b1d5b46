import { describe, expect, it } from '@jest/globals';
import { IggyError } from '../../../../lib/client/index.js';
import { CommandCode } from '../../../../lib/protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../../../lib/protocol/codes/error-codes.js';
import { loginUserCodec } from '../../../../lib/protocol/commands/session/index.js';
import { encodeRequestFrame } from '../../../../lib/protocol/framing.js';
import { RawSocket } from '../../../support/raw-socket.js';
import { ROOT, startTcpFixture, type TcpFixture } from './tcp-kit.js';

const MiB = 1024 * 1024;

/** The 8-byte header of a request whose payload is `payloadBytes` long (the payload is sent apart). */
function header(code: number, payloadBytes: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt32LE(payloadBytes + 4, 0);
  h.writeUInt32LE(code, 4);
  return h;
}

const login = (): Buffer => encodeRequestFrame(CommandCode.LoginUser, loginUserCodec.encodeRequest(ROOT));

async function withFixture(
  options: Parameters<typeof startTcpFixture>[0],
  body: (fx: TcpFixture) => Promise<void>,
): Promise<void> {
  const fx = await startTcpFixture(options);
  try {
    await body(fx);
  } finally {
    await fx.stop();
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('BrokerTcpServer: limits', () => {
  it('before login, a big frame is refused from its header: answered 40 and closed, nothing buffered', async () => {
    await withFixture({}, async (fx) => {
      const raw = await RawSocket.connect(fx.port);
      raw.write(header(CommandCode.SendMessages, 60 * MiB));
      raw.write(Buffer.alloc(MiB, 7)); // the start of the body: never kept
      expect((await raw.next()).status).toBe(IggyErrorCode.Unauthenticated);
      await raw.waitClosed();
      expect(fx.server.bufferedBytes).toBe(0);
      // A small unauthenticated command is answered 40 as the real server does, the connection kept.
      const small = await RawSocket.connect(fx.port);
      small.write(encodeRequestFrame(CommandCode.GetStreams));
      expect((await small.next()).status).toBe(IggyErrorCode.Unauthenticated);
      small.write(login());
      expect((await small.next()).status).toBe(0);
      small.close();
    });
  });

  it('caps a login payload (answered InvalidCommand and closed)', async () => {
    await withFixture({ limits: { maxLoginBytes: 1024 } }, async (fx) => {
      const raw = await RawSocket.connect(fx.port);
      raw.write(header(CommandCode.LoginUser, 8 * 1024));
      expect((await raw.next()).status).toBe(IggyErrorCode.InvalidCommand);
      await raw.waitClosed();
    });
  });

  it('past maxConnections, a new connection is answered CannotEstablishConnection (9), the others served', async () => {
    await withFixture({ limits: { maxConnections: 2 } }, async (fx) => {
      const a = await fx.client();
      const b = await fx.client();
      const error = await rejection(fx.client());
      expect(error).toBeInstanceOf(IggyError);
      expect((error as IggyError).code).toBe(IggyErrorCode.CannotEstablishConnection);
      await a.ping();
      await b.close();
      for (let i = 0; i < 50 && fx.server.connectionCount > 1; i++)
        await new Promise((r) => setTimeout(r, 20));
      const c = await fx.client();
      await c.ping();
    });
  });

  it('past maxBufferedBytes (all connections together), the frame that does not fit is answered 4053 and closed', async () => {
    await withFixture({ limits: { maxBufferedBytes: 2 * MiB } }, async (fx) => {
      const first = await RawSocket.connect(fx.port);
      const second = await RawSocket.connect(fx.port);
      for (const raw of [first, second]) {
        raw.write(login());
        expect((await raw.next()).status).toBe(0);
      }
      // The first holds 1.5 MiB of a frame still arriving; the second's 1 MiB does not fit beside it.
      first.write(header(CommandCode.SendMessages, 1.5 * MiB));
      first.write(Buffer.alloc(MiB));
      for (let i = 0; i < 100 && fx.server.bufferedBytes === 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(fx.server.bufferedBytes).toBe(1.5 * MiB);
      second.write(header(CommandCode.SendMessages, MiB));
      expect((await second.next()).status).toBe(IggyErrorCode.BackgroundSendBufferFull);
      await second.waitClosed();
      // Another client's small requests are still served, and a closed connection gives its bytes back.
      const other = await fx.client();
      await other.ping();
      first.close();
      await first.closed;
      for (let i = 0; i < 100 && fx.server.bufferedBytes > 0; i++)
        await new Promise((r) => setTimeout(r, 10));
      expect(fx.server.bufferedBytes).toBe(0);
    });
  });

  it('a connection stops reading past maxQueuedRequests (a flood of pipelined requests is not queued whole)', async () => {
    const limit = 16;
    await withFixture({ limits: { maxQueuedRequests: limit } }, async (fx) => {
      const raw = await RawSocket.connect(fx.port);
      const requests = 30_000;
      // The login (an Argon2 check) is served first; everything behind it waits in the queue meanwhile.
      const flood = Buffer.concat([
        login(),
        ...Array.from({ length: requests }, () => encodeRequestFrame(CommandCode.GetMe)),
      ]);
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, fx.server.queuedRequests)), 0);
      raw.write(flood);
      const statuses = new Set<number>();
      for (let i = 0; i <= requests; i++) statuses.add((await raw.next(10_000)).status);
      clearInterval(sampler);
      expect([...statuses]).toEqual([0]);
      // One received chunk (at most 64 KiB: 8 bytes per GetMe) may be queued beyond the limit at once.
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(limit + (64 * 1024) / 8);
      raw.close();
    });
  });

  it('closes a connection that does not log in within loginTimeoutMs', async () => {
    await withFixture({ limits: { loginTimeoutMs: 200 } }, async (fx) => {
      const idle = await RawSocket.connect(fx.port);
      const loggedIn = await RawSocket.connect(fx.port);
      loggedIn.write(login());
      expect((await loggedIn.next()).status).toBe(0);
      await idle.waitClosed(3_000);
      await new Promise((r) => setTimeout(r, 300));
      loggedIn.write(encodeRequestFrame(CommandCode.Ping));
      expect((await loggedIn.next()).status).toBe(0);
      expect(loggedIn.isClosed).toBe(false);
      loggedIn.close();
    });
  });
});
