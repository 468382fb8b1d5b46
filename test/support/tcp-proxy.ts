import net from 'node:net';

/**
 * A TCP proxy in front of a real broker that a test can stall: `pause()` stops forwarding what clients
 * send (the broker sees nothing more, answers nothing more), `resume()` lets it through again.
 */
export class TcpProxy {
  private paused = false;
  private readonly clients = new Set<net.Socket>();
  private readonly upstreams = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly address: string,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const accepted: { proxy?: TcpProxy } = {};
    const server = net.createServer((client) => accepted.proxy?.accept(client, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    accepted.proxy = new TcpProxy(server, `127.0.0.1:${port}`);
    return accepted.proxy;
  }

  pause(): void {
    this.paused = true;
    for (const client of this.clients) client.pause();
  }

  resume(): void {
    this.paused = false;
    for (const client of this.clients) client.resume();
  }

  close(): Promise<void> {
    for (const socket of [...this.clients, ...this.upstreams]) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, target: { host: string; port: number }): void {
    const upstream = net.connect(target.port, target.host);
    this.clients.add(client);
    this.upstreams.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.clients.delete(client);
      this.upstreams.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.on('data', (chunk: Buffer) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    if (this.paused) client.pause();
  }
}
