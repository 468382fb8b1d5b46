import { readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import { DataDirCreateError, DataDirLockedError } from '../../../lib/broker/storage/data-dir-lock.js';
import {
  ConsumerKind,
  PartitioningKind,
  PollingKind,
  Transport,
  U64_MAX,
} from '../../../lib/broker/types.js';
import { batch, login, payloads, tempDir } from './broker-kit.js';

describe('Broker: persistence across close and reopen', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let broker: Broker | null = null;

  const open = () =>
    Broker.open({ dataDir: dir, fsync: { kind: 'always' }, retentionIntervalMs: 0, rootPassword: 'iggy' });

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await broker?.close();
    broker = null;
    await cleanup();
  });

  it('keeps streams, topics (with settings), partitions, users, tokens, groups, offsets and messages; not membership', async () => {
    broker = await open();
    let root = await login(broker, 'iggy', 'iggy');
    await broker.createStream(root, 'gone');
    await broker.createStream(root, 'orders');
    await broker.deleteStream(root, 'gone');
    await broker.createTopic(root, 'orders', {
      name: 'created',
      partitionsCount: 2,
      compressionAlgorithm: 2,
      messageExpiry: 86_400_000_000n,
      maxTopicSize: U64_MAX,
      replicationFactor: 1,
    });
    await broker.createConsumerGroup(root, 'orders', 'created', 'billing');
    broker.joinConsumerGroup(root, 'orders', 'created', 'billing');
    const p1 = { kind: PartitioningKind.PartitionId, partitionId: 1 } as const;
    await broker.sendMessages(root, 'orders', 'created', p1, batch(['one', 'two', 'three']), 3);
    const consumer = { kind: ConsumerKind.Consumer, id: 'reader' } as const;
    await broker.storeConsumerOffset(root, { streamId: 1, topicId: 0, consumer, partitionId: 1, offset: 1n });
    const group = { kind: ConsumerKind.ConsumerGroup, id: 'billing' } as const;
    await broker.storeConsumerOffset(root, {
      streamId: 1,
      topicId: 0,
      consumer: group,
      partitionId: 1,
      offset: 0n,
    });
    await broker.createUser(root, { username: 'alice', password: 'alice-pw' });
    const { token } = await broker.createAccessToken(root, 'deploy', 0n);
    const topicBefore = broker.getTopic(root, 'orders', 'created');
    await broker.close();

    broker = await open();
    root = await login(broker, 'iggy', 'iggy');
    expect(broker.getStreams(root).map((s) => [s.id, s.name])).toEqual([[1, 'orders']]);
    expect(broker.getTopic(root, 'orders', 'created')).toEqual(topicBefore);
    expect(broker.getConsumerGroup(root, 1, 0, 'billing')).toMatchObject({
      id: 0,
      membersCount: 0,
      members: [],
    });
    expect(
      broker.getConsumerOffset(root, { streamId: 1, topicId: 0, consumer, partitionId: 1 })?.storedOffset,
    ).toBe(1n);
    expect(
      broker.getConsumerOffset(root, { streamId: 1, topicId: 0, consumer: group, partitionId: 1 })
        ?.storedOffset,
    ).toBe(0n);
    const polled = await broker.pollMessages(root, {
      streamId: 'orders',
      topicId: 'created',
      consumer,
      partitionId: 1,
      strategy: { kind: PollingKind.Next, value: 0n },
      count: 10,
      autoCommit: false,
    });
    expect(payloads(polled.messages)).toEqual(['three']);
    expect(broker.getUser(root, 'alice')?.id).toBe(1);
    await login(broker, 'alice', 'alice-pw');
    const c = broker.connectClient(Transport.Tcp, '1.2.3.4:5');
    expect(await broker.loginWithAccessToken(c, token)).toEqual({ userId: 0 });
    // ids keep being assigned as before the restart: the freed stream id 0 is reused
    expect((await broker.createStream(root, 'next')).id).toBe(0);
    // offsets continue
    expect((await broker.sendMessages(root, 'orders', 'created', p1, batch(['four']), 1)).firstOffset).toBe(
      3n,
    );
  });

  it('brings a stored offset past the last message down to it at start, so new messages are not skipped', async () => {
    broker = await open();
    let root = await login(broker, 'iggy', 'iggy');
    await broker.createStream(root, 's');
    await broker.createTopic(root, 's', { name: 't', partitionsCount: 1 });
    const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
    await broker.sendMessages(root, 's', 't', p0, batch(['a', 'b', 'c']), 3);
    const consumer = { kind: ConsumerKind.Consumer, id: 1 } as const;
    const at = { streamId: 's', topicId: 't', consumer, partitionId: 0 };
    await broker.storeConsumerOffset(root, { ...at, offset: 2n });
    await broker.close();
    // As after a machine crash that lost the log's tail (messages 1 and 2) but not the stored offset.
    const log = (await readdir(dir, { recursive: true })).find((name) => name.endsWith('.log'));
    const logPath = join(dir, log!);
    await truncate(logPath, (await stat(logPath)).size / 3);

    broker = await open();
    root = await login(broker, 'iggy', 'iggy');
    expect(broker.getConsumerOffset(root, at)?.storedOffset).toBe(0n);
    await broker.sendMessages(root, 's', 't', p0, batch(['d']), 1);
    const polled = await broker.pollMessages(root, {
      ...at,
      strategy: { kind: PollingKind.Next, value: 0n },
      count: 10,
      autoCommit: false,
    });
    expect(payloads(polled.messages)).toEqual(['d']);
  });

  it('a second broker on the same directory fails with the lock holder named', async () => {
    broker = await open();
    await expect(open()).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(open()).rejects.toThrow(String(process.pid));
    await broker.close();
    broker = await open();
  });

  it('writes the metadata as one JSON snapshot, replaced atomically', async () => {
    broker = await open();
    const root = await login(broker, 'iggy', 'iggy');
    await broker.createStream(root, 'snap');
    const snapshot = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
    expect(snapshot.version).toBe(1);
    expect(snapshot.catalog.items[0][1].name).toBe('snap');
    expect(JSON.stringify(snapshot)).not.toContain('"iggy","password"');
    expect(snapshot.users.items[0][1].passwordHash).toMatch(/^\$argon2id\$/);
    await broker.close();
    broker = null;
    await writeFile(join(dir, 'metadata.json.tmp'), '{ half-written');
    broker = await open();
    expect(broker.getStreams(await login(broker, 'iggy', 'iggy')).map((s) => s.name)).toEqual(['snap']);
  });

  it('refuses to start on a corrupt metadata file', async () => {
    broker = await open();
    await broker.close();
    broker = null;
    await writeFile(join(dir, 'metadata.json'), '{ not json');
    await expect(open()).rejects.toThrow(/metadata file .* is not valid JSON/);
    await writeFile(join(dir, 'metadata.json'), '{}');
    await expect(open()).rejects.toThrow(/unknown layout/);
  });

  it('creates a missing data directory, parents included, before taking its lock', async () => {
    const nested = join(dir, 'not', 'yet', 'there');
    broker = await Broker.open({ dataDir: nested, retentionIntervalMs: 0, rootPassword: 'iggy' });
    const root = await login(broker, 'iggy', 'iggy');
    await broker.createStream(root, 'created');
    expect(JSON.parse(await readFile(join(nested, '.lock'), 'utf8')).pid).toBe(process.pid);
    await broker.close();
    broker = await Broker.open({ dataDir: nested, retentionIntervalMs: 0, rootPassword: 'iggy' });
    expect(broker.getStreams(await login(broker, 'iggy', 'iggy')).map((s) => s.name)).toEqual(['created']);
  });

  it('fails with DataDirCreateError when the data directory cannot be created', async () => {
    await writeFile(join(dir, 'a-file'), 'in the way');
    const error = await Broker.open({ dataDir: join(dir, 'a-file', 'data') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirCreateError);
    expect((error as Error).message).toContain(join(dir, 'a-file', 'data'));
  });

  it('needs a data directory unless persistent is false', async () => {
    await expect(Broker.open({})).rejects.toThrow(/dataDir is required/);
  });
});
