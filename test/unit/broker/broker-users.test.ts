import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Broker } from '../../../lib/broker/broker.js';
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
import { batch, expectCode, login, memoryBroker } from './broker-kit.js';

const noRights = (): Permissions => {
  const p = rootPermissions();
  for (const key of Object.keys(p.global) as (keyof Permissions['global'])[]) p.global[key] = false;
  return p;
};

describe('Broker: sessions, users, permissions, access tokens', () => {
  let broker: Broker;
  let root: number;

  beforeEach(async () => {
    ({ broker, root } = await memoryBroker());
  });
  afterEach(() => broker.close());

  describe('login', () => {
    it('the root user comes from config (iggy/iggy by default) with id 0', async () => {
      expect(broker.getMe(root)).toMatchObject({
        userId: 0,
        transport: Transport.Tcp,
        consumerGroupsCount: 0,
      });
      expect(broker.getUser(root, 0)).toMatchObject({ id: 0, username: 'iggy', status: UserStatus.Active });
      expect(broker.getUser(root, 0)?.permissions).toEqual(rootPermissions());
    });

    it('uses the configured root credentials', async () => {
      const custom = await Broker.open({ persistent: false, rootUsername: 'admin', rootPassword: 's3cret!' });
      try {
        const c = await login(custom, 'admin', 's3cret!');
        expect(custom.getMe(c).userId).toBe(0);
        await expectCode(login(custom, 'iggy', 'iggy'), 'InvalidCredentials');
      } finally {
        await custom.close();
      }
    });

    it('fails with InvalidCredentials for a wrong password or an unknown user', async () => {
      const c = broker.connectClient(Transport.Tcp, '10.0.0.1:1234');
      await expectCode(broker.loginUser(c, 'iggy', 'wrong'), 'InvalidCredentials');
      await expectCode(broker.loginUser(c, 'nobody', 'iggy'), 'InvalidCredentials');
    });

    it('requires a login for every command; logout ends it', async () => {
      const c = broker.connectClient(Transport.Tcp, '10.0.0.1:1234');
      await expectCode(() => broker.getStreams(c), 'Unauthenticated');
      await expectCode(broker.createStream(c, 's'), 'Unauthenticated');
      await broker.loginUser(c, 'iggy', 'iggy');
      expect(broker.getStreams(c)).toEqual([]);
      broker.logoutUser(c);
      await expectCode(() => broker.getMe(c), 'Unauthenticated');
      broker.disconnectClient(c);
      await expectCode(() => broker.getMe(c), 'StaleClient');
    });

    it('an inactive user cannot log in', async () => {
      await broker.createUser(root, { username: 'sleepy', password: 'pass123', status: UserStatus.Inactive });
      const c = broker.connectClient(Transport.Tcp, '10.0.0.1:1');
      await expectCode(broker.loginUser(c, 'sleepy', 'pass123'), 'UserInactive');
    });
  });

  describe('in-process sessions (connectInternalClient)', () => {
    it('is logged in as the root user by default, without a password, and listed like any client', () => {
      const c = broker.connectInternalClient();
      expect(broker.getMe(c)).toMatchObject({ userId: 0, transport: Transport.Tcp, address: 'in-process' });
      expect(broker.getStreams(c)).toEqual([]);
      expect(broker.getClients(root).map((x) => x.clientId)).toContain(c);
      broker.disconnectClient(c);
      expect(() => broker.getMe(c)).toThrow();
    });

    it("takes a user by id or name, with that user's rights only", async () => {
      const alice = await broker.createUser(root, {
        username: 'alice',
        password: 'alice-pw',
        permissions: noRights(),
      });
      const byName = broker.connectInternalClient('alice', 'tool');
      const byId = broker.connectInternalClient(alice.id);
      expect(broker.getMe(byName)).toMatchObject({ userId: alice.id, address: 'tool' });
      expect(broker.getMe(byId).userId).toBe(alice.id);
      await expectCode(broker.createStream(byName, 'nope'), 'Unauthorized');
    });

    it('refuses an unknown or inactive user and leaves no client behind', async () => {
      await broker.createUser(root, { username: 'sleepy', password: 'pass123', status: UserStatus.Inactive });
      const before = broker.getClients(root).length;
      await expectCode(() => broker.connectInternalClient('nobody'), 'ResourceNotFound');
      await expectCode(() => broker.connectInternalClient('sleepy'), 'UserInactive');
      expect(broker.getClients(root)).toHaveLength(before);
    });

    it('costs no password verification: much faster than a login', async () => {
      const started = performance.now();
      for (let i = 0; i < 20; i++) broker.connectInternalClient();
      const internalMs = performance.now() - started;
      const loginStarted = performance.now();
      await login(broker, 'iggy', 'iggy');
      expect(internalMs).toBeLessThan(performance.now() - loginStarted);
    });
  });

  describe('users', () => {
    it('creates (ids from 1), gets by id or name, lists, updates, changes password, deletes', async () => {
      const u = await broker.createUser(root, { username: 'alice', password: 'alice-pw', permissions: null });
      expect(u).toMatchObject({ id: 1, username: 'alice', status: UserStatus.Active, permissions: null });
      expect(broker.getUser(root, 'alice')?.id).toBe(1);
      expect(broker.getUser(root, 99)).toBeNull();
      expect(broker.getUsers(root).map((x) => x.username)).toEqual(['iggy', 'alice']);
      await broker.updateUser(root, 'alice', { username: 'alicia' });
      expect(broker.getUser(root, 1)?.username).toBe('alicia');
      await broker.changePassword(root, 1, 'alice-pw', 'new-pw');
      await expectCode(broker.changePassword(root, 1, 'alice-pw', 'x-pw'), 'InvalidCredentials');
      const c = await login(broker, 'alicia', 'new-pw');
      expect(broker.getUser(c, 'alicia')?.id).toBe(1); // a user may read itself
      await broker.deleteUser(root, 1);
      await expectCode(() => broker.getMe(c), 'Unauthenticated');
      expect((await broker.createUser(root, { username: 'bob', password: 'bob-pw' })).id).toBe(1);
    });

    it('answers the real server error codes', async () => {
      await broker.createUser(root, { username: 'alice', password: 'alice-pw' });
      await expectCode(
        broker.createUser(root, { username: 'alice', password: 'other' }),
        'UserAlreadyExists',
      );
      await expectCode(broker.createUser(root, { username: 'al', password: 'other' }), 'InvalidUsername');
      await expectCode(broker.createUser(root, { username: 'carol', password: 'pw' }), 'InvalidPassword');
      await expectCode(broker.updateUser(root, 'alice', { username: 'iggy' }), 'UserAlreadyExists');
      await expectCode(broker.updateUser(root, 'nobody', { status: 2 }), 'ResourceNotFound');
      await expectCode(broker.deleteUser(root, 0), 'CannotDeleteUser');
      await expectCode(broker.updatePermissions(root, 0, null), 'CannotChangePermissions');
      await expectCode(broker.deleteUser(root, 42), 'ResourceNotFound');
    });
  });

  describe('permissions', () => {
    it('an ordinary user without rights is refused stream, topic and user management', async () => {
      await broker.createStream(root, 's');
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 1 });
      await broker.createUser(root, { username: 'plain', password: 'plain-pw', permissions: noRights() });
      const c = await login(broker, 'plain', 'plain-pw');
      await expectCode(broker.createStream(c, 'x'), 'Unauthorized');
      await expectCode(broker.deleteStream(c, 's'), 'Unauthorized');
      await expectCode(() => broker.getStreams(c), 'Unauthorized');
      await expectCode(() => broker.getStream(c, 's'), 'Unauthorized');
      await expectCode(broker.createTopic(c, 's', { name: 'u', partitionsCount: 1 }), 'Unauthorized');
      await expectCode(broker.deleteTopic(c, 's', 't'), 'Unauthorized');
      await expectCode(broker.createUser(c, { username: 'other', password: 'other' }), 'Unauthorized');
      await expectCode(() => broker.getUsers(c), 'Unauthorized');
      await expectCode(() => broker.getStats(c), 'Unauthorized');
      await expectCode(() => broker.getClients(c), 'Unauthorized');
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      await expectCode(broker.sendMessages(c, 's', 't', p0, batch(['a']), 1), 'Unauthorized');
      const poll = {
        streamId: 's',
        topicId: 't',
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: { kind: PollingKind.First, value: 0n },
        count: 1,
        autoCommit: false,
      };
      await expectCode(broker.pollMessages(c, poll), 'Unauthorized');
      // a missing stream is still "not found" for the get-one queries (checked before permissions)
      expect(broker.getStream(c, 'missing')).toBeNull();
    });

    it('per-stream and per-topic rights grant exactly what they say', async () => {
      await broker.createStream(root, 's');
      await broker.createStream(root, 'other');
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 1 });
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
      await broker.createUser(root, { username: 'scoped', password: 'scoped-pw', permissions: perms });
      const c = await login(broker, 'scoped', 'scoped-pw');
      const p0 = { kind: PartitioningKind.PartitionId, partitionId: 0 } as const;
      await broker.sendMessages(c, 's', 't', p0, batch(['a']), 1);
      expect(broker.getTopic(c, 's', 't')?.messagesCount).toBe(1n);
      await expectCode(() => broker.getTopics(c, 's'), 'Unauthorized');
      await expectCode(broker.purgeTopic(c, 's', 't'), 'Unauthorized');
      await broker.createTopic(root, 'other', { name: 't', partitionsCount: 1 });
      await expectCode(broker.sendMessages(c, 'other', 't', p0, batch(['a']), 1), 'Unauthorized');
      // global manage streams, granted later
      const manage = noRights();
      manage.global.manageStreams = true;
      await broker.updatePermissions(root, 'scoped', manage);
      await broker.createStream(c, 'mine');
    });
  });

  describe('personal access tokens', () => {
    it('creates (raw token shown once), lists, logs in with it, deletes', async () => {
      const { token } = await broker.createAccessToken(root, 'ci-token', U64_MAX);
      expect(Buffer.from(token, 'base64')).toHaveLength(50);
      await broker.createAccessToken(root, 'short', 3_600_000_000n);
      const listed = broker.getAccessTokens(root);
      expect(listed.map((t) => t.name)).toEqual(['ci-token', 'short']);
      expect(listed[0].expiryAt).toBeNull();
      expect(listed[1].expiryAt).toBeGreaterThan(BigInt(Date.now()) * 1000n);
      const c = broker.connectClient(Transport.Tcp, '10.0.0.2:1');
      expect(await broker.loginWithAccessToken(c, token)).toEqual({ userId: 0 });
      expect(broker.getMe(c).userId).toBe(0);
      await broker.deleteAccessToken(root, 'ci-token');
      const d = broker.connectClient(Transport.Tcp, '10.0.0.3:1');
      await expectCode(broker.loginWithAccessToken(d, token), 'ResourceNotFound');
      await expectCode(broker.loginWithAccessToken(d, 'not-a-token'), 'ResourceNotFound');
      await expectCode(broker.deleteAccessToken(root, 'ci-token'), 'ResourceNotFound');
    });

    it('an expired token fails with PersonalAccessTokenExpired and is dropped by the cleaner', async () => {
      const { token } = await broker.createAccessToken(root, 'brief', 1n);
      await new Promise((resolve) => setTimeout(resolve, 5));
      const c = broker.connectClient(Transport.Tcp, '10.0.0.2:1');
      await expectCode(broker.loginWithAccessToken(c, token), 'PersonalAccessTokenExpired');
      await broker.runRetention();
      expect(broker.getAccessTokens(root)).toEqual([]);
    });

    it('answers the real server error codes', async () => {
      await broker.createAccessToken(root, 'dup', 0n);
      await expectCode(broker.createAccessToken(root, 'dup', 0n), 'PersonalAccessTokenAlreadyExists');
      await expectCode(broker.createAccessToken(root, 'ab', 0n), 'InvalidPersonalAccessTokenName');
      await broker.close();
      ({ broker, root } = await memoryBroker({ maxTokensPerUser: 1 }));
      await broker.createAccessToken(root, 'one', 0n);
      await expectCode(broker.createAccessToken(root, 'two', 0n), 'PersonalAccessTokensLimitReached');
    });

    it('deleting a user deletes its tokens', async () => {
      await broker.createUser(root, { username: 'tokened', password: 'tokened', permissions: noRights() });
      const c = await login(broker, 'tokened', 'tokened');
      const { token } = await broker.createAccessToken(c, 'mine', 0n);
      await broker.deleteUser(root, 'tokened');
      await expectCode(
        broker.loginWithAccessToken(broker.connectClient(Transport.Tcp, 'x'), token),
        'ResourceNotFound',
      );
    });
  });

  it('refuses every command once closed', async () => {
    const closing = await memoryBroker();
    await closing.broker.close();
    await closing.broker.close();
    await expectCode(() => closing.broker.getStreams(closing.root), 'Disconnected');
    await expectCode(() => closing.broker.connectClient(Transport.Tcp, 'x'), 'Disconnected');
    await expectCode(closing.broker.loginUser(closing.root, 'iggy', 'iggy'), 'Disconnected');
  });

  describe('clients and stats', () => {
    it('lists clients and their groups', async () => {
      await broker.createStream(root, 's');
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 1 });
      await broker.createConsumerGroup(root, 's', 't', 'g');
      const c = broker.connectClient(Transport.Quic, '10.1.1.1:99');
      expect(broker.getClient(root, c)).toEqual({
        clientId: c,
        userId: null,
        transport: Transport.Quic,
        address: '10.1.1.1:99',
        consumerGroupsCount: 0,
        consumerGroups: [],
      });
      broker.joinConsumerGroup(root, 's', 't', 'g');
      expect(broker.getClients(root).map((x) => x.clientId)).toEqual([root, c]);
      expect(broker.getClient(root, root)?.consumerGroups).toEqual([{ streamId: 0, topicId: 0, groupId: 0 }]);
      expect(broker.getClient(root, 12345)).toBeNull();
      expect(root).toBeLessThan(c);
    });

    it('reports counts, process and host figures', async () => {
      await broker.createStream(root, 's');
      await broker.createTopic(root, 's', { name: 't', partitionsCount: 2 });
      await broker.createConsumerGroup(root, 's', 't', 'g');
      await broker.sendMessages(
        root,
        's',
        't',
        { kind: PartitioningKind.Balanced },
        batch(['abc', 'def']),
        2,
      );
      const stats = broker.getStats(root);
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
