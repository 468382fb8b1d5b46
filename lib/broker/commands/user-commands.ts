import { BrokerError } from '../broker-error.js';
import { nowMicros } from '../../protocol/messages/clock.js';
import type { BrokerState } from '../broker-state.js';
import { caller, type Callers } from './authorization.js';
import { hostOf } from './login-throttle.js';
import { authorize, Rights } from './permissions.js';
import { generationOfClientVersion } from '../metadata/server-generation.js';
import { checkActive, UserStore, type UserState } from '../metadata/users.js';
import type {
  AccessTokenInfo,
  CreateUserOptions,
  IdentityInfo,
  Identifier,
  Permissions,
  RawAccessToken,
  TransportValue,
  UserDetails,
  UserInfo,
} from '../types.js';

/*
 * Sessions, users and personal access tokens, as the real server's 0.7.0 handlers do them. Managing
 * users needs the global manage-users right, reading them read-users (a user may always read itself);
 * the root user (id 0) cannot be deleted nor have its permissions changed.
 */

/** What a login uses: the client, the users, the throttle of failed logins (and its logger). */
type Logins = Callers & Pick<BrokerState, 'loginThrottle' | 'config'>;

/** What a change of users uses: the caller and the users, changed one at a time and persisted. */
type ChangingUsers = Callers & Pick<BrokerState, 'exclusive' | 'persist'>;

/**
 * Binds the user to the client: InvalidCredentials (42) or UserInactive (47) otherwise. A client whose
 * address failed too often lately is refused with InvalidCredentials before any check (`LoginThrottle`).
 * `clientVersion` (LoginUser's `version`) tells which release's answers the client gets, when it names one.
 */
export async function loginUser(
  ctx: Logins,
  clientId: number,
  username: string,
  password: string,
  clientVersion?: string,
): Promise<IdentityInfo> {
  const client = ctx.clients.require(clientId);
  const user = await throttled(ctx, client.address, () => ctx.users.authenticate(username, password));
  client.userId = user.id;
  client.declaredGeneration = generationOfClientVersion(clientVersion);
  return { userId: user.id };
}

/**
 * Logs in with a personal access token: ResourceNotFound (20) when unknown, PersonalAccessTokenExpired
 * (54); throttled like `loginUser`.
 */
export async function loginWithAccessToken(
  ctx: Logins & Pick<BrokerState, 'tokens'>,
  clientId: number,
  token: string,
): Promise<IdentityInfo> {
  const client = ctx.clients.require(clientId);
  const user = await throttled(ctx, client.address, async () => {
    const found = ctx.users.require(ctx.tokens.authenticate(token, nowMicros()));
    checkActive(found);
    return found;
  });
  client.userId = user.id;
  return { userId: user.id };
}

/** Runs a credentials check unless the address is blocked; records its outcome (see `LoginThrottle`). */
async function throttled<T>(
  ctx: Pick<BrokerState, 'loginThrottle' | 'config'>,
  clientAddress: string,
  check: () => Promise<T>,
): Promise<T> {
  const throttle = ctx.loginThrottle;
  if (!throttle) return check();
  const address = hostOf(clientAddress);
  const wait = throttle.retryAfterMs(address);
  if (wait > 0) {
    throw BrokerError.of(
      'InvalidCredentials',
      `too many failed logins from ${address}: credentials are not checked for ${Math.ceil(wait / 1000)} s`,
    );
  }
  try {
    const result = await check();
    throttle.succeeded(address);
    return result;
  } catch (error) {
    if (error instanceof BrokerError) {
      throttle.failed(address);
      const blocked = throttle.retryAfterMs(address);
      if (blocked > 0) {
        ctx.config.logger.warn(`too many failed logins from ${address}: blocked for ${blocked} ms`);
      }
    }
    throw error;
  }
}

/**
 * A new client already bound to `userId` (by id or name), with no password: for callers in this process
 * only. ResourceNotFound (20) when the user does not exist, UserInactive (47) when it is inactive.
 */
export function connectInternalClient(
  ctx: Callers,
  userId: Identifier,
  transport: TransportValue,
  address: string,
): number {
  const user = ctx.users.require(userId);
  checkActive(user);
  const clientId = ctx.clients.connect(transport, address);
  ctx.clients.require(clientId).userId = user.id;
  return clientId;
}

export function logoutUser(ctx: Callers, clientId: number): void {
  caller(ctx, clientId).client.userId = null;
}

export async function createUser(
  ctx: ChangingUsers,
  clientId: number,
  options: CreateUserOptions,
): Promise<UserDetails> {
  const { user, permissions } = caller(ctx, clientId);
  authorize(Rights.manageUsers(permissions), user.id, 'create users');
  return ctx.exclusive(async () => {
    const created = await ctx.users.create(options, nowMicros());
    await ctx.persist();
    return UserStore.details(created);
  });
}

export function getUser(ctx: Callers, clientId: number, userId: Identifier): UserDetails | null {
  const { user, permissions } = caller(ctx, clientId);
  const target = ctx.users.find(userId);
  if (!target) return null;
  if (target.id !== user.id) authorize(Rights.readUsers(permissions), user.id, 'read users');
  return UserStore.details(target);
}

export function getUsers(ctx: Callers, clientId: number): UserInfo[] {
  const { user, permissions } = caller(ctx, clientId);
  authorize(Rights.readUsers(permissions), user.id, 'list users');
  return ctx.users.list().map((u) => UserStore.info(u));
}

/** Renames and/or (de)activates a user (null leaves a field as it is). */
export async function updateUser(
  ctx: ChangingUsers,
  clientId: number,
  userId: Identifier,
  changes: { username?: string | null; status?: number | null },
): Promise<UserDetails> {
  return ctx.exclusive(async () => {
    const target = manageUser(ctx, clientId, userId);
    ctx.users.update(target, changes.username ?? null, changes.status ?? null);
    await ctx.persist();
    return UserStore.details(target);
  });
}

export async function updatePermissions(
  ctx: ChangingUsers,
  clientId: number,
  userId: Identifier,
  permissions: Permissions | null,
): Promise<void> {
  await ctx.exclusive(async () => {
    const target = manageUser(ctx, clientId, userId);
    ctx.users.setPermissions(target, permissions);
    await ctx.persist();
  });
}

/** A user may change its own password; another's needs manage-users. */
export async function changePassword(
  ctx: ChangingUsers,
  clientId: number,
  userId: Identifier,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  await ctx.exclusive(async () => {
    const { user, permissions } = caller(ctx, clientId);
    const target = ctx.users.require(userId);
    if (target.id !== user.id) authorize(Rights.manageUsers(permissions), user.id, 'change passwords');
    await ctx.users.changePassword(target, currentPassword, newPassword);
    await ctx.persist();
  });
}

/** Deletes the user and its tokens; its clients are logged out. */
export async function deleteUser(
  ctx: ChangingUsers & Pick<BrokerState, 'tokens'>,
  clientId: number,
  userId: Identifier,
): Promise<void> {
  await ctx.exclusive(async () => {
    const target = manageUser(ctx, clientId, userId);
    ctx.users.delete(target);
    ctx.tokens.deleteAllOf(target.id);
    ctx.clients.logoutUser(target.id);
    await ctx.persist();
  });
}

/** A token for the calling user; the raw token is returned only here. Expiry in µs (0 / u64::MAX: never). */
export async function createAccessToken(
  ctx: ChangingUsers & Pick<BrokerState, 'tokens'>,
  clientId: number,
  name: string,
  expiry: bigint,
): Promise<RawAccessToken> {
  return ctx.exclusive(async () => {
    const { user } = caller(ctx, clientId);
    const token = ctx.tokens.create(user.id, name, expiry, nowMicros());
    await ctx.persist();
    return { token };
  });
}

export function getAccessTokens(
  ctx: Callers & Pick<BrokerState, 'tokens'>,
  clientId: number,
): AccessTokenInfo[] {
  return ctx.tokens.list(caller(ctx, clientId).user.id);
}

export async function deleteAccessToken(
  ctx: ChangingUsers & Pick<BrokerState, 'tokens'>,
  clientId: number,
  name: string,
): Promise<void> {
  await ctx.exclusive(async () => {
    ctx.tokens.delete(caller(ctx, clientId).user.id, name);
    await ctx.persist();
  });
}

function manageUser(ctx: Callers, clientId: number, userId: Identifier): UserState {
  const { user, permissions } = caller(ctx, clientId);
  authorize(Rights.manageUsers(permissions), user.id, 'manage users');
  return ctx.users.require(userId);
}
