import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import { rootPermissions } from '../../../lib/protocol/commands/users/permissions.layout.js';
import {
  ConsumerKind,
  PartitioningKind,
  PollingKind,
  type Permissions,
  type StreamPermissions,
  UserStatus,
} from '../../../lib/broker/types.js';
import { batch, expectCode, login, tempDir, pollBytes } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

const ROOT = { rootUsername: 'iggy', rootPassword: 'iggy' } as const;
const P0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;

function noRights(): Permissions {
  const p = rootPermissions();
  for (const key of Object.keys(p.global) as (keyof Permissions['global'])[]) p.global[key] = false;
  return p;
}

function streamRights(rights: Partial<StreamPermissions> = {}): StreamPermissions {
  return {
    manageStream: false,
    readStream: false,
    manageTopics: false,
    readTopics: false,
    pollMessages: false,
    sendMessages: false,
    topics: new Map(),
    ...rights,
  };
}

const poll = (streamId: string, topicId: string) => ({
  streamId,
  topicId,
  consumer: { kind: ConsumerKind.Consumer, id: 1 },
  partitionId: 0,
  strategy: { kind: PollingKind.First, value: 0n },
  count: 1,
  autoCommit: false,
});

/**
 * Stream and topic ids are reused, so rights granted on a deleted stream or topic must go with it: left
 * in a user's permissions they would grant the same rights on the next stream or topic with that id.
 */
describe('Broker: permissions of deleted streams and topics', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let broker: Broker;

  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    broker = await Broker.open({ dataDir: dir, retentionIntervalMs: 0, ...ROOT });
  });
  afterEach(async () => {
    await broker.close();
    await cleanup();
  });

  it('a deleted stream takes its entries along, also after a restart: its id reused gives nothing', async () => {
    let root = await login(broker, 'iggy', 'iggy');
    const a = await root.createStream({ name: 'A' });
    await root.createTopic({ streamId: 'A', name: 't', partitionsCount: 1 });
    const perms = noRights();
    perms.streams.set(a.id, streamRights({ manageStream: true, sendMessages: true, pollMessages: true }));
    await root.createUser({
      status: UserStatus.Active,
      username: 'tenant',
      password: 'tenant-pw',
      permissions: perms,
    });
    const tenant = await login(broker, 'tenant', 'tenant-pw');
    await tenant.sendMessages({
      streamId: 'A',
      topicId: 't',
      partitioning: P0,
      messages: new MessageRun(batch(['mine']), 1),
    });

    await root.deleteStream({ streamId: 'A' });
    const c = await root.createStream({ name: 'C_private' });
    expect(c.id).toBe(a.id);
    await root.createTopic({ streamId: 'C_private', name: 't', partitionsCount: 1 });
    expect((await root.getUser({ userId: 'tenant' }))?.permissions?.streams.size).toBe(0);

    const refused = async (client: BrokerSession): Promise<void> => {
      await expectCode(
        client.sendMessages({
          streamId: 'C_private',
          topicId: 't',
          partitioning: P0,
          messages: new MessageRun(batch(['x']), 1),
        }),
        'Unauthorized',
      );
      await expectCode(pollBytes(client, poll('C_private', 't')), 'Unauthorized');
      await expectCode(() => client.getStream({ streamId: 'C_private' }), 'Unauthorized');
      await expectCode(client.purgeStream({ streamId: 'C_private' }), 'Unauthorized');
      await expectCode(client.deleteStream({ streamId: 'C_private' }), 'Unauthorized');
    };
    await refused(tenant);

    await broker.close();
    broker = await Broker.open({ dataDir: dir, retentionIntervalMs: 0, ...ROOT });
    root = await login(broker, 'iggy', 'iggy');
    expect((await root.getUser({ userId: 'tenant' }))?.permissions?.streams.size).toBe(0);
    await refused(await login(broker, 'tenant', 'tenant-pw'));
  });

  it('a deleted topic takes its entries along, also after a restart', async () => {
    let root = await login(broker, 'iggy', 'iggy');
    const s = await root.createStream({ name: 's' });
    const t = await root.createTopic({ streamId: 's', name: 'open', partitionsCount: 1 });
    const perms = noRights();
    perms.streams.set(
      s.id,
      streamRights({
        topics: new Map([
          [t.id, { manageTopic: true, readTopic: true, pollMessages: true, sendMessages: true }],
        ]),
      }),
    );
    await root.createUser({
      status: UserStatus.Active,
      username: 'tenant',
      password: 'tenant-pw',
      permissions: perms,
    });
    await root.deleteTopic({ streamId: 's', topicId: 'open' });
    const secret = await root.createTopic({ streamId: 's', name: 'secret', partitionsCount: 1 });
    expect(secret.id).toBe(t.id);

    const refused = async (client: BrokerSession): Promise<void> => {
      await expectCode(
        client.sendMessages({
          streamId: 's',
          topicId: 'secret',
          partitioning: P0,
          messages: new MessageRun(batch(['x']), 1),
        }),
        'Unauthorized',
      );
      await expectCode(pollBytes(client, poll('s', 'secret')), 'Unauthorized');
      await expectCode(() => client.getTopic({ streamId: 's', topicId: 'secret' }), 'Unauthorized');
      await expectCode(client.deleteTopic({ streamId: 's', topicId: 'secret' }), 'Unauthorized');
    };
    await refused(await login(broker, 'tenant', 'tenant-pw'));
    expect((await root.getUser({ userId: 'tenant' }))?.permissions?.streams.get(s.id)?.topics.size).toBe(0);

    await broker.close();
    broker = await Broker.open({ dataDir: dir, retentionIntervalMs: 0, ...ROOT });
    root = await login(broker, 'iggy', 'iggy');
    expect((await root.getUser({ userId: 'tenant' }))?.permissions?.streams.get(s.id)?.topics.size).toBe(0);
    await refused(await login(broker, 'tenant', 'tenant-pw'));
  });

  it('entries left on missing streams or topics by an older data directory are dropped at start', async () => {
    const root = await login(broker, 'iggy', 'iggy');
    await root.createStream({ name: 's' });
    await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
    const perms = noRights();
    const topicRights = { manageTopic: true, readTopic: true, pollMessages: true, sendMessages: true };
    perms.streams.set(
      0,
      streamRights({
        topics: new Map([
          [0, topicRights],
          [5, topicRights],
        ]),
      }),
    );
    perms.streams.set(7, streamRights({ manageStream: true }));
    await root.createUser({
      status: UserStatus.Active,
      username: 'stale',
      password: 'stale-pw',
      permissions: perms,
    });

    await broker.close();
    broker = await Broker.open({ dataDir: dir, retentionIntervalMs: 0, ...ROOT });
    const kept = (await (await login(broker, 'iggy', 'iggy')).getUser({ userId: 'stale' }))?.permissions;
    expect([...kept!.streams.keys()]).toEqual([0]);
    expect([...kept!.streams.get(0)!.topics.keys()]).toEqual([0]);
  });
});
