import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * The least a request/response transport does on loopback: a `node:net` server that answers every
 * `requestBytes` it receives with `reply`, and one client connection that writes requests and counts
 * reply bytes (no framing, no parsing, no copies beyond the kernel's). A baseline for the TCP broker.
 */
export class RawSocketEcho {
  private readonly waiters: (() => void)[] = [];
  private received = 0;

  private constructor(
    private readonly server: Server,
    private readonly serverSockets: Set<Socket>,
    private readonly client: Socket,
    private readonly replyBytes: number,
  ) {
    client.on('data', (chunk: Buffer) => this.onReply(chunk));
  }

  static async start(requestBytes: number, reply: Buffer): Promise<RawSocketEcho> {
    const sockets = new Set<Socket>();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.setNoDelay(true);
      let pending = 0;
      socket.on('data', (chunk: Buffer) => {
        pending += chunk.length;
        while (pending >= requestBytes) {
          pending -= requestBytes;
          socket.write(reply);
        }
      });
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as { port: number };
    const client = connect({ host: '127.0.0.1', port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      client.once('error', reject);
      client.once('connect', () => resolve());
    });
    return new RawSocketEcho(server, sockets, client, reply.length);
  }

  /** Writes one request; resolves when its whole reply has arrived (replies come back in order). */
  send(request: Buffer): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiters.push(resolve);
      this.client.write(request);
    });
  }

  async close(): Promise<void> {
    this.client.destroy();
    for (const socket of this.serverSockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onReply(chunk: Buffer): void {
    this.received += chunk.length;
    while (this.received >= this.replyBytes) {
      this.received -= this.replyBytes;
      this.waiters.shift()?.();
    }
  }
}
