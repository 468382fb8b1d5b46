import type { IggyClient } from '../client/iggy-client.js';

/**
 * The connections of one connector to its server. When one gets through again after a drop, the others
 * still waiting out their reconnect backoff (up to `reconnect.maxDelayMs`, 10 s by default) try at once:
 * the server is back, and a subscription must not stay away for seconds after the publishing connection
 * returned (requests answered by it would time out meanwhile).
 */
export class ReconnectTogether {
  private readonly clients = new Set<IggyClient>();

  add(client: IggyClient): void {
    this.clients.add(client);
    client.on('connected', () => {
      for (const other of this.clients) {
        if (other.state === 'closed') this.clients.delete(other);
        else if (other !== client) other.reconnectNow();
      }
    });
  }
}
