import { createHash, randomBytes } from 'node:crypto';
import { BrokerError } from '../broker-error.js';
import { U64_MAX, type AccessTokenInfo } from '../types.js';

interface TokenState {
  userId: number;
  name: string;
  /** SHA-256 (hex) of the raw token; the raw token is never stored. */
  hash: string;
  /** µs since the epoch; null = never expires. */
  expiryAt: bigint | null;
}

const NAME_LENGTH = [3, 30] as const;
const TOKEN_BYTES = 50;

/**
 * Personal access tokens, as the real server makes them: 50 random bytes in base64, shown once;
 * only a hash is kept. Expiry 0 (server default) and u64::MAX mean "never".
 */
export class AccessTokenStore {
  private tokens: TokenState[] = [];

  constructor(private readonly maxPerUser: number) {}

  /** Creates a token; returns the raw token (the only time it is seen). */
  create(userId: number, name: string, expiry: bigint, now: bigint): string {
    const length = Buffer.byteLength(name, 'utf8');
    if (length < NAME_LENGTH[0] || length > NAME_LENGTH[1]) {
      throw BrokerError.of(
        'InvalidPersonalAccessTokenName',
        `token name must be ${NAME_LENGTH.join('..')} bytes, got ${length}`,
      );
    }
    const mine = this.tokens.filter((t) => t.userId === userId);
    if (mine.length >= this.maxPerUser) {
      throw BrokerError.of(
        'PersonalAccessTokensLimitReached',
        `user ${userId} already has ${mine.length} tokens (limit ${this.maxPerUser})`,
      );
    }
    if (mine.some((t) => t.name === name)) {
      throw BrokerError.of(
        'PersonalAccessTokenAlreadyExists',
        `user ${userId} already has a token named '${name}'`,
      );
    }
    const token = randomBytes(TOKEN_BYTES).toString('base64');
    const expiryAt = expiry === 0n || expiry === U64_MAX ? null : now + expiry;
    this.tokens.push({ userId, name, hash: hashToken(token), expiryAt });
    return token;
  }

  list(userId: number): AccessTokenInfo[] {
    return this.tokens
      .filter((t) => t.userId === userId)
      .map((t) => ({ name: t.name, expiryAt: t.expiryAt }));
  }

  /** ResourceNotFound (20) when the user has no token of that name. */
  delete(userId: number, name: string): void {
    const index = this.tokens.findIndex((t) => t.userId === userId && t.name === name);
    if (index < 0) throw BrokerError.of('ResourceNotFound', `user ${userId} has no token named '${name}'`);
    this.tokens.splice(index, 1);
  }

  deleteAllOf(userId: number): void {
    this.tokens = this.tokens.filter((t) => t.userId !== userId);
  }

  /**
   * The user id a raw token stands for. Like the real server: an unknown (or deleted) token is
   * ResourceNotFound (20), an expired one PersonalAccessTokenExpired (54).
   */
  authenticate(token: string, now: bigint): number {
    const hash = hashToken(token);
    const found = this.tokens.find((t) => t.hash === hash);
    if (!found) throw BrokerError.of('ResourceNotFound', 'personal access token does not exist');
    if (found.expiryAt !== null && found.expiryAt <= now) {
      throw BrokerError.of(
        'PersonalAccessTokenExpired',
        `token '${found.name}' of user ${found.userId} has expired`,
      );
    }
    return found.userId;
  }

  /** Drops expired tokens (the real server's cleaner does it every minute); returns how many. */
  removeExpired(now: bigint): number {
    const before = this.tokens.length;
    this.tokens = this.tokens.filter((t) => t.expiryAt === null || t.expiryAt > now);
    return before - this.tokens.length;
  }

  snapshot(): TokenJson[] {
    return this.tokens.map((t) => ({ ...t, expiryAt: t.expiryAt === null ? null : t.expiryAt.toString() }));
  }

  restore(tokens: TokenJson[]): void {
    this.tokens = tokens.map((t) => ({ ...t, expiryAt: t.expiryAt === null ? null : BigInt(t.expiryAt) }));
  }
}

export interface TokenJson {
  userId: number;
  name: string;
  hash: string;
  expiryAt: string | null;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
