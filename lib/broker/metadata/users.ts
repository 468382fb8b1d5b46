import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import { BrokerError } from '../broker-error.js';
import { Slab, type SlabSnapshot } from './slab.js';
import { decodePermissions, encodePermissions, type PermissionsJson } from './permissions-json.js';
import {
  UserStatus,
  type CreateUserOptions,
  type Identifier,
  type Permissions,
  type UserDetails,
  type UserInfo,
} from '../types.js';

export interface UserState {
  id: number;
  username: string;
  /** Argon2id PHC string. */
  passwordHash: string;
  status: number;
  permissions: Permissions | null;
  createdAt: bigint;
}

/** The root user's id: the first user, made on first boot, never deleted. */
export const ROOT_USER_ID = 0;
const USERNAME_LENGTH = [3, 50] as const;
const PASSWORD_LENGTH = [3, 100] as const;

/**
 * Users: the root user (id 0, made on first boot only, every permission), ordinary users with their
 * permissions, passwords hashed with Argon2id. Ids come from a slab like the real server's.
 */
export class UserStore {
  users = new Slab<UserState>();

  get size(): number {
    return this.users.size;
  }

  /** Creates the root user (id 0): first boot only, when there is no user at all. */
  async createRoot(
    username: string,
    password: string,
    permissions: Permissions,
    now: bigint,
  ): Promise<UserState> {
    if (this.users.size > 0) throw new Error('the root user is created on first boot only');
    return this.create({ username, password, status: UserStatus.Active, permissions }, now);
  }

  /** Whether `password` is the user's password (an Argon2 check). */
  passwordMatches(user: UserState, password: string): Promise<boolean> {
    return verify(user.passwordHash, password);
  }

  /** Sets a password without knowing the current one (the root password from configuration). */
  async setPassword(user: UserState, password: string): Promise<void> {
    checkPassword(password);
    user.passwordHash = await argon2Hash(password);
  }

  /** By numeric id or username; undefined when unknown. */
  find(id: Identifier): UserState | undefined {
    if (typeof id === 'number') return this.users.get(id);
    for (const u of this.users.values()) if (u.username === id) return u;
    return undefined;
  }

  /** The user, or ResourceNotFound (20), as the real server answers for users. */
  require(id: Identifier): UserState {
    const user = this.find(id);
    if (!user)
      throw BrokerError.of(
        'ResourceNotFound',
        `user ${typeof id === 'number' ? id : `'${id}'`} does not exist`,
      );
    return user;
  }

  list(): UserState[] {
    return [...this.users.values()];
  }

  async create(options: CreateUserOptions, now: bigint): Promise<UserState> {
    checkUsername(options.username);
    checkPassword(options.password);
    const status = checkStatus(options.status ?? UserStatus.Active);
    if (this.find(options.username)) {
      throw BrokerError.of('UserAlreadyExists', `user '${options.username}' already exists`);
    }
    const passwordHash = await argon2Hash(options.password);
    // Re-check after the await: another create may have taken the name meanwhile.
    if (this.find(options.username)) {
      throw BrokerError.of('UserAlreadyExists', `user '${options.username}' already exists`);
    }
    const user: UserState = {
      id: this.users.vacantKey(),
      username: options.username,
      passwordHash,
      status,
      permissions: options.permissions ?? null,
      createdAt: now,
    };
    this.users.insert(user);
    return user;
  }

  update(user: UserState, username: string | null, status: number | null): void {
    if (username !== null && username !== user.username) {
      checkUsername(username);
      if (this.find(username)) throw BrokerError.of('UserAlreadyExists', `user '${username}' already exists`);
      user.username = username;
    }
    if (status !== null) user.status = checkStatus(status);
  }

  async changePassword(user: UserState, currentPassword: string, newPassword: string): Promise<void> {
    checkPassword(newPassword);
    if (!(await verify(user.passwordHash, currentPassword))) {
      throw BrokerError.of('InvalidCredentials', `wrong current password for user ${user.id}`);
    }
    user.passwordHash = await argon2Hash(newPassword);
  }

  setPermissions(user: UserState, permissions: Permissions | null): void {
    if (user.id === ROOT_USER_ID) {
      throw BrokerError.of('CannotChangePermissions', `the root user's permissions cannot be changed`);
    }
    user.permissions = permissions;
  }

  /**
   * A stream was deleted: every user's entry for it goes (with its topics), as the real server does.
   * Stream ids are reused, so an entry left behind would grant its rights on the next stream with that
   * id. Returns whether any user changed.
   */
  forgetStream(streamId: number): boolean {
    let changed = false;
    for (const user of this.users.values()) changed = !!user.permissions?.streams.delete(streamId) || changed;
    return changed;
  }

  /** A topic was deleted: every user's entry for it goes (topic ids are reused too). */
  forgetTopic(streamId: number, topicId: number): boolean {
    let changed = false;
    for (const user of this.users.values()) {
      changed = !!user.permissions?.streams.get(streamId)?.topics.delete(topicId) || changed;
    }
    return changed;
  }

  /**
   * Drops entries for streams and topics that do not exist (`exists(streamId, topicId?)`): a data
   * directory written before deletions cleared them. Returns whether any user changed.
   */
  forgetMissing(exists: (streamId: number, topicId?: number) => boolean): boolean {
    let changed = false;
    for (const user of this.users.values()) {
      for (const [streamId, stream] of user.permissions?.streams ?? []) {
        if (!exists(streamId)) {
          user.permissions!.streams.delete(streamId);
          changed = true;
          continue;
        }
        for (const topicId of stream.topics.keys()) {
          if (!exists(streamId, topicId)) {
            stream.topics.delete(topicId);
            changed = true;
          }
        }
      }
    }
    return changed;
  }

  delete(user: UserState): void {
    if (user.id === ROOT_USER_ID) throw BrokerError.of('CannotDeleteUser', 'the root user cannot be deleted');
    this.users.remove(user.id);
  }

  /** Checks the credentials: InvalidCredentials (42) for an unknown user or a wrong password, UserInactive (47). */
  async authenticate(username: string, password: string): Promise<UserState> {
    const user = this.find(username);
    if (!user) throw BrokerError.of('InvalidCredentials', `invalid credentials for user '${username}'`);
    checkActive(user);
    if (!(await verify(user.passwordHash, password))) {
      throw BrokerError.of('InvalidCredentials', `invalid credentials for user '${username}'`);
    }
    return user;
  }

  static info(user: UserState): UserInfo {
    return {
      id: user.id,
      createdAt: user.createdAt,
      status: user.status as UserInfo['status'],
      username: user.username,
    };
  }

  static details(user: UserState): UserDetails {
    return { ...UserStore.info(user), permissions: user.permissions };
  }

  snapshot(): SlabSnapshot<UserJson> {
    return this.users.snapshot((u) => ({
      username: u.username,
      passwordHash: u.passwordHash,
      status: u.status,
      permissions: u.permissions ? encodePermissions(u.permissions) : null,
      createdAt: u.createdAt.toString(),
    }));
  }

  restore(snapshot: SlabSnapshot<UserJson>): void {
    this.users = Slab.restore(snapshot, (u, id) => ({
      id,
      username: u.username,
      passwordHash: u.passwordHash,
      status: u.status,
      permissions: u.permissions ? decodePermissions(u.permissions) : null,
      createdAt: BigInt(u.createdAt),
    }));
  }
}

export interface UserJson {
  username: string;
  passwordHash: string;
  status: number;
  permissions: PermissionsJson | null;
  createdAt: string;
}

/** UserInactive (47) unless the user is active. */
export function checkActive(user: UserState): void {
  if (user.status !== UserStatus.Active)
    throw BrokerError.of('UserInactive', `user '${user.username}' is inactive`);
}

async function verify(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(hash, password);
  } catch {
    return false;
  }
}

function checkUsername(username: string): void {
  const n = Buffer.byteLength(username, 'utf8');
  if (n < USERNAME_LENGTH[0] || n > USERNAME_LENGTH[1]) {
    throw BrokerError.of('InvalidUsername', `username must be ${USERNAME_LENGTH.join('..')} bytes, got ${n}`);
  }
}

function checkPassword(password: string): void {
  const n = Buffer.byteLength(password, 'utf8');
  if (n < PASSWORD_LENGTH[0] || n > PASSWORD_LENGTH[1]) {
    throw BrokerError.of('InvalidPassword', `password must be ${PASSWORD_LENGTH.join('..')} bytes, got ${n}`);
  }
}

function checkStatus(status: number): number {
  if (status !== UserStatus.Active && status !== UserStatus.Inactive) {
    throw BrokerError.of('InvalidUserStatus', `user status ${status} is neither 1 (active) nor 2 (inactive)`);
  }
  return status;
}
