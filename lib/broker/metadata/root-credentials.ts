import { randomBytes } from 'node:crypto';
import { rootPermissions } from '../../protocol/commands/users/permissions.layout.js';
import { isBrokerError } from '../broker-error.js';
import { nowMicros } from '../../protocol/messages/clock.js';
import type { ResolvedBrokerConfig } from '../broker-config.js';
import { ROOT_USER_ID, type UserStore } from './users.js';

/** The real server's default root credentials (`--with-default-root-credentials`). */
export const DEFAULT_ROOT_CREDENTIALS = { username: 'iggy', password: 'iggy' } as const;

/**
 * Makes the root user (id 0) match the configuration, as the broker starts:
 * - first boot: creates it with the configured password, or a random one (returned, never logged);
 * - later starts: a configured name or password that differs from the stored one is applied and logged
 *   (a warning naming what changed, never the password), so changing `rootPassword` /
 *   `IGGY_ROOT_PASSWORD` and restarting takes effect; nothing configured keeps what is stored.
 * Returns the generated password (first boot without one configured), else null.
 */
export async function applyRootCredentials(ctx: {
  config: Pick<ResolvedBrokerConfig, 'rootUsername' | 'rootPassword' | 'logger' | 'onRootPasswordGenerated'>;
  users: UserStore;
  persist(): Promise<void>;
}): Promise<string | null> {
  const { rootUsername, rootPassword, logger } = ctx.config;
  const root = ctx.users.find(ROOT_USER_ID);
  if (!root) {
    const username = rootUsername ?? DEFAULT_ROOT_CREDENTIALS.username;
    // The real server makes 20 to 40 characters; 24 of base64url carry 144 random bits.
    const generated = rootPassword === null ? randomBytes(18).toString('base64url') : null;
    await ctx.users.createRoot(username, rootPassword ?? generated!, rootPermissions(), nowMicros());
    logger.info(
      generated
        ? `created the root user '${username}' with a random password (set rootPassword / IGGY_ROOT_PASSWORD to choose it)`
        : `created the root user '${username}'`,
    );
    await ctx.persist();
    if (generated) ctx.config.onRootPasswordGenerated?.(generated);
    return generated;
  }
  let changed = false;
  if (rootUsername !== null && root.username !== rootUsername) {
    const previous = root.username;
    try {
      ctx.users.update(root, rootUsername, null);
    } catch (error) {
      if (!isBrokerError(error)) throw error;
      throw new Error(`cannot rename the root user '${previous}' to '${rootUsername}': ${error.message}`, {
        cause: error,
      });
    }
    logger.warn(`renamed the root user '${previous}' to '${rootUsername}' (the configured rootUsername)`);
    changed = true;
  }
  if (rootPassword !== null && !(await ctx.users.passwordMatches(root, rootPassword))) {
    await ctx.users.setPassword(root, rootPassword);
    logger.warn(
      `the root user's password was replaced by the configured one (rootPassword / IGGY_ROOT_PASSWORD)`,
    );
    changed = true;
  }
  if (changed) await ctx.persist();
  return null;
}

/** Whether the root user's password is the well-known default (`iggy`): an Argon2 check. */
export async function rootHasDefaultPassword(users: UserStore): Promise<boolean> {
  const root = users.find(ROOT_USER_ID);
  return !!root && (await users.passwordMatches(root, DEFAULT_ROOT_CREDENTIALS.password));
}
