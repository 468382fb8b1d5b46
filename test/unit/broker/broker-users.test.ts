import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
import type { BrokerSession } from '../../../lib/broker/broker-session.js';
import { rootPermissions } from '../../../lib/protocol/commands/users/permissions.layout.js';
import {
  ConsumerKind,
  PartitioningKind,
  PollingKind,
  Transport,
  U64_MAX,
  UserStatus,
  type Permissions,
} from '../../../lib/broker/types.js';
import { batch, expectCode, login, memoryBroker, pollBytes } from './broker-kit.js';
import { MessageRun } from '../../../lib/protocol/messages/message-run.js';

const noRights = (): Permissions => {
  const p = rootPermissions();
  for (const key of Object.keys(p.global) as (keyof Permissions['global'])[]) p.global[key] = false;
  return p;
};

describe('Broker: sessions, users, permissions, access tokens', () => {
  let broker: Broker;
  let root: BrokerSession;

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker());
  });
  afterEach(() => broker.close());

  describe('login', () => {
    it('the root user comes from config (iggy/iggy by default) with id 0', async () => {
      expect(await root.getMe()).toMatchObject({
        userId: 0,
        transport: Transport.Tcp,
        consumerGroupsCount: 0,
      });
      expect(await root.getUser({ userId: 0 })).toMatchObject({
        id: 0,
        username: 'iggy',
        status: UserStatus.Active,
      });
      expect((await root.getUser({ userId: 0 }))?.permissions).toEqual(rootPermissions());
    });

    it('uses the configured root credentials', async () => {
      const custom = await Broker.open({ persistent: false, rootUsername: 'admin', rootPassword: 's3cret!' });
      try {
        const c = await login(custom, 'admin', 's3cret!');
        expect((await c.getMe()).userId).toBe(0);
        await expectCode(login(custom, 'iggy', 'iggy'), 'InvalidCredentials');
      } finally {
        await custom.close();
      }
    });

    it('fails with InvalidCredentials for a wrong password or an unknown user', async () => {
      const c = broker.connect(Transport.Tcp, '10.0.0.1:1234');
      await expectCode(c.login('iggy', 'wrong'), 'InvalidCredentials');
      await expectCode(c.login('nobody', 'iggy'), 'InvalidCredentials');
    });

    it('requires a login for every command; logout ends it', async () => {
      const c = broker.connect(Transport.Tcp, '10.0.0.1:1234');
      await expectCode(() => c.getStreams(), 'Unauthenticated');
      await expectCode(c.createStream({ name: 's' }), 'Unauthenticated');
      await c.login('iggy', 'iggy');
      expect(await c.getStreams()).toEqual([]);
      await c.logout();
      await expectCode(() => c.getMe(), 'Unauthenticated');
      await c.close();
      await expectCode(() => c.getMe(), 'StaleClient');
    });

    it('an inactive user cannot log in', async () => {
      await root.createUser({ username: 'sleepy', password: 'pass123', status: UserStatus.Inactive });
      const c = broker.connect(Transport.Tcp, '10.0.0.1:1');
      await expectCode(c.login('sleepy', 'pass123'), 'UserInactive');
    });
  });

  describe('in-process sessions (openSession)', () => {
    it('is logged in as the root user by default, without a password, and listed like any client', async () => {
      const c = broker.openSession();
      expect(await c.getMe()).toMatchObject({ userId: 0, transport: Transport.Tcp, address: 'in-process' });
      expect(await c.getStreams()).toEqual([]);
      expect((await root.getClients()).map((x) => x.clientId)).toContain(c.clientId);
      await c.close();
      await expect(c.getMe()).rejects.toThrow();
    });

    it("takes a user by id or name, with that user's rights only", async () => {
      const alice = await root.createUser({
        status: UserStatus.Active,
        username: 'alice',
        password: 'alice-pw',
        permissions: noRights(),
      });
      const byName = broker.openSession('alice', 'tool');
      const byId = broker.openSession(alice.id);
      expect(await byName.getMe()).toMatchObject({ userId: alice.id, address: 'tool' });
      expect((await byId.getMe()).userId).toBe(alice.id);
      await expectCode(byName.createStream({ name: 'nope' }), 'Unauthorized');
    });

    it('refuses an unknown or inactive user and leaves no client behind', async () => {
      await root.createUser({ username: 'sleepy', password: 'pass123', status: UserStatus.Inactive });
      const before = (await root.getClients()).length;
      await expectCode(() => broker.openSession('nobody'), 'ResourceNotFound');
      await expectCode(() => broker.openSession('sleepy'), 'UserInactive');
      expect(await root.getClients()).toHaveLength(before);
    });

    it('costs no password verification: much faster than a login', async () => {
      const started = performance.now();
      for (let i = 0; i < 20; i++) broker.openSession();
      const internalMs = performance.now() - started;
      const loginStarted = performance.now();
      await login(broker, 'iggy', 'iggy');
      expect(internalMs).toBeLessThan(performance.now() - loginStarted);
    });
  });

  describe('users', () => {
    it('creates (ids from 1), gets by id or name, lists, updates, changes password, deletes', async () => {
      const u = await root.createUser({
        status: UserStatus.Active,
        username: 'alice',
        password: 'alice-pw',
      });
      expect(u).toMatchObject({ id: 1, username: 'alice', status: UserStatus.Active, permissions: null });
      expect((await root.getUser({ userId: 'alice' }))?.id).toBe(1);
      expect(await root.getUser({ userId: 99 })).toBeNull();
      expect((await root.getUsers()).map((x) => x.username)).toEqual(['iggy', 'alice']);
      await root.updateUser({ userId: 'alice', username: 'alicia' });
      expect((await root.getUser({ userId: 1 }))?.username).toBe('alicia');
      await root.changePassword({ userId: 1, currentPassword: 'alice-pw', newPassword: 'new-pw' });
      await expectCode(
        root.changePassword({ userId: 1, currentPassword: 'alice-pw', newPassword: 'x-pw' }),
        'InvalidCredentials',
      );
      const c = await login(broker, 'alicia', 'new-pw');
      expect((await c.getUser({ userId: 'alicia' }))?.id).toBe(1); // a user may read itself
      await root.deleteUser({ userId: 1 });
      await expectCode(() => c.getMe(), 'Unauthenticated');
      expect(
        (await root.createUser({ status: UserStatus.Active, username: 'bob', password: 'bob-pw' })).id,
      ).toBe(1);
    });

    it('answers the real server error codes', async () => {
      await root.createUser({ status: UserStatus.Active, username: 'alice', password: 'alice-pw' });
      await expectCode(
        root.createUser({ status: UserStatus.Active, username: 'alice', password: 'other' }),
        'UserAlreadyExists',
      );
      await expectCode(
        root.createUser({ status: UserStatus.Active, username: 'al', password: 'other' }),
        'InvalidUsername',
      );
      await expectCode(
        root.createUser({ status: UserStatus.Active, username: 'carol', password: 'pw' }),
        'InvalidPassword',
      );
      await expectCode(root.updateUser({ userId: 'alice', username: 'iggy' }), 'UserAlreadyExists');
      await expectCode(root.updateUser({ userId: 'nobody', status: 2 }), 'ResourceNotFound');
      await expectCode(root.deleteUser({ userId: 0 }), 'CannotDeleteUser');
      await expectCode(root.updatePermissions({ userId: 0 }), 'CannotChangePermissions');
      await expectCode(root.deleteUser({ userId: 42 }), 'ResourceNotFound');
    });
  });

  describe('permissions', () => {
    it('an ordinary user without rights is refused stream, topic and user management', async () => {
      await root.createStream({ name: 's' });
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
      await root.createUser({
        status: UserStatus.Active,
        username: 'plain',
        password: 'plain-pw',
        permissions: noRights(),
      });
      const c = await login(broker, 'plain', 'plain-pw');
      await expectCode(c.createStream({ name: 'x' }), 'Unauthorized');
      await expectCode(c.deleteStream({ streamId: 's' }), 'Unauthorized');
      await expectCode(() => c.getStreams(), 'Unauthorized');
      await expectCode(() => c.getStream({ streamId: 's' }), 'Unauthorized');
      await expectCode(c.createTopic({ streamId: 's', name: 'u', partitionsCount: 1 }), 'Unauthorized');
      await expectCode(c.deleteTopic({ streamId: 's', topicId: 't' }), 'Unauthorized');
      await expectCode(
        c.createUser({ status: UserStatus.Active, username: 'other', password: 'other' }),
        'Unauthorized',
      );
      await expectCode(() => c.getUsers(), 'Unauthorized');
      await expectCode(() => c.getStats(), 'Unauthorized');
      await expectCode(() => c.getClients(), 'Unauthorized');
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      await expectCode(
        c.sendMessages({
          streamId: 's',
          topicId: 't',
          partitioning: p0,
          messages: new MessageRun(batch(['a']), 1),
        }),
        'Unauthorized',
      );
      const poll = {
        streamId: 's',
        topicId: 't',
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: { kind: PollingKind.First, value: 0n },
        count: 1,
        autoCommit: false,
      };
      await expectCode(pollBytes(c, poll), 'Unauthorized');
      // a missing stream is still "not found" for the get-one queries (checked before permissions)
      expect(await c.getStream({ streamId: 'missing' })).toBeNull();
    });

    it('per-stream and per-topic rights grant exactly what they say', async () => {
      await root.createStream({ name: 's' });
      await root.createStream({ name: 'other' });
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
      const perms = noRights();
      perms.streams.set(0, {
        manageStream: false,
        readStream: false,
        manageTopics: false,
        readTopics: false,
        pollMessages: false,
        sendMessages: false,
        topics: new Map([
          [0, { manageTopic: false, readTopic: true, pollMessages: false, sendMessages: true }],
        ]),
      });
      await root.createUser({
        status: UserStatus.Active,
        username: 'scoped',
        password: 'scoped-pw',
        permissions: perms,
      });
      const c = await login(broker, 'scoped', 'scoped-pw');
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      await c.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: p0,
        messages: new MessageRun(batch(['a']), 1),
      });
      expect((await c.getTopic({ streamId: 's', topicId: 't' }))?.messagesCount).toBe(1n);
      await expectCode(() => c.getTopics({ streamId: 's' }), 'Unauthorized');
      await expectCode(c.purgeTopic({ streamId: 's', topicId: 't' }), 'Unauthorized');
      await root.createTopic({ streamId: 'other', name: 't', partitionsCount: 1 });
      await expectCode(
        c.sendMessages({
          streamId: 'other',
          topicId: 't',
          partitioning: p0,
          messages: new MessageRun(batch(['a']), 1),
        }),
        'Unauthorized',
      );
      // global manage streams, granted later
      const manage = noRights();
      manage.global.manageStreams = true;
      await root.updatePermissions({ userId: 'scoped', permissions: manage });
      await c.createStream({ name: 'mine' });
    });
  });

  describe('personal access tokens', () => {
    it('creates (raw token shown once), lists, logs in with it, deletes', async () => {
      const { token } = await root.createAccessToken({ name: 'ci-token', expiry: U64_MAX });
      expect(Buffer.from(token, 'base64')).toHaveLength(50);
      await root.createAccessToken({ name: 'short', expiry: 3_600_000_000n });
      const listed = await root.getAccessTokens();
      expect(listed.map((t) => t.name)).toEqual(['ci-token', 'short']);
      expect(listed[0].expiryAt).toBeNull();
      expect(listed[1].expiryAt).toBeGreaterThan(BigInt(Date.now()) * 1000n);
      const c = broker.connect(Transport.Tcp, '10.0.0.2:1');
      expect(await c.loginWithToken(token)).toEqual({ userId: 0 });
      expect((await c.getMe()).userId).toBe(0);
      await root.deleteAccessToken({ name: 'ci-token' });
      const d = broker.connect(Transport.Tcp, '10.0.0.3:1');
      await expectCode(d.loginWithToken(token), 'ResourceNotFound');
      await expectCode(d.loginWithToken('not-a-token'), 'ResourceNotFound');
      await expectCode(root.deleteAccessToken({ name: 'ci-token' }), 'ResourceNotFound');
    });

    it('an expired token fails with PersonalAccessTokenExpired and is dropped by the cleaner', async () => {
      const { token } = await root.createAccessToken({ name: 'brief', expiry: 1n });
      await new Promise((resolve) => setTimeout(resolve, 5));
      const c = broker.connect(Transport.Tcp, '10.0.0.2:1');
      await expectCode(c.loginWithToken(token), 'PersonalAccessTokenExpired');
      await broker.runRetention();
      expect(await root.getAccessTokens()).toEqual([]);
    });

    it('answers the real server error codes', async () => {
      await root.createAccessToken({ name: 'dup', expiry: 0n });
      await expectCode(
        root.createAccessToken({ name: 'dup', expiry: 0n }),
        'PersonalAccessTokenAlreadyExists',
      );
      await expectCode(root.createAccessToken({ name: 'ab', expiry: 0n }), 'InvalidPersonalAccessTokenName');
      await broker.close();
      ({ broker, root } = await memoryBroker({ maxTokensPerUser: 1 }));
      await root.createAccessToken({ name: 'one', expiry: 0n });
      await expectCode(
        root.createAccessToken({ name: 'two', expiry: 0n }),
        'PersonalAccessTokensLimitReached',
      );
    });

    it('deleting a user deletes its tokens', async () => {
      await root.createUser({
        status: UserStatus.Active,
        username: 'tokened',
        password: 'tokened',
        permissions: noRights(),
      });
      const c = await login(broker, 'tokened', 'tokened');
      const { token } = await c.createAccessToken({ name: 'mine', expiry: 0n });
      await root.deleteUser({ userId: 'tokened' });
      await expectCode(broker.connect(Transport.Tcp, 'x').loginWithToken(token), 'ResourceNotFound');
    });
  });

  it('refuses every command once closed', async () => {
    const closing = await memoryBroker();
    await closing.broker.close();
    await closing.broker.close();
    await expectCode(() => closing.root.getStreams(), 'Disconnected');
    await expectCode(() => closing.broker.connect(Transport.Tcp, 'x'), 'Disconnected');
    await expectCode(closing.root.login('iggy', 'iggy'), 'Disconnected');
  });

  describe('clients and stats', () => {
    it('lists clients and their groups', async () => {
      await root.createStream({ name: 's' });
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 1 });
      await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'g' });
      const c = broker.connect(Transport.Quic, '10.1.1.1:99');
      expect(await root.getClient({ clientId: c.clientId })).toEqual({
        clientId: c.clientId,
        userId: null,
        transport: Transport.Quic,
        address: '10.1.1.1:99',
        consumerGroupsCount: 0,
        consumerGroups: [],
      });
      await root.joinConsumerGroup({ streamId: 's', topicId: 't', groupId: 'g' });
      expect((await root.getClients()).map((x) => x.clientId)).toEqual([root.clientId, c.clientId]);
      expect((await root.getClient({ clientId: root.clientId }))?.consumerGroups).toEqual([
        { streamId: 0, topicId: 0, groupId: 0 },
      ]);
      expect(await root.getClient({ clientId: 12345 })).toBeNull();
      expect(root.clientId).toBeLessThan(c.clientId);
    });

    it('reports counts, process and host figures', async () => {
      await root.createStream({ name: 's' });
      await root.createTopic({ streamId: 's', name: 't', partitionsCount: 2 });
      await root.createConsumerGroup({ streamId: 's', topicId: 't', name: 'g' });
      await root.sendMessages({
        streamId: 's',
        topicId: 't',
        partitioning: { kind: PartitioningKind.Balanced },
        messages: new MessageRun(batch(['abc', 'def']), 2),
      });
      const stats = await root.getStats();
      expect(stats).toMatchObject({
        processId: process.pid,
        streamsCount: 1,
        topicsCount: 1,
        partitionsCount: 2,
        segmentsCount: 2,
        messagesCount: 2n,
        clientsCount: 1,
        consumerGroupsCount: 1,
        iggyServerVersion: '0.8.0-embedded',
        iggyServerSemver: 8000,
      });
      expect(stats.threadsCount).toBeGreaterThan(0); // Linux: /proc/self/task
      expect(stats.freeDiskSpace).toBe(0n); // in memory: no data directory to measure

      expect(stats.messagesSizeBytes).toBe(134n);
      expect(stats.writtenBytes).toBe(134n);
      expect(stats.memoryUsage).toBeGreaterThan(0n);
      expect(stats.totalMemory).toBeGreaterThan(0n);
      expect(stats.hostname.length).toBeGreaterThan(0);
      expect(stats.kernelVersion.length).toBeGreaterThan(0);
    });
  });
});
