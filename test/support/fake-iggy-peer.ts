import net from 'node:net';
import tls from 'node:tls';
import { CommandCode } from '../../lib/protocol/codes/command-codes.js';
import { encodeResponseFrame, RequestFrameDecoder, type RequestFrame } from '../../lib/protocol/framing.js';

/** One request the peer received, with the connection it came on (0 = first accepted). */
export interface ReceivedRequest extends RequestFrame {
  connection: number;
}

/** What a handler returns: response frame bytes to write now, or `undefined` to answer later by hand. */
export type PeerHandler = (request: ReceivedRequest, connection: PeerConnection) => Buffer | undefined;

/** A user id answer, the reply to a login. */
export function identityPayload(userId = 0): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(userId, 0);
  return b;
}

/** Default behaviour: logins answer user id 0, everything else an empty OK. */
export const defaultHandler: PeerHandler = (request) =>
  request.code === CommandCode.LoginUser || request.code === CommandCode.LoginWithAccessToken
    ? encodeResponseFrame(0, identityPayload(0))
    : encodeResponseFrame(0);

export class PeerConnection {
  readonly requests: ReceivedRequest[] = [];
  private readonly decoder = new RequestFrameDecoder(Infinity);

  constructor(
    readonly index: number,
    readonly socket: net.Socket,
    private readonly peer: FakeIggyPeer,
  ) {
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const request: ReceivedRequest = { ...frame, connection: index };
        this.requests.push(request);
        this.peer.received.push(request);
        let reply: Buffer | undefined;
        try {
          reply = this.peer.handler(request, this);
        } catch (err) {
          this.peer.handlerErrors.push(err);
          socket.destroy();
          return;
        }
        if (reply && !socket.destroyed) socket.write(reply);
        this.peer.notify();
      }
    });
  }

  /** Writes raw bytes (a response frame, or garbage). */
  write(bytes: Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  reply(status: number, payload?: Buffer): void {
    this.write(encodeResponseFrame(status, payload));
  }
}

/**
 * A loopback TCP (or TLS) server that speaks Iggy frames with canned answers: the test double for
 * client tests. Records every request; `handler` decides what to answer.
 */
export class FakeIggyPeer {
  readonly received: ReceivedRequest[] = [];
  readonly connections: PeerConnection[] = [];
  handler: PeerHandler = defaultHandler;
  /** Exceptions thrown by `handler` (the connection is dropped when one is thrown). */
  readonly handlerErrors: unknown[] = [];
  private waiters: (() => void)[] = [];

  private constructor(private readonly server: net.Server) {}

  static async start(
    options: { tls?: { key: string | Buffer; cert: string | Buffer } } = {},
  ): Promise<FakeIggyPeer> {
    const server = options.tls
      ? tls.createServer({ key: options.tls.key, cert: options.tls.cert })
      : net.createServer();
    const peer = new FakeIggyPeer(server);
    server.on(options.tls ? 'secureConnection' : 'connection', (socket: net.Socket) => {
      const connection = new PeerConnection(peer.connections.length, socket, peer);
      peer.connections.push(connection);
      peer.notify();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return peer;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Requests received with a given command code. */
  requestsWith(code: number): ReceivedRequest[] {
    return this.received.filter((r) => r.code === code);
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** Resolves when `predicate` holds (checked on every request and connection); rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`fake peer: timed out waiting for ${what}`)),
        timeoutMs,
      );
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      this.waiters.push(check);
    });
  }

  waitForRequests(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.received.length >= count, timeoutMs, `${count} requests`);
  }

  waitForConnections(count: number, timeoutMs?: number): Promise<void> {
    return this.waitFor(() => this.connections.length >= count, timeoutMs, `${count} connections`);
  }

  /** Destroys every open connection (the client sees its socket die). */
  dropConnections(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 with nothing listening (connections are refused). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
