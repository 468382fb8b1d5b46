import type { Broker } from './broker.js';
import type { ListenerKind } from './listen.js';

/** Whether `host` only reaches this machine: `localhost`, 127.0.0.0/8, `::1` (bracketed or not). */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127\./.test(h) || /^::ffff:127\./.test(h);
}

/** A listener would be reachable from other machines while root's password is the well-known default. */
export class InsecureListenerError extends Error {
  override readonly name = 'InsecureListenerError';

  constructor(
    readonly listener: ListenerKind,
    readonly host: string,
  ) {
    super(
      `refusing to listen on ${host} (${listener.toUpperCase()}): the root user still has the default ` +
        `password 'iggy', which anyone who can reach this address could log in with. Set a root password ` +
        `(rootPassword, --root-password or IGGY_ROOT_PASSWORD: applied at start), listen on a loopback ` +
        `address (127.0.0.1), or accept the risk explicitly (allowDefaultRootPassword: true, ` +
        `--allow-default-root-password)`,
    );
  }
}

/**
 * Refuses (InsecureListenerError) to open a listener on a non-loopback address while the root user has
 * the default password, unless `allowed`. Checks the password only when there is such a listener.
 */
export async function checkNetworkExposure(
  broker: Broker,
  listeners: readonly { kind: ListenerKind; host: string }[],
  allowed: boolean,
): Promise<void> {
  if (allowed) return;
  const exposed = listeners.find((l) => !isLoopbackHost(l.host));
  if (exposed && (await broker.rootHasDefaultPassword())) {
    throw new InsecureListenerError(exposed.kind, exposed.host);
  }
}
