import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import type { CommandCodec } from '../../../lib/protocol/command-codec.js';
import { systemCodecs } from '../../../lib/protocol/commands/system-codecs.js';
import { Transport, type ClientDetails } from '../../../lib/protocol/commands/clients/client.layout.js';
import {
  ClusterNodeRole,
  ClusterNodeStatus,
} from '../../../lib/protocol/commands/system/get-cluster-metadata.js';
import { SnapshotCompression, SnapshotType } from '../../../lib/protocol/commands/system/get-snapshot.js';
import type { Stats } from '../../../lib/protocol/commands/system/get-stats.js';
import {
  rootPermissions,
  type Permissions,
} from '../../../lib/protocol/commands/users/permissions.layout.js';
import { UserStatus, type UserDetails } from '../../../lib/protocol/commands/users/user.layout.js';
import { decodesOrRejects, fuzzRuns, mutated, randomBytes } from '../../support/fuzz.js';

const permissions: Permissions = {
  global: rootPermissions().global,
  streams: new Map([
    [
      1,
      {
        manageStream: true,
        readStream: true,
        manageTopics: false,
        readTopics: true,
        pollMessages: true,
        sendMessages: false,
        topics: new Map([
          [2, { manageTopic: true, readTopic: true, pollMessages: false, sendMessages: true }],
        ]),
      },
    ],
  ]),
};
const user: UserDetails = {
  id: 1,
  createdAt: 1n,
  status: UserStatus.Active,
  username: 'rustok',
  permissions,
};
const client: ClientDetails = {
  clientId: 7,
  userId: 1,
  transport: Transport.Tcp,
  address: '127.0.0.1:5000',
  consumerGroupsCount: 1,
  consumerGroups: [{ streamId: 1, topicId: 1, groupId: 1 }],
};
const stats: Stats = {
  processId: 1,
  cpuUsage: 1.5,
  totalCpuUsage: 2.5,
  memoryUsage: 1n,
  totalMemory: 2n,
  availableMemory: 3n,
  runTime: 4n,
  startTime: 5n,
  readBytes: 6n,
  writtenBytes: 7n,
  messagesSizeBytes: 8n,
  streamsCount: 1,
  topicsCount: 2,
  partitionsCount: 3,
  segmentsCount: 4,
  messagesCount: 9n,
  clientsCount: 1,
  consumerGroupsCount: 1,
  hostname: 'h',
  osName: 'Linux',
  osVersion: '6',
  kernelVersion: '6.1',
  iggyServerVersion: '0.7.0',
  iggyServerSemver: 7000,
  cacheMetrics: [{ streamId: 1, topicId: 1, partitionId: 0, hits: 1n, misses: 1n, hitRatio: 0.5 }],
  // The 0.8 layout: its truncations include the 0.7 one.
  threadsCount: 9,
  freeDiskSpace: 10n,
  totalDiskSpace: 11n,
};

/** A valid request and response per command, the seeds the mutations start from. */
const samples: Record<string, [unknown, unknown]> = {
  Ping: [undefined, undefined],
  GetStats: [undefined, stats],
  GetSnapshot: [
    { compression: SnapshotCompression.Zstd, types: [SnapshotType.ServerLogs, SnapshotType.ServerConfig] },
    Buffer.from('504b0304', 'hex'),
  ],
  GetClusterMetadata: [
    undefined,
    {
      name: 'c',
      nodes: [
        {
          name: 'n',
          ip: '127.0.0.1',
          endpoints: { tcp: 1, quic: 2, http: 3, websocket: 4 },
          role: ClusterNodeRole.Leader,
          status: ClusterNodeStatus.Healthy,
        },
      ],
    },
  ],
  GetMe: [undefined, client],
  GetClient: [{ clientId: 7 }, client],
  GetClients: [undefined, [client, { ...client, clientId: 8 }]],
  GetUser: [{ userId: 'rustok' }, user],
  GetUsers: [undefined, [user, { ...user, id: 2 }].map(({ permissions: _p, ...info }) => info)],
  CreateUser: [{ username: 'bob', password: 'secret', status: UserStatus.Active, permissions }, user],
  DeleteUser: [{ userId: 3 }, undefined],
  UpdateUser: [{ userId: 3, username: 'neo', status: UserStatus.Inactive }, undefined],
  UpdatePermissions: [{ userId: 3, permissions }, undefined],
  ChangePassword: [{ userId: 'rustok', currentPassword: 'old', newPassword: 'new' }, undefined],
  LoginUser: [{ username: 'iggy', password: 'iggy', version: '1.0', context: 'ctx' }, { userId: 0 }],
  LogoutUser: [undefined, undefined],
  GetAccessTokens: [
    undefined,
    [
      { name: 'tok', expiryAt: 5n },
      { name: 'tik', expiryAt: null },
    ],
  ],
  CreateAccessToken: [{ name: 'tok', expiry: 3600n }, { token: 'raw-token' }],
  DeleteAccessToken: [{ name: 'tok' }, undefined],
  LoginWithAccessToken: [{ token: 'raw-token' }, { userId: 1 }],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyCodec = CommandCodec<any, any>;

describe.each(systemCodecs.map((c) => [c.name, c] as const))('%s decoders', (name, codec: AnyCodec) => {
  const [request, response] = samples[name]!;
  const validRequest = codec.encodeRequest(request);
  const validResponse = codec.encodeResponse(response);
  const runs = { numRuns: fuzzRuns() };

  it('decodeRequest returns a value or a ProtocolError for random and mutated bytes', () => {
    fc.assert(
      fc.property(randomBytes(), (b) => decodesOrRejects(codec.decodeRequest, b)),
      runs,
    );
    fc.assert(
      fc.property(mutated(validRequest), (b) => decodesOrRejects(codec.decodeRequest, b)),
      runs,
    );
  });

  it('decodeResponse returns a value or a ProtocolError for random and mutated bytes', () => {
    fc.assert(
      fc.property(randomBytes(), (b) => decodesOrRejects(codec.decodeResponse, b)),
      runs,
    );
    fc.assert(
      fc.property(mutated(validResponse), (b) => decodesOrRejects(codec.decodeResponse, b)),
      runs,
    );
  });
});
