import { BrokerError } from '../broker-error.js';
import type { ServerGeneration } from './server-generation.js';
import { Transport, type ClientConsumerGroup, type ClientDetails, type TransportValue } from '../types.js';

/** One connection (a TCP socket, or an in-process connector). Never persisted. */
export interface ClientState {
  clientId: number;
  /** Bound by a login, cleared by logout. */
  userId: number | null;
  transport: TransportValue;
  address: string;
  /** Groups joined, in join order. */
  groups: ClientConsumerGroup[];
  connectedAtMs: number;
  /** The release the client said at login it was built for (see `generationOfClientVersion`), if it did. */
  declaredGeneration?: ServerGeneration;
}

/**
 * The connected clients. Ids are u32, increasing from 1 (the real server hashes the address instead;
 * an increasing id cannot collide).
 */
export class ClientRegistry {
  private readonly clients = new Map<number, ClientState>();
  private nextId = 1;
  private closed = false;

  get size(): number {
    return this.clients.size;
  }

  connect(transport: TransportValue, address: string): number {
    this.checkOpen();
    if (!Object.values(Transport).includes(transport)) {
      throw BrokerError.of('InvalidCommand', `unknown transport ${transport}`);
    }
    const clientId = this.nextId;
    this.nextId = this.nextId >= 0xfffffffe ? 1 : this.nextId + 1;
    this.clients.set(clientId, {
      clientId,
      userId: null,
      transport,
      address,
      groups: [],
      connectedAtMs: Date.now(),
    });
    return clientId;
  }

  /** Removes the client and returns it (undefined when unknown). */
  disconnect(clientId: number): ClientState | undefined {
    const client = this.clients.get(clientId);
    this.clients.delete(clientId);
    return client;
  }

  get(clientId: number): ClientState | undefined {
    return this.clients.get(clientId);
  }

  /** The client, or StaleClient (30) when it is gone (Disconnected (8) once the broker is closed). */
  require(clientId: number): ClientState {
    this.checkOpen();
    const client = this.clients.get(clientId);
    if (!client) throw BrokerError.of('StaleClient', `client ${clientId} is not connected`);
    return client;
  }

  /** The broker is closing: every client is dropped and no command is accepted any more. */
  close(): void {
    this.closed = true;
    this.clients.clear();
  }

  list(): ClientState[] {
    return [...this.clients.values()];
  }

  /** Logs out every client of a user (the user was deleted). */
  logoutUser(userId: number): void {
    for (const client of this.clients.values()) if (client.userId === userId) client.userId = null;
  }

  joined(clientId: number, group: ClientConsumerGroup): void {
    const client = this.clients.get(clientId);
    if (client && !client.groups.some((g) => sameGroup(g, group))) client.groups.push(group);
  }

  left(clientId: number, group: ClientConsumerGroup): void {
    const client = this.clients.get(clientId);
    if (client) client.groups = client.groups.filter((g) => !sameGroup(g, group));
  }

  /** A stream, topic or group was deleted: forget memberships under it. */
  forgetGroups(streamId: number, topicId?: number, groupId?: number): void {
    for (const client of this.clients.values()) {
      client.groups = client.groups.filter(
        (g) =>
          !(
            g.streamId === streamId &&
            (topicId === undefined || g.topicId === topicId) &&
            (groupId === undefined || g.groupId === groupId)
          ),
      );
    }
  }

  private checkOpen(): void {
    if (this.closed) throw BrokerError.of('Disconnected', 'the broker is closed');
  }

  static details(client: ClientState): ClientDetails {
    return {
      clientId: client.clientId,
      userId: client.userId,
      transport: client.transport,
      address: client.address,
      consumerGroupsCount: client.groups.length,
      consumerGroups: client.groups.map((g) => ({ ...g })),
    };
  }
}

function sameGroup(a: ClientConsumerGroup, b: ClientConsumerGroup): boolean {
  return a.streamId === b.streamId && a.topicId === b.topicId && a.groupId === b.groupId;
}
