import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IggyClient, IggyError, Poller, Producer, type ConsumedMessage } from '../../lib/client/index.js';
import { IggyErrorCode } from '../../lib/protocol/codes/error-codes.js';
import { AccessTokenExpiry } from '../../lib/protocol/commands/access-tokens/index.js';
import type { PolledMessage } from '../../lib/protocol/messages/message-batch.js';
import { partitionForKey } from '../../lib/protocol/messages/partition-key.js';
import { ConsumerKind } from '../../lib/protocol/primitives/consumer.js';
import { PollingStrategy } from '../../lib/protocol/primitives/polling-strategy.js';
import {
  Header,
  headersByStringKey,
  stringKeyedHeaders,
} from '../../lib/protocol/primitives/user-headers.js';

/** Where the scenario runs: a real Iggy server or the embedded broker. */
export interface InteropTarget {
  host: string;
  port: number;
  username: string;
  password: string;
}

const PARTITIONS = 8;
const MESSAGES = 10_000;
const KEYS = 24;

interface Sent {
  seq: number;
  key: string;
  partition: number;
}

/**
 * The interop scenario: one stream with a topic of 8 partitions, 10,000 keyed messages with user headers,
 * read back with every polling strategy, consumer offsets, a consumer group, a personal access token,
 * error codes, clean-up. Every step is one `it`, in order; the stream name is unique per run.
 */
export function runInteropScenario(
  label: string,
  getTarget: () => InteropTarget | Promise<InteropTarget>,
): void {
  describe(`interop scenario: ${label}`, () => {
    let target: InteropTarget;
    let client: IggyClient;
    const suffix = randomBytes(4).toString('hex');
    const streamName = `interop-${suffix}`;
    const topicName = 'events';
    let streamId = -1;
    let topicId = -1;
    const sent: Sent[] = [];
    const byPartition = new Map<number, PolledMessage[]>();
    const extraClients: IggyClient[] = [];

    const topic = () => ({ streamId, topicId });
    const consumer = (id: number | string) => ({ kind: ConsumerKind.Consumer, id });

    async function newClient(credentials?: { username: string; password: string } | { token: string }) {
      const c = new IggyClient({
        addresses: [`${target.host}:${target.port}`],
        credentials,
        reconnect: false,
      });
      extraClients.push(c);
      await c.connect();
      return c;
    }

    beforeAll(async () => {
      target = await getTarget();
      client = new IggyClient({
        addresses: [`${target.host}:${target.port}`],
        credentials: { username: target.username, password: target.password },
      });
      await client.connect();
    });

    afterAll(async () => {
      if (streamId >= 0) await client?.deleteStream({ streamId }).catch(() => undefined);
      for (const c of extraClients) await c.close();
      await client?.close();
    });

    it('pings, logs in and knows who it is', async () => {
      await client.ping();
      const me = await client.getMe();
      expect(me.userId).toBe(0);
      expect(typeof me.clientId).toBe('number');
      const stats = await client.getStats();
      expect(stats).toBeDefined();
    });

    it('creates a uniquely named stream and a topic of 8 partitions', async () => {
      const stream = await client.createStream({ name: streamName });
      streamId = stream.id;
      expect(stream).toMatchObject({ name: streamName, topicsCount: 0, topics: [] });
      const created = await client.createTopic({ streamId, name: topicName, partitionsCount: PARTITIONS });
      topicId = created.id;
      expect(created.partitions.map((p) => p.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      const byName = await client.getTopic({ streamId: streamName, topicId: topicName });
      expect(byName).toMatchObject({ id: topicId, name: topicName, partitionsCount: PARTITIONS });
      expect((await client.getStreams()).some((s) => s.name === streamName)).toBe(true);
      expect((await client.getTopics({ streamId })).map((t) => t.name)).toEqual([topicName]);
      const details = await client.getStream({ streamId });
      expect(details).toMatchObject({ id: streamId, topicsCount: 1 });
    });

    it('pipelines 500 mixed requests on one connection and matches every answer', async () => {
      const calls = Array.from({ length: 500 }, (_, i) =>
        i % 3 === 0
          ? client.getStream({ streamId }).then((s) => s?.name)
          : i % 3 === 1
            ? client.getTopic({ streamId, topicId }).then((t) => t?.name)
            : client.getStream({ streamId: `missing-${suffix}-${i}` }).then((s) => s ?? 'none'),
      );
      const answers = await Promise.all(calls);
      expect(answers).toEqual(
        answers.map((_, i) => (i % 3 === 0 ? streamName : i % 3 === 1 ? topicName : 'none')),
      );
    });

    it(`sends ${MESSAGES} keyed messages with user headers in batches`, async () => {
      const producer = new Producer(client, {
        streamId,
        topicId,
        partitioning: { key: (m) => headerString(m.headers ?? [], 'key') },
        maxBatchSize: 500,
        lingerMs: 2,
        maxInFlightBatches: 8,
      });
      const acks: Promise<void>[] = [];
      for (let seq = 0; seq < MESSAGES; seq++) {
        const key = `tenant-${seq % KEYS}`;
        sent.push({ seq, key, partition: partitionForKey(Buffer.from(key), PARTITIONS) });
        acks.push(
          producer.send({
            payload: Buffer.from(`message-${seq}`),
            headers: stringKeyedHeaders({
              key: Header.string(key),
              seq: Header.uint32(seq),
              even: Header.bool(seq % 2 === 0),
            }),
          }),
        );
      }
      await producer.close();
      await Promise.all(acks);
      const topicNow = await client.getTopic(topic());
      expect(topicNow!.messagesCount).toBe(BigInt(MESSAGES));
    });

    it('reads every partition back in order with the offset strategy, keys hashed as the server does', async () => {
      for (let p = 0; p < PARTITIONS; p++) {
        const got: PolledMessage[] = [];
        for (;;) {
          const r = await client.pollMessages({
            consumer: consumer(1),
            ...topic(),
            partitionId: p,
            strategy: PollingStrategy.offset(BigInt(got.length)),
            count: 1000,
          });
          expect(r.partitionId).toBe(p);
          if (r.messages.length === 0) break;
          got.push(...r.messages);
        }
        byPartition.set(p, got);
        // Batches are per key, so keys interleave batch by batch; order holds per key.
        const expected = sent.filter((s) => s.partition === p);
        expect(got.map((m) => m.offset)).toEqual(expected.map((_, i) => BigInt(i)));
        // One comparison per partition (10,000 expect calls would dominate the test's time)
        const seqsByKey = new Map<string, number[]>();
        const faults: string[] = [];
        for (const m of got) {
          const h = headersByStringKey(m.headers);
          const key = h.get('key')!.value as string;
          const seq = h.get('seq')!.value as number;
          if (m.payload.toString() !== `message-${seq}`) faults.push(`payload of ${seq}`);
          if (!isDeepStrictEqual(h.get('even'), Header.bool(seq % 2 === 0))) faults.push(`even of ${seq}`);
          if (partitionForKey(Buffer.from(key), PARTITIONS) !== p) faults.push(`partition of ${key}`);
          if (m.checksum === 0n || m.id === 0n) faults.push(`checksum or id of ${seq}`);
          const seqs = seqsByKey.get(key) ?? [];
          seqsByKey.set(key, seqs);
          seqs.push(seq);
        }
        expect(faults).toEqual([]);
        const expectedByKey = new Map<string, number[]>();
        for (const s of expected) {
          const seqs = expectedByKey.get(s.key) ?? [];
          expectedByKey.set(s.key, seqs);
          seqs.push(s.seq);
        }
        expect(seqsByKey).toEqual(expectedByKey);
      }
      expect([...byPartition.values()].reduce((n, ms) => n + ms.length, 0)).toBe(MESSAGES);
    });

    it('polls with first, last and timestamp strategies', async () => {
      const p = sent[0]!.partition;
      const all = byPartition.get(p)!;
      const first = await client.pollMessages({
        consumer: consumer(1),
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.first(),
        count: 5,
      });
      expect(first.messages.map((m) => m.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
      const last = await client.pollMessages({
        consumer: consumer(1),
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.last(),
        count: 5,
      });
      const end = BigInt(all.length - 1);
      expect(last.currentOffset).toBe(end);
      expect(last.messages.map((m) => m.offset)).toEqual([end - 4n, end - 3n, end - 2n, end - 1n, end]);
      const pivot = all[Math.floor(all.length / 2)]!;
      const byTime = await client.pollMessages({
        consumer: consumer(1),
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.timestamp(pivot.timestamp),
        count: 3,
      });
      const firstAt = byTime.messages[0]!;
      expect(firstAt.timestamp >= pivot.timestamp).toBe(true);
      expect(firstAt.offset <= pivot.offset).toBe(true);
      // Not checked: that no earlier message has a timestamp >= the pivot. The 0.7 server stamps many
      // consecutive batches with the same µs value and its timestamp search may land inside such a run.
      const fromZero = await client.pollMessages({
        consumer: consumer(1),
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.timestamp(0n),
        count: 1,
      });
      expect(fromZero.messages.map((m) => m.offset)).toEqual([0n]);
      const future = await client.pollMessages({
        consumer: consumer(1),
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.timestamp(all.at(-1)!.timestamp + 60_000_000n),
        count: 1,
      });
      expect(future.messages).toEqual([]);
    });

    it('polls next from stored offsets, and auto-commit stores the last returned offset', async () => {
      const p = sent[0]!.partition;
      const c = consumer(`next-${suffix}`);
      const fresh = await client.pollMessages({
        consumer: c,
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.next(),
        count: 3,
      });
      expect(fresh.messages.map((m) => m.offset)).toEqual([0n, 1n, 2n]);
      await client.storeOffset({ consumer: c, ...topic(), partitionId: p, offset: 9n });
      const next = await client.pollMessages({
        consumer: c,
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.next(),
        count: 3,
        autoCommit: true,
      });
      expect(next.messages.map((m) => m.offset)).toEqual([10n, 11n, 12n]);
      expect((await client.getOffset({ consumer: c, ...topic(), partitionId: p }))?.storedOffset).toBe(12n);
      const after = await client.pollMessages({
        consumer: c,
        ...topic(),
        partitionId: p,
        strategy: PollingStrategy.next(),
        count: 1,
      });
      expect(after.messages.map((m) => m.offset)).toEqual([13n]);
    });

    it('stores, gets and deletes a consumer offset', async () => {
      const p = sent[1]!.partition;
      const c = consumer(77);
      expect(await client.getOffset({ consumer: c, ...topic(), partitionId: p })).toBeNull();
      await client.storeOffset({ consumer: c, ...topic(), partitionId: p, offset: 5n });
      const info = await client.getOffset({ consumer: c, ...topic(), partitionId: p });
      expect(info).toEqual({
        partitionId: p,
        currentOffset: BigInt(byPartition.get(p)!.length - 1),
        storedOffset: 5n,
      });
      await client.deleteConsumerOffset({ consumer: c, ...topic(), partitionId: p });
      expect(await client.getOffset({ consumer: c, ...topic(), partitionId: p })).toBeNull();
    });

    it('a single-consumer Poller iterates a partition and commits after processing', async () => {
      const p = sent[2]!.partition;
      const expected = byPartition.get(p)!;
      const poller = new Poller(client, {
        ...topic(),
        consumer: { consumerId: 4242 },
        partitionId: p,
        strategy: PollingStrategy.first(),
        count: 400,
      });
      const got: ConsumedMessage[] = [];
      for await (const m of poller) {
        got.push(m);
        if (got.length === expected.length) {
          await poller.commit(m);
          break;
        }
      }
      await poller.stop();
      expect(got.map((m) => m.offset)).toEqual(expected.map((m) => m.offset));
      const info = await client.getOffset({ consumer: consumer(4242), ...topic(), partitionId: p });
      expect(info?.storedOffset).toBe(BigInt(expected.length - 1));
    });

    it('creates, joins, polls, leaves and deletes a consumer group', async () => {
      const groupName = `group-${suffix}`;
      const created = await client.createConsumerGroup({ ...topic(), name: groupName });
      expect(created).toMatchObject({ name: groupName, partitionsCount: PARTITIONS, membersCount: 0 });
      const member = await newClient({ username: target.username, password: target.password });
      await member.joinConsumerGroup({ ...topic(), groupId: created.id });
      const joined = await client.getConsumerGroup({ ...topic(), groupId: groupName });
      expect(joined?.membersCount).toBe(1);
      expect(joined?.members[0]?.partitions.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect((await member.getMe()).consumerGroups).toEqual([{ streamId, topicId, groupId: created.id }]);

      const poller = new Poller(member, {
        ...topic(),
        consumer: { groupId: created.id },
        count: 100,
        commit: 'manual',
      });
      const seen = new Set<string>();
      for await (const m of poller) {
        seen.add(`${m.partitionId}:${m.offset}`);
        await poller.commit(m);
        if (seen.size === 2000) break;
      }
      await poller.stop(); // leaves the group
      expect(seen.size).toBe(2000);
      const partitions = new Set([...seen].map((k) => k.split(':')[0]));
      expect(partitions.size).toBeGreaterThan(1);

      const left = await client.getConsumerGroup({ ...topic(), groupId: created.id });
      expect(left?.membersCount).toBe(0);
      expect((await client.getConsumerGroups(topic())).map((g) => g.name)).toContain(groupName);
      await client.deleteConsumerGroup({ ...topic(), groupId: created.id });
      expect(await client.getConsumerGroup({ ...topic(), groupId: created.id })).toBeNull();
    });

    it('creates a personal access token and logs in with it on a second client', async () => {
      const name = `pat-${suffix}`;
      const { token } = await client.createAccessToken({ name, expiry: AccessTokenExpiry.Never });
      expect(token.length).toBeGreaterThan(0);
      expect((await client.getAccessTokens()).map((t) => t.name)).toContain(name);
      const second = await newClient({ token });
      expect((await second.getMe()).userId).toBe(0);
      expect((await second.getStream({ streamId }))?.name).toBe(streamName);
      await client.deleteAccessToken({ name });
      expect((await client.getAccessTokens()).map((t) => t.name)).not.toContain(name);
    });

    it('updates, purges and deletes streams, topics, partitions; flushes a partition', async () => {
      const tmp = await client.createStream({ name: `tmp-${suffix}` });
      await client.updateStream({ streamId: tmp.id, name: `tmp2-${suffix}` });
      expect((await client.getStream({ streamId: `tmp2-${suffix}` }))?.id).toBe(tmp.id);
      const scratch = await client.createTopic({ streamId: tmp.id, name: 'scratch', partitionsCount: 2 });
      const t = { streamId: tmp.id, topicId: scratch.id };
      await client.updateTopic({
        ...t,
        name: 'scratch2',
        compressionAlgorithm: 1,
        messageExpiry: 3_600_000_000n,
        maxTopicSize: 0n,
        replicationFactor: 1,
      });
      const updated = await client.getTopic({ streamId: tmp.id, topicId: 'scratch2' });
      expect(updated).toMatchObject({ id: scratch.id, name: 'scratch2', messageExpiry: 3_600_000_000n });
      await client.createPartitions({ ...t, partitionsCount: 2 });
      expect((await client.getTopic(t))?.partitions.map((x) => x.id)).toEqual([0, 1, 2, 3]);
      await client.deletePartitions({ ...t, partitionsCount: 1 });
      expect((await client.getTopic(t))?.partitionsCount).toBe(3);
      await client.sendMessages({
        ...t,
        partitioning: { kind: 2, partitionId: 2 },
        messages: [{ payload: Buffer.from('x') }],
      });
      await client.flushUnsavedBuffer({ ...t, partitionId: 2, fsync: true });
      expect((await client.getTopic(t))?.messagesCount).toBe(1n);
      await client.purgeTopic(t);
      expect((await client.getTopic(t))?.messagesCount).toBe(0n);
      await client.sendMessages({
        ...t,
        partitioning: { kind: 1 },
        messages: [{ payload: Buffer.from('y') }],
      });
      await client.purgeStream({ streamId: tmp.id });
      expect((await client.getStream({ streamId: tmp.id }))?.messagesCount).toBe(0n);
      await client.deleteTopic(t);
      expect(await client.getTopic(t)).toBeNull();
      await client.deleteStream({ streamId: tmp.id });
    });

    it('manages users: create, get, update, change password, permissions, delete', async () => {
      const username = `user-${suffix}`;
      const created = await client.createUser({ username, password: 'secret-1', status: 1 });
      expect(created).toMatchObject({ username, status: 1 });
      expect((await client.getUser({ userId: username }))?.id).toBe(created.id);
      expect((await client.getUsers()).map((u) => u.username)).toContain(username);
      await client.updateUser({ userId: created.id, username: `${username}-x` });
      await client.changePassword({
        userId: created.id,
        currentPassword: 'secret-1',
        newPassword: 'secret-2',
      });
      const global = {
        manageServers: false,
        readServers: false,
        manageUsers: false,
        readUsers: false,
        manageStreams: false,
        readStreams: true,
        manageTopics: false,
        readTopics: true,
        pollMessages: false,
        sendMessages: false,
      };
      await client.updatePermissions({ userId: created.id, permissions: { global, streams: new Map() } });
      const details = await client.getUser({ userId: created.id });
      expect(details).toMatchObject({ username: `${username}-x`, permissions: { global } });
      const asUser = await newClient({ username: `${username}-x`, password: 'secret-2' });
      expect((await asUser.getMe()).userId).toBe(created.id);
      expect((await asUser.getStreams()).length).toBeGreaterThan(0);
      const denied = await asUser.createStream({ name: `nope-${suffix}` }).catch((e: unknown) => e);
      expect(denied).toMatchObject({ code: IggyErrorCode.Unauthorized });
      await asUser.logout();
      expect(await asUser.getStreams().catch((e: unknown) => e)).toMatchObject({
        code: IggyErrorCode.Unauthenticated,
      });
      await client.deleteUser({ userId: created.id });
      expect(await client.getUser({ userId: created.id })).toBeNull();
    });

    it('lists clients and reads the cluster metadata', async () => {
      const me = await client.getMe();
      expect((await client.getClients()).map((c) => c.clientId)).toContain(me.clientId);
      // GetClient may answer from another shard's copy of the client table, where the login is not
      // always visible yet (user id null); GetMe answers from the session itself.
      const viaGetClient = await client.getClient({ clientId: me.clientId });
      expect(viaGetClient?.clientId).toBe(me.clientId);
      expect([0, null]).toContain(viaGetClient?.userId);
      expect(await client.getClient({ clientId: 0x7fff_fff0 })).toBeNull();
      const cluster = await client.getClusterMetadata();
      expect(cluster.nodes.length).toBeGreaterThan(0);
    });

    it('answers missing things: null on get, error codes on delete, join and poll', async () => {
      expect(await client.getStream({ streamId: 999_999 })).toBeNull();
      expect(await client.getStream({ streamId: `missing-${suffix}` })).toBeNull();
      const byId = await client.deleteStream({ streamId: 999_999 }).catch((e: unknown) => e);
      expect(byId).toBeInstanceOf(IggyError);
      expect(byId).toMatchObject({ code: IggyErrorCode.StreamIdNotFound, name: 'StreamIdNotFound' });
      const byName = await client.deleteStream({ streamId: `missing-${suffix}` }).catch((e: unknown) => e);
      // The 0.7 server answers StreamIdNotFound for a missing name too (never StreamNameNotFound).
      expect(byName).toBeInstanceOf(IggyError);
      expect(byName).toMatchObject({ code: IggyErrorCode.StreamIdNotFound });
      const topicOfMissing = await client.getTopic({ streamId: 999_999, topicId: 1 });
      expect(topicOfMissing).toBeNull();
      const join = await client
        .joinConsumerGroup({ ...topic(), groupId: `missing-${suffix}` })
        .catch((e: unknown) => e);
      expect(join).toMatchObject({ code: IggyErrorCode.ConsumerGroupIdNotFound });
      const poll = await client
        .pollMessages({
          consumer: consumer(1),
          ...topic(),
          partitionId: PARTITIONS,
          strategy: PollingStrategy.first(),
          count: 1,
        })
        .catch((e: unknown) => e);
      expect(poll).toMatchObject({ code: IggyErrorCode.PartitionNotFound });
    });

    it('rejects a wrong password with InvalidCredentials', async () => {
      const c = new IggyClient({ addresses: [`${target.host}:${target.port}`], reconnect: false });
      extraClients.push(c);
      await c.connect();
      const err = await c.login(target.username, `${target.password}-wrong`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(IggyError);
      expect(err).toMatchObject({ code: IggyErrorCode.InvalidCredentials, name: 'InvalidCredentials' });
      const unauthenticated = await c.getStreams().catch((e: unknown) => e);
      expect(unauthenticated).toMatchObject({ code: IggyErrorCode.Unauthenticated });
    });

    it('deletes the stream', async () => {
      await client.deleteStream({ streamId });
      expect(await client.getStream({ streamId })).toBeNull();
      streamId = -1;
    });
  });
}

function headerString(
  headers: readonly { key: { kind: number; value: unknown }; value: { kind: number; value: unknown } }[],
  key: string,
): string {
  const h = headers.find((e) => e.key.value === key);
  if (!h || typeof h.value.value !== 'string') throw new Error(`message has no string header ${key}`);
  return h.value.value;
}
