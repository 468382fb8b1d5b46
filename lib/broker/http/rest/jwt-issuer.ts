import { randomBytes, randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

/** A JWT the broker handed out: the token and when it expires (seconds since the epoch). */
export interface IssuedToken {
  token: string;
  expiry: number;
}

/** What a valid token says. */
export interface TokenClaims {
  userId: number;
  tokenId: string;
  expiry: number;
}

/**
 * The HTTP API's access tokens: HS256 JWTs (`sub` = user id, `jti`, `exp`), one hour by default, as the
 * real server issues them. The secret is random per broker start, as server 0.8 does when none is
 * configured: tokens do not survive a restart (clients log in again). Logged-out tokens are revoked
 * until they would have expired.
 */
export class JwtIssuer {
  private readonly secret = randomBytes(32);
  private readonly revoked = new Map<string, number>();

  constructor(private readonly lifetimeS = 3600) {}

  async issue(userId: number): Promise<IssuedToken> {
    const expiry = Math.floor(Date.now() / 1000) + this.lifetimeS;
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(String(userId))
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(expiry)
      .setIssuer('iggy.rs')
      .sign(this.secret);
    return { token, expiry };
  }

  /** The claims of a token this broker issued, not expired nor revoked; null otherwise. */
  async verify(token: string): Promise<TokenClaims | null> {
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'], issuer: 'iggy.rs' });
      const userId = Number(payload.sub);
      if (!Number.isInteger(userId) || userId < 0 || !payload.jti || !payload.exp) return null;
      if (this.revoked.has(payload.jti)) return null;
      return { userId, tokenId: payload.jti, expiry: payload.exp };
    } catch {
      return null;
    }
  }

  revoke(claims: TokenClaims): void {
    const now = Date.now() / 1000;
    for (const [id, expiry] of this.revoked) if (expiry < now) this.revoked.delete(id);
    this.revoked.set(claims.tokenId, claims.expiry);
  }
}
