import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { calculatePartition } from '../../lib/connectors/calculate-partition.js';
import type { IggyConnector } from '../../lib/connectors/iggy-connector.js';
import type { GroupAssignment, ReceivedMessage } from '../../lib/connectors/message-subscriber.js';
import { PublishRequest } from '../../lib/connectors/publish-request.js';
import { messageIdToUuid, uuidToMessageId } from '../../lib/protocol/messages/message-id.js';
import { Header } from '../../lib/protocol/primitives/user-headers.js';
import { waitFor } from '../unit/consumer/consumer-kit.js';
import { connectorErrorContract } from './connector-error-contract.js';
import {
  body,
  connected,
  freshTopic,
  payload,
  receiveUntil,
  recvWithin,
  type ContractCapabilities,
  type ContractHarness,
} from './contract-harness.js';

const FAST = { pollIntervalMs: 10 } as const;

function request(stream: string, topic: string, key: string, seq: number): PublishRequest {
  return PublishRequest.new(stream, topic, key, payload({ key, seq }), randomUUID());
}

/**
 * The `IggyConnector` contract: every implementation, against every backend, behaves the same. `setup`
 * builds the harness (and whatever it runs) once for the file.
 */
export function connectorContract(
  label: string,
  capabilities: ContractCapabilities,
  setup: () => Promise<ContractHarness>,
): void {
  const failoverIt = capabilities.failover ? it : it.skip;
  const groupIt = capabilities.groups === false ? it.skip : it;
  // The restart case follows a group subscription across the restart.
  const restartIt = capabilities.restart && capabilities.groups !== false ? it : it.skip;
  describe(`IggyConnector contract: ${label}`, () => {
    let harness: ContractHarness;
    let connector: IggyConnector;

    beforeAll(async () => {
      harness = await setup();
      connector = await connected(harness);
    }, 60_000);

    afterAll(async () => {
      await connector?.shutdown();
      await harness?.close();
    }, 60_000);

    it('connects, reports its config and answers a ping', async () => {
      expect(connector.isConnected()).toBe(true);
      expect(connector.config?.partitions).toBe(8);
      expect(connector.serverVersion).toMatch(/^0\.[78]\.\d+/);
      const ms = await connector.ping();
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(5_000);
    });

    it('ensures streams and topics idempotently (racing creates included) and describes topics', async () => {
      const { stream } = await freshTopic(connector, 3);
      await Promise.all([
        connector.ensureTopic(stream, { name: 'raced', partitions: 2 }),
        connector.ensureTopic(stream, { name: 'raced', partitions: 2 }),
        connector.ensureStream(stream),
      ]);
      const info = await connector.getTopic(stream, 'raced');
      expect(info).toMatchObject({ name: 'raced', partitionsCount: 2 });
      expect(info!.partitions.map((p) => p.currentOffset)).toEqual([null, null]);
      expect(await connector.getTopic(stream, 'missing')).toBeNull();
    });

    it('round-trips one message: payload, headers, id = uuidToMessageId(eventId)', async () => {
      const { stream, topic } = await freshTopic(connector, 8);
      const eventId = randomUUID();
      const headers = [{ key: Header.string('type'), value: Header.string('order.placed') }];
      const sent = PublishRequest.new(stream, topic, 'tenant-a', Buffer.from('hello'), eventId).withHeaders(
        headers,
      );
      await connector.publish(sent);
      const partition = calculatePartition('tenant-a', 8);
      const subscriber = await connector.subscribe(stream, topic, partition, {
        startFrom: 'beginning',
        ...FAST,
      });
      const got = await recvWithin(subscriber);
      await subscriber.close();
      expect(got).toMatchObject({ stream, topic, partition, offset: 0n, id: uuidToMessageId(eventId) });
      expect(messageIdToUuid(got.id)).toBe(eventId);
      expect(got.payload.toString()).toBe('hello');
      expect(got.headers).toEqual(headers);
      expect(got.timestamp).toBeGreaterThan(0n);
      expect(await subscriber.recv()).toBeNull();
    });

    it('publishes with PublishRequest.toTopic to that topic of the default stream', async () => {
      const stream = connector.config!.streamName;
      const topic = `contract-${randomUUID().slice(0, 8)}`;
      await connector.ensureStream(stream);
      await connector.ensureTopic(stream, { name: topic, partitions: 1 });
      const eventId = randomUUID();
      await connector.publish(PublishRequest.toTopic(topic, 'tenant-a', Buffer.from('to-topic'), eventId));
      const subscriber = await connector.subscribe(stream, topic, 0, { startFrom: 'beginning', ...FAST });
      const got = await recvWithin(subscriber);
      await subscriber.close();
      expect(got).toMatchObject({ stream, topic, partition: 0, offset: 0n, id: uuidToMessageId(eventId) });
      expect(got.payload.toString()).toBe('to-topic');
    });

    groupIt('publishes a batch: every message arrives, in order per key', async () => {
      const { stream, topic } = await freshTopic(connector, 8);
      const keys = ['k1', 'k2', 'k3'];
      const batch = Array.from({ length: 60 }, (_, i) => request(stream, topic, keys[i % 3]!, i));
      await connector.publishBatch(batch);
      const subscriber = await connector.subscribeGroup(stream, topic, 'batch-readers', FAST);
      const received = await receiveUntil(subscriber, (r) => r.length >= 60, { commit: true });
      await subscriber.close();
      expect(new Set(received.map((m) => m.id)).size).toBe(60);
      for (const key of keys) {
        const seqs = received.filter((m) => body(m).key === key).map((m) => body(m).seq);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        expect(seqs).toHaveLength(20);
      }
    });

    it('keeps per-tenant order across 8 partitions, each tenant on calculatePartition(tenant, 8)', async () => {
      const { stream, topic } = await freshTopic(connector, 8);
      const tenants = Array.from({ length: 40 }, (_, i) => `tenant-${i}`);
      const perTenant = 10;
      const publishes: Promise<void>[] = [];
      for (let seq = 0; seq < perTenant; seq++) {
        for (const tenant of tenants) publishes.push(connector.publish(request(stream, topic, tenant, seq)));
      }
      await Promise.all(publishes);
      const byTenant = new Map<string, number[]>();
      for (let partition = 0; partition < 8; partition++) {
        const info = (await connector.getTopic(stream, topic))!.partitions[partition]!;
        const subscriber = await connector.subscribe(stream, topic, partition, {
          startFrom: 'beginning',
          consumerName: 'order-check',
          ...FAST,
        });
        const got = await receiveUntil(subscriber, (r) => BigInt(r.length) >= info.messagesCount);
        await subscriber.close();
        for (const m of got) {
          const { key, seq } = body(m);
          expect(calculatePartition(key, 8)).toBe(partition);
          byTenant.set(key, [...(byTenant.get(key) ?? []), seq]);
        }
      }
      expect(byTenant.size).toBe(tenants.length);
      for (const seqs of byTenant.values())
        expect(seqs).toEqual(Array.from({ length: perTenant }, (_, i) => i));
    });

    groupIt(
      'splits the partitions between two group members: everything exactly once when committing',
      async () => {
        const { stream, topic } = await freshTopic(connector, 8);
        const a = await connector.subscribeGroup(stream, topic, 'split', FAST);
        const b = await connector.subscribeGroup(stream, topic, 'split', FAST);
        const total = 240;
        await connector.publishBatch(
          Array.from({ length: total }, (_, i) => request(stream, topic, `t${i % 48}`, i)),
        );
        const seen: ReceivedMessage[][] = [[], []];
        const count = () => seen[0]!.length + seen[1]!.length;
        const consume = async (s: typeof a, into: ReceivedMessage[]) => {
          const deadline = Date.now() + 20_000;
          while (count() < total && Date.now() < deadline) {
            const m = await Promise.race([
              s.recv(),
              new Promise<null>((r) => setTimeout(() => r(null), 200)),
            ]);
            if (!m) continue;
            into.push(m);
            await s.commit(m);
          }
        };
        await Promise.all([consume(a, seen[0]!), consume(b, seen[1]!)]);
        await Promise.all([a.close(), b.close()]);
        const all = [...seen[0]!, ...seen[1]!];
        expect(all).toHaveLength(total);
        expect(new Set(all.map((m) => m.id)).size).toBe(total);
        expect(seen[0]!.length).toBeGreaterThan(0);
        expect(seen[1]!.length).toBeGreaterThan(0);
        const partitionsOf = (ms: ReceivedMessage[]) => new Set(ms.map((m) => m.partition));
        for (const p of partitionsOf(seen[0]!)) expect(partitionsOf(seen[1]!).has(p)).toBe(false);
        const lag = await connector.consumerLag(stream, topic, { kind: 'group', name: 'split' });
        expect(lag.reduce((sum, p) => sum + p.lag, 0n)).toBe(0n);
      },
    );

    groupIt('tells a member its assigned partitions as members join and leave (a rebalance)', async () => {
      const { stream, topic } = await freshTopic(connector, 4);
      const options = { ...FAST, assignmentCheckMs: 25 };
      const a = await connector.subscribeGroup(stream, topic, 'rebalanced', options);
      const seenByA: GroupAssignment[] = [];
      a.onAssignment!((assignment) => seenByA.push(assignment));
      await waitFor(() => seenByA.length === 1, 10_000, 'the first assignment');
      expect(seenByA[0]).toEqual({ partitions: [0, 1, 2, 3], previous: null });

      const b = await connector.subscribeGroup(stream, topic, 'rebalanced', options);
      const seenByB: GroupAssignment[] = [];
      b.onAssignment!((assignment) => seenByB.push(assignment));
      await waitFor(() => seenByA.length === 2 && seenByB.length === 1, 10_000, 'the rebalance on join');
      const [kept, given] = [seenByA[1]!.partitions, seenByB[0]!.partitions];
      expect(seenByA[1]!.previous).toEqual([0, 1, 2, 3]);
      // Each keeps some: 2 and 2 on the embedded broker; servers 0.7/0.8 deal 3 and 1 (one partition per
      // idle member per cooperative pass, their bug #3334).
      expect(kept.length).toBeGreaterThanOrEqual(2);
      expect(given.length).toBeGreaterThanOrEqual(1);
      expect([...kept, ...given].sort()).toEqual([0, 1, 2, 3]);

      await b.close();
      await waitFor(() => seenByA.length === 3, 10_000, 'the rebalance on leave');
      expect(seenByA[2]).toEqual({ partitions: [0, 1, 2, 3], previous: kept });
      await a.close();
    });

    groupIt(
      'tells each of two members subscribed at once its partitions (their joins do not overlap)',
      async () => {
        const { stream, topic } = await freshTopic(connector, 4);
        const options = { ...FAST, assignmentCheckMs: 25 };
        const members = await Promise.all([
          connector.subscribeGroup(stream, topic, 'together', options),
          connector.subscribeGroup(stream, topic, 'together', options),
        ]);
        const latest: (readonly number[] | undefined)[] = [undefined, undefined];
        members.forEach((m, i) => m.onAssignment!((assignment) => (latest[i] = assignment.partitions)));
        const split = () => latest.every((p) => p !== undefined && p.length > 0 && p.length < 4);
        await waitFor(
          () => split() && latest[0]!.length + latest[1]!.length === 4,
          10_000,
          `both assignments ${JSON.stringify(latest)}`,
        );
        expect([...latest[0]!, ...latest[1]!].sort()).toEqual([0, 1, 2, 3]);
        await Promise.all(members.map((m) => m.close()));
      },
    );

    groupIt(
      'resumes a group right after its last commit when a new subscriber replaces a closed one',
      async () => {
        const { stream, topic } = await freshTopic(connector, 1);
        await connector.publishBatch(Array.from({ length: 20 }, (_, i) => request(stream, topic, 'k', i)));
        const first = await connector.subscribeGroup(stream, topic, 'resume', FAST);
        const taken = await receiveUntil(first, (r) => r.length >= 10);
        for (const m of taken.slice(0, 8)) await first.commit(m);
        await first.close();
        const second = await connector.subscribeGroup(stream, topic, 'resume', FAST);
        const rest = await receiveUntil(second, (r) => r.length >= 12, { commit: true });
        await second.close();
        expect(rest.map((m) => body(m).seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 8));
      },
    );

    it('resumes a single consumer right after its last commit on a new connector', async () => {
      const { stream, topic } = await freshTopic(connector, 2);
      await connector.publishBatch(Array.from({ length: 10 }, (_, i) => request(stream, topic, 'k', i)));
      const partition = calculatePartition('k', 2);
      const options = { consumerName: 'resumer', ...FAST };
      const first = await connector.subscribe(stream, topic, partition, options);
      const taken = await receiveUntil(first, (r) => r.length >= 6);
      await first.commit(taken[3]!);
      await first.close();
      if (harness.durable) {
        await connector.shutdown();
        connector = await connected(harness);
      }
      const second = await connector.subscribe(stream, topic, partition, options);
      const rest = await receiveUntil(second, (r) => r.length >= 6);
      await second.close();
      expect(rest.map((m) => body(m).seq)).toEqual([4, 5, 6, 7, 8, 9]);
      const lag = await connector.consumerLag(stream, topic, { kind: 'consumer', name: 'resumer' });
      expect(lag.find((l) => l.partition === partition)).toMatchObject({ storedOffset: 3n, lag: 6n });
    });

    groupIt("honours startFrom 'end', { offset }, { timestamp } and stores offsets explicitly", async () => {
      const { stream, topic } = await freshTopic(connector, 1);
      await connector.publishBatch(Array.from({ length: 5 }, (_, i) => request(stream, topic, 'k', i)));
      const fromEnd = await connector.subscribe(stream, topic, 0, { startFrom: 'end', ...FAST });
      const future = BigInt(Date.now() + 60_000) * 1000n;
      const groupFromNow = await connector.subscribeGroup(stream, topic, 'from-now', {
        startFrom: { timestamp: future },
        ...FAST,
      });
      const fromEpoch = await connector.subscribe(stream, topic, 0, {
        startFrom: { timestamp: 0n },
        ...FAST,
      });
      expect(body(await recvWithin(fromEpoch)).seq).toBe(0);
      const fromTwo = await connector.subscribeGroup(stream, topic, 'from-two', {
        startFrom: { offset: 2n },
        ...FAST,
      });
      await connector.publish(request(stream, topic, 'k', 5));
      expect(body(await recvWithin(fromEnd)).seq).toBe(5);
      const got = await receiveUntil(fromTwo, (r) => r.length >= 4, { commit: true });
      expect(got.map((m) => body(m).seq)).toEqual([2, 3, 4, 5]);
      expect(body(await recvWithin(groupFromNow)).seq).toBe(5);
      await Promise.all([fromEnd.close(), fromTwo.close(), groupFromNow.close(), fromEpoch.close()]);
      await connector.storeOffset(stream, topic, { kind: 'consumer', name: 'manual' }, 0, 2n);
      await connector.storeOffset(stream, topic, { kind: 'group', name: 'from-two' }, 0, 1n);
      const manual = await connector.consumerLag(stream, topic, { kind: 'consumer', name: 'manual' });
      const group = await connector.consumerLag(stream, topic, { kind: 'group', name: 'from-two' });
      expect(manual).toEqual([{ partition: 0, currentOffset: 5n, storedOffset: 2n, lag: 3n }]);
      expect(group).toEqual([{ partition: 0, currentOffset: 5n, storedOffset: 1n, lag: 4n }]);
    });

    failoverIt('fails over to the second address when the first refuses', async () => {
      const base = harness.config();
      const remote = base.remote ?? {};
      const other = await connected(harness, {
        ...base,
        remote: { ...remote, addresses: [harness.refusingAddress!, ...(remote.addresses ?? [])] },
      });
      try {
        const { stream, topic } = await freshTopic(other, 1);
        await other.publish(request(stream, topic, 'k', 0));
        expect((await other.getTopic(stream, topic))!.partitions[0]!.messagesCount).toBe(1n);
      } finally {
        await other.shutdown();
      }
    });

    restartIt(
      'reconnects after the server restarts mid-stream: no acknowledged message is lost',
      async () => {
        const { stream, topic } = await freshTopic(connector, 4);
        const subscriber = await connector.subscribeGroup(stream, topic, 'survivors', FAST);
        const acked = new Set<string>();
        const publishSome = async (from: number, n: number) => {
          for (let i = from; i < from + n; i++) {
            const r = request(stream, topic, `t${i % 8}`, i);
            await connector.publish(r).then(
              () => acked.add(r.eventId),
              () => undefined,
            );
          }
        };
        await publishSome(0, 30);
        const before = await receiveUntil(subscriber, (r) => r.length >= 10, { commit: true });
        await harness.restartServer!();
        await publishSome(30, 30);
        const seen = new Set(before.map((m) => messageIdToUuid(m.id)));
        const deadline = Date.now() + 30_000;
        while ([...acked].some((id) => !seen.has(id)) && Date.now() < deadline) {
          const m = await recvWithin(subscriber, deadline - Date.now());
          seen.add(messageIdToUuid(m.id));
          await subscriber.commit(m).catch(() => undefined);
        }
        await subscriber.close();
        expect(acked.size).toBeGreaterThanOrEqual(30);
        expect([...acked].filter((id) => !seen.has(id))).toEqual([]);
      },
      60_000,
    );

    restartIt(
      'tells its assignment again after re-joining a restarted server: a member joining later is seen',
      async () => {
        const { stream, topic } = await freshTopic(connector, 4);
        const options = { ...FAST, assignmentCheckMs: 25 };
        const a = await connector.subscribeGroup(stream, topic, 'rejoined', options);
        const seen: GroupAssignment[] = [];
        a.onAssignment!((assignment) => seen.push(assignment));
        await waitFor(() => seen.length === 1, 10_000, 'the first assignment');
        const polling = a.recv(); // keeps polling, so the subscription re-joins after the reconnect
        await harness.restartServer!();
        const b = await connector.subscribeGroup(stream, topic, 'rejoined', options);
        await waitFor(() => seen.length === 2, 20_000, 'the rebalance after the restart');
        expect(seen[1]!.previous).toEqual([0, 1, 2, 3]);
        expect(seen[1]!.partitions).toHaveLength(2);
        await b.close();
        await waitFor(() => seen.length === 3, 10_000, 'the rebalance on leave');
        expect(seen[2]!.partitions).toEqual([0, 1, 2, 3]);
        await a.close();
        expect(await polling).toBeNull();
      },
      60_000,
    );

    connectorErrorContract(() => ({ harness, connector }));
  });
}
