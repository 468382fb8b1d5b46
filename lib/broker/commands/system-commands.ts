import { ClientRegistry } from '../metadata/clients.js';
import type { BrokerState } from '../broker-state.js';
import { caller, generationOf, type Callers } from './authorization.js';
import { authorize, Rights } from './permissions.js';
import type { ClientDetails, ClientInfo, Stats } from '../types.js';

/*
 * Clients, stats and the periodic consumer-group check. Reading stats and other clients needs the
 * global read-servers right (as on the real server); a client may always read itself (GetMe).
 */

/** The client is gone: it leaves every group it joined (a full rebalance of each). */
export function disconnectClient(ctx: Pick<BrokerState, 'clients' | 'catalog'>, clientId: number): void {
  const client = ctx.clients.disconnect(clientId);
  if (!client) return;
  for (const g of client.groups) {
    const topic = ctx.catalog.streams.get(g.streamId)?.topics.get(g.topicId);
    topic?.groups.get(g.groupId)?.membership.leave(clientId);
  }
}

export function getMe(ctx: Callers, clientId: number): ClientDetails {
  return ClientRegistry.details(caller(ctx, clientId).client);
}

export function getClient(ctx: Callers, clientId: number, targetClientId: number): ClientDetails | null {
  const { user, permissions } = caller(ctx, clientId);
  authorize(Rights.readServers(permissions), user.id, 'read clients');
  const target = ctx.clients.get(targetClientId);
  return target ? ClientRegistry.details(target) : null;
}

export function getClients(ctx: Callers, clientId: number): ClientInfo[] {
  const { user, permissions } = caller(ctx, clientId);
  authorize(Rights.readServers(permissions), user.id, 'read clients');
  return ctx.clients.list().map((c) => {
    const { consumerGroups: _, ...info } = ClientRegistry.details(c);
    return info;
  });
}

export function getStats(
  ctx: Callers & Pick<BrokerState, 'catalog' | 'partitions' | 'traffic' | 'config' | 'stats'>,
  clientId: number,
): Stats {
  const { client, user, permissions } = caller(ctx, clientId);
  authorize(Rights.readServers(permissions), user.id, 'read stats');
  let topicsCount = 0;
  let partitionsCount = 0;
  let consumerGroupsCount = 0;
  for (const stream of ctx.catalog.streams.values()) {
    for (const topic of stream.topics.values()) {
      topicsCount++;
      partitionsCount += topic.partitions.length;
      consumerGroupsCount += topic.groups.size;
    }
  }
  let segmentsCount = 0;
  let messagesCount = 0n;
  let messagesSizeBytes = 0n;
  for (const runtime of ctx.partitions.all()) {
    const s = runtime.store.stats();
    segmentsCount += s.segmentsCount;
    messagesCount += s.messagesCount;
    messagesSizeBytes += s.sizeBytes;
  }
  return ctx.stats.collect(
    {
      streamsCount: ctx.catalog.streams.size,
      topicsCount,
      partitionsCount,
      segmentsCount,
      messagesCount,
      messagesSizeBytes,
      clientsCount: ctx.clients.size,
      consumerGroupsCount,
      ...ctx.traffic,
    },
    generationOf(ctx.config, client),
  );
}

/** Forces consumer-group hand-overs pending longer than the rebalancing timeout; returns how many. */
export function checkRebalanceTimeouts(ctx: Pick<BrokerState, 'catalog' | 'config'>, nowMs: number): number {
  let forced = 0;
  for (const stream of ctx.catalog.streams.values()) {
    for (const topic of stream.topics.values()) {
      for (const group of topic.groups.values()) {
        forced += group.membership.forceTimedOut(nowMs, ctx.config.rebalancingTimeoutMs);
      }
    }
  }
  return forced;
}
