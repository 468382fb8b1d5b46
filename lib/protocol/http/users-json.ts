import type { AccessTokenInfo } from '../commands/access-tokens/access-token.layout.js';
import type { ClientDetails, ClientInfo } from '../commands/clients/client.layout.js';
import { Transport, type TransportValue } from '../commands/clients/client.layout.js';
import type {
  GlobalPermissions,
  Permissions,
  StreamPermissions,
  TopicPermissions,
} from '../commands/users/permissions.layout.js';
import {
  UserStatus,
  type UserDetails,
  type UserInfo,
  type UserStatusValue,
} from '../commands/users/user.layout.js';
import { ProtocolError } from '../protocol-error.js';
import { JsonFields, lookup, readList } from './json-fields.js';

/*
 * Users, permissions, personal access tokens, clients and logins as Iggy's HTTP API writes them, both
 * directions.
 */

const TRANSPORTS: Record<string, TransportValue> = {
  tcp: Transport.Tcp,
  quic: Transport.Quic,
  http: Transport.Http,
  websocket: Transport.WebSocket,
};

export function readClient(f: JsonFields): ClientInfo {
  return {
    clientId: f.u32('client_id'),
    userId: f.has('user_id') ? f.u32('user_id') : null,
    transport: lookup(TRANSPORTS, f.string('transport').toLowerCase()) ?? Transport.Http,
    address: f.string('address'),
    consumerGroupsCount: f.u32('consumer_groups_count'),
  };
}

export function readClientDetails(f: JsonFields): ClientDetails {
  return {
    ...readClient(f),
    consumerGroups: readList(f.raw('consumer_groups'), `${f.what}.consumer_groups`, (g) => ({
      streamId: g.u32('stream_id'),
      topicId: g.u32('topic_id'),
      groupId: g.u32('group_id'),
    })),
  };
}

export function readUser(f: JsonFields): UserInfo {
  const status = f.string('status');
  return {
    id: f.u32('id'),
    createdAt: f.big('created_at'),
    status: status === 'inactive' ? UserStatus.Inactive : UserStatus.Active,
    username: f.string('username'),
  };
}

export function readUserDetails(f: JsonFields): UserDetails {
  return {
    ...readUser(f),
    permissions: f.has('permissions') ? readPermissions(f.object('permissions')) : null,
  };
}

export function userStatusName(status: number): string {
  return status === UserStatus.Inactive ? 'inactive' : 'active';
}

const GLOBAL_KEYS: [keyof GlobalPermissions, string][] = [
  ['manageServers', 'manage_servers'],
  ['readServers', 'read_servers'],
  ['manageUsers', 'manage_users'],
  ['readUsers', 'read_users'],
  ['manageStreams', 'manage_streams'],
  ['readStreams', 'read_streams'],
  ['manageTopics', 'manage_topics'],
  ['readTopics', 'read_topics'],
  ['pollMessages', 'poll_messages'],
  ['sendMessages', 'send_messages'],
];
const STREAM_KEYS: [keyof Omit<StreamPermissions, 'topics'>, string][] = [
  ['manageStream', 'manage_stream'],
  ['readStream', 'read_stream'],
  ['manageTopics', 'manage_topics'],
  ['readTopics', 'read_topics'],
  ['pollMessages', 'poll_messages'],
  ['sendMessages', 'send_messages'],
];
const TOPIC_KEYS: [keyof TopicPermissions, string][] = [
  ['manageTopic', 'manage_topic'],
  ['readTopic', 'read_topic'],
  ['pollMessages', 'poll_messages'],
  ['sendMessages', 'send_messages'],
];

function flags<K extends string>(f: JsonFields, keys: [K, string][]): Record<K, boolean> {
  return Object.fromEntries(keys.map(([ours, theirs]) => [ours, f.bool(theirs)])) as Record<K, boolean>;
}

function idMap<T>(f: JsonFields, name: string, read: (entry: JsonFields) => T): Map<number, T> {
  const map = new Map<number, T>();
  if (!f.has(name)) return map;
  const obj = f.object(name);
  const raw = f.raw(name) as Record<string, unknown>;
  for (const key of Object.keys(raw)) map.set(Number(key), read(obj.object(key)));
  return map;
}

export function readPermissions(f: JsonFields): Permissions {
  return {
    global: flags(f.object('global'), GLOBAL_KEYS),
    streams: idMap(f, 'streams', (s) => ({
      ...flags(s, STREAM_KEYS),
      topics: idMap(s, 'topics', (t) => flags(t, TOPIC_KEYS)),
    })),
  };
}

export function permissionsJson(p: Permissions): Record<string, unknown> {
  const pick = <T extends object>(o: T, keys: [keyof T, string][]) =>
    Object.fromEntries(keys.map(([ours, theirs]) => [theirs, o[ours]]));
  const streams = [...p.streams].map(([id, s]) => {
    const topics = [...s.topics].map(([topicId, t]) => [String(topicId), pick(t, TOPIC_KEYS)]);
    return [
      String(id),
      { ...pick(s, STREAM_KEYS), topics: topics.length ? Object.fromEntries(topics) : null },
    ];
  });
  return {
    global: pick(p.global, GLOBAL_KEYS),
    streams: streams.length ? Object.fromEntries(streams) : null,
  };
}

export function readAccessToken(f: JsonFields): AccessTokenInfo {
  return { name: f.string('name'), expiryAt: f.has('expiry_at') ? f.big('expiry_at') : null };
}
const TRANSPORT_NAMES: Record<number, string> = { 1: 'TCP', 2: 'QUIC', 3: 'HTTP', 4: 'WebSocket' };

export function clientJson(c: ClientInfo): Record<string, unknown> {
  return {
    client_id: c.clientId,
    user_id: c.userId,
    address: c.address,
    transport: TRANSPORT_NAMES[c.transport] ?? 'TCP',
    consumer_groups_count: c.consumerGroupsCount,
  };
}

export function clientDetailsJson(c: ClientDetails): Record<string, unknown> {
  return {
    ...clientJson(c),
    consumer_groups: c.consumerGroups.map((g) => ({
      stream_id: g.streamId,
      topic_id: g.topicId,
      group_id: g.groupId,
    })),
  };
}

export function userJson(u: UserInfo): Record<string, unknown> {
  return { id: u.id, created_at: u.createdAt, status: userStatusName(u.status), username: u.username };
}

export function userDetailsJson(u: UserDetails): Record<string, unknown> {
  return { ...userJson(u), permissions: u.permissions ? permissionsJson(u.permissions) : null };
}

export function accessTokenJson(t: AccessTokenInfo): Record<string, unknown> {
  return { name: t.name, expiry_at: t.expiryAt };
}

/** The answer of a login or a refresh: the user and the JWT (`expiry` in seconds since the epoch). */
export function identityJson(userId: number, token: string, expiry: number): Record<string, unknown> {
  return { user_id: userId, access_token: { token, expiry } };
}

function readStatus(f: JsonFields, name: string): UserStatusValue {
  const status = f.string(name);
  if (status !== 'active' && status !== 'inactive') {
    throw new ProtocolError('InvalidValue', `${f.what}.${name}: 'active' or 'inactive', got '${status}'`);
  }
  return status === 'active' ? UserStatus.Active : UserStatus.Inactive;
}

function optionalPermissions(f: JsonFields): Permissions | undefined {
  return f.has('permissions') ? readPermissions(f.object('permissions')) : undefined;
}

export interface CreateUserBody {
  username: string;
  password: string;
  status: UserStatusValue;
  permissions?: Permissions;
}

export function readCreateUserBody(json: unknown): CreateUserBody {
  const f = JsonFields.of(json, 'user');
  const body: CreateUserBody = {
    username: f.string('username'),
    password: f.string('password'),
    status: f.has('status') ? readStatus(f, 'status') : UserStatus.Active,
  };
  const permissions = optionalPermissions(f);
  if (permissions) body.permissions = permissions;
  return body;
}

export function readUpdateUserBody(json: unknown): { username?: string; status?: UserStatusValue } {
  const f = JsonFields.of(json, 'user');
  const body: { username?: string; status?: UserStatusValue } = {};
  if (f.has('username')) body.username = f.string('username');
  if (f.has('status')) body.status = readStatus(f, 'status');
  return body;
}

export function readPermissionsBody(json: unknown): Permissions | null {
  return optionalPermissions(JsonFields.of(json, 'permissions')) ?? null;
}

export function readChangePasswordBody(json: unknown): { currentPassword: string; newPassword: string } {
  const f = JsonFields.of(json, 'password change');
  return { currentPassword: f.string('current_password'), newPassword: f.string('new_password') };
}

export function readLoginBody(json: unknown): { username: string; password: string } {
  const f = JsonFields.of(json, 'login');
  return { username: f.string('username'), password: f.string('password') };
}

/** `{ token }` (a personal access token login, or a JWT to refresh). */
export function readTokenBody(json: unknown): string {
  return JsonFields.of(json, 'token').string('token');
}

export function readCreateAccessTokenBody(json: unknown): { name: string; expiry: bigint } {
  const f = JsonFields.of(json, 'personal access token');
  return { name: f.string('name'), expiry: f.has('expiry') ? f.big('expiry') : 0n };
}
