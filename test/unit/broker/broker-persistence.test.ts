import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
  UserStatus,
} from '../../../lib/broker/types.js';
import { batch, login, payloads, tempDir, pollBytes, sendLanded } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

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
    await root.createStream({ name: 'gone' });
    await root.createStream({ name: 'orders' });
    await root.deleteStream({ streamId: 'gone' });
    await root.createTopic({
      streamId: 'orders',
      name: 'created',
      partitionsCount: 2,
      compressionAlgorithm: 2,
      messageExpiry: 86_400_000_000n,
      maxTopicSize: U64_MAX,
      replicationFactor: 1,
    });
    await root.createConsumerGroup({ streamId: 'orders', topicId: 'created', name: 'billing' });
    await root.joinConsumerGroup({ streamId: 'orders', topicId: 'created', groupId: 'billing' });
    const p1 = { kind: PartitioningKind.PartitionId, partitionId: 1 } as const;
    await root.sendMessages({
      streamId: 'orders',
      topicId: 'created',
      partitioning: p1,
      messages: new MessageRun(batch(['one', 'two', 'three']), 3),
    });
    const consumer = { kind: ConsumerKind.Consumer, id: 'reader' } as const;
    await root.storeOffset({ streamId: 1, topicId: 0, consumer, partitionId: 1, offset: 1n });
    const group = { kind: ConsumerKind.ConsumerGroup, id: 'billing' } as const;
    await root.storeOffset({
      streamId: 1,
      topicId: 0,
      consumer: group,
      partitionId: 1,
      offset: 0n,
    });
    await root.createUser({ status: UserStatus.Active, username: 'alice', password: 'alice-pw' });
    const { token } = await root.createAccessToken({ name: 'deploy', expiry: 0n });
    const topicBefore = await root.getTopic({ streamId: 'orders', topicId: 'created' });
    await broker.close();

    broker = await open();
    root = await login(broker, 'iggy', 'iggy');
    expect((await root.getStreams()).map((s) => [s.id, s.name])).toEqual([[1, 'orders']]);
    expect(await root.getTopic({ streamId: 'orders', topicId: 'created' })).toEqual(topicBefore);
    expect(await root.getConsumerGroup({ streamId: 1, topicId: 0, groupId: 'billing' })).toMatchObject({
      id: 0,
      membersCount: 0,
      members: [],
    });
    expect((await root.getOffset({ streamId: 1, topicId: 0, consumer, partitionId: 1 }))?.storedOffset).toBe(
      1n,
    );
    expect(
      (await root.getOffset({ streamId: 1, topicId: 0, consumer: group, partitionId: 1 }))?.storedOffset,
    ).toBe(0n);
    const polled = await pollBytes(root, {
      streamId: 'orders',
      topicId: 'created',
      consumer,
      partitionId: 1,
      strategy: { kind: PollingKind.Next, value: 0n },
      count: 10,
      autoCommit: false,
    });
    expect(payloads(polled.messages)).toEqual(['three']);
    expect((await root.getUser({ userId: 'alice' }))?.id).toBe(1);
    await login(broker, 'alice', 'alice-pw');
    const c = broker.connect(Transport.Tcp, '1.2.3.4:5');
    expect(await c.loginWithToken(token)).toEqual({ userId: 0 });
    // ids keep being assigned as before the restart: the freed stream id 0 is reused
    expect((await root.createStream({ name: 'next' })).id).toBe(0);
    // offsets continue
    expect(
      (
        await sendLanded(root, {
          streamId: 'orders',
          topicId: 'created',
          partitioning: p1,
          messages: new MessageRun(batch(['four']), 1),
        })
      ).firstOffset,
    ).toBe(3n);
  });

  it('brings a stored offset past the last message down to it at start, so new messages are not skipped', async () => {
    broker = await open();
    let root = await login(broker, 'iggy', 'iggy');
    await root.createStream({ name: 's' });
    await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
    const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
    await root.sendMessages({
      streamId: 's',
      topicId: 't',
      partitioning: p0,
      messages: new MessageRun(batch(['a', 'b', 'c']), 3),
    });
    const consumer = { kind: ConsumerKind.Consumer, id: 1 } as const;
    const at = { streamId: 's', topicId: 't', consumer, partitionId: 0 };
    await root.storeOffset({ ...at, offset: 2n });
    await broker.close();
    // As after a machine crash that lost the log's tail (messages 1 and 2) but not the stored offset.
    const log = (await readdir(dir, { recursive: true })).find((name) => name.endsWith('.log'));
    const logPath = join(dir, log!);
    await truncate(logPath, (await stat(logPath)).size / 3);

    broker = await open();
    root = await login(broker, 'iggy', 'iggy');
    expect((await root.getOffset(at))?.storedOffset).toBe(0n);
    await root.sendMessages({
      streamId: 's',
      topicId: 't',
      partitioning: p0,
      messages: new MessageRun(batch(['d']), 1),
    });
    const polled = await pollBytes(root, {
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
    await root.createStream({ name: 'snap' });
    const snapshot = JSON.parse(await readFile(join(dir, 'metadata.json'), 'utf8'));
    expect(snapshot.version).toBe(1);
    expect(snapshot.catalog.items[0][1].name).toBe('snap');
    expect(JSON.stringify(snapshot)).not.toContain('"iggy","password"');
    expect(snapshot.users.items[0][1].passwordHash).toMatch(/^\$argon2id\$/);
    await broker.close();
    broker = null;
    await writeFile(join(dir, 'metadata.json.tmp'), '{ half-written');
    broker = await open();
    expect((await (await login(broker, 'iggy', 'iggy')).getStreams()).map((s) => s.name)).toEqual(['snap']);
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
    await root.createStream({ name: 'created' });
    expect(JSON.parse(await readFile(join(nested, '.lock'), 'utf8')).pid).toBe(process.pid);
    await broker.close();
    broker = await Broker.open({ dataDir: nested, retentionIntervalMs: 0, rootPassword: 'iggy' });
    expect((await (await login(broker, 'iggy', 'iggy')).getStreams()).map((s) => s.name)).toEqual([
      'created',
    ]);
  });

  it('fails with DataDirCreateError when the data directory cannot be created', async () => {
    await writeFile(join(dir, 'a-file'), 'in the way');
    const error = await Broker.open({ dataDir: join(dir, 'a-file', 'data') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataDirCreateError);
    expect((error as Error).message).toContain(join(dir, 'a-file', 'data'));
  });

  // An immutable directory (chattr +i, root on ext4) refuses chmod even to root: the data dir's
  // permissions cannot be fixed. Where chattr cannot be used, this one case is skipped.
  (immutableDirs() ? it : it.skip)(
    'fails with DataDirCreateError naming the data directory when its mode cannot be made private',
    async () => {
      const data = join(dir, 'shared');
      await mkdir(data, { mode: 0o755 });
      await chmod(data, 0o755);
      execFileSync('chattr', ['+i', data]);
      try {
        const error = await Broker.open({ dataDir: data }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(DataDirCreateError);
        expect((error as Error).message).toMatch(
          new RegExp(`^data directory ${data} cannot be made private to its owner .*: EPERM`),
        );
      } finally {
        execFileSync('chattr', ['-i', data]);
      }
    },
  );

  it('needs a data directory unless persistent is false', async () => {
    await expect(Broker.open({})).rejects.toThrow(/dataDir is required/);
  });
});

/** Whether this machine can make a directory immutable (chattr +i: root, a filesystem that has it). */
function immutableDirs(): boolean {
  const probe = mkdtempSync(join(tmpdir(), 'iggy-chattr-'));
  try {
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
