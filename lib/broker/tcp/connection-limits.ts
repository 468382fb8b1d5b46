import { CommandCode, commandName } from '../../protocol/codes/command-codes.js';
import { IggyErrorCode } from '../../protocol/codes/error-codes.js';
import { ProtocolError } from '../../protocol/protocol-error.js';

/**
 * What one connection, and all of them together, may hold. Past a limit a connection either waits
 * (reading pauses: the peer did nothing wrong, TCP pushes back) or is answered with an error status and
 * closed (the peer asked for more than the server will ever give it):
 * - `maxConnections`: one more is answered `CannotEstablishConnection` (9) on its first request, closed;
 * - `maxLoginBytes`: a frame of a connection not logged in above it is refused from its header, closed;
 * - `maxQueuedRequests` / `maxQueuedBytes`: decoded requests waiting on one connection: reading pauses;
 * - `maxBufferedBytes`: request bytes held by all connections together; a header that would go past it
 *   is answered `BackgroundSendBufferFull` (4053: "the server's receive buffers are full") and closed;
 * - `loginTimeoutMs`: a connection not logged in by then is closed.
 */
export interface ConnectionLimits {
  maxConnections: number;
  maxLoginBytes: number;
  maxQueuedRequests: number;
  maxQueuedBytes: number;
  maxBufferedBytes: number;
  loginTimeoutMs: number;
}

export const ConnectionLimitDefaults: ConnectionLimits = {
  maxConnections: 4096,
  // A LoginUser payload: username ≤ 50 bytes, password ≤ 100, a version and a context string.
  maxLoginBytes: 4 * 1024,
  maxQueuedRequests: 1024,
  maxQueuedBytes: 1024 * 1024,
  maxBufferedBytes: 256 * 1024 * 1024,
  loginTimeoutMs: 10_000,
};

/** The status answered past `maxBufferedBytes`. */
export const BUFFERS_FULL = IggyErrorCode.BackgroundSendBufferFull;
/** The status answered past `maxConnections`. */
export const TOO_MANY_CONNECTIONS = IggyErrorCode.CannotEstablishConnection;

/**
 * Checks a frame header of a connection that is not logged in, before any of its payload is kept: no
 * frame above `maxLoginBytes` is accepted. Smaller ones are queued and answered as the real server does
 * (Unauthenticated (40) for anything but Ping and the two logins, the connection kept). Throws a
 * `ProtocolError` whose code is answered before the connection closes: Unauthenticated (40), or
 * InvalidCommand (3) for an oversized Ping or login.
 */
export function admitBeforeLogin(code: number, payload: number, maxLoginBytes: number): void {
  if (payload <= maxLoginBytes) return;
  const anonymous =
    code === CommandCode.Ping || code === CommandCode.LoginUser || code === CommandCode.LoginWithAccessToken;
  throw new ProtocolError(
    'TooLarge',
    `${commandName(code) ?? `command ${code}`} of ${payload} bytes before login (at most ${maxLoginBytes})`,
    anonymous ? IggyErrorCode.InvalidCommand : IggyErrorCode.Unauthenticated,
  );
}

/** Request bytes held by every connection of a server together, against one limit. */
export class MemoryBudget {
  private usedBytes = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.usedBytes;
  }

  /** Takes `bytes` when they fit; false (nothing taken) when they would go past the limit. */
  tryReserve(bytes: number): boolean {
    if (this.usedBytes + bytes > this.limit) return false;
    this.usedBytes += bytes;
    return true;
  }

  release(bytes: number): void {
    this.usedBytes = Math.max(0, this.usedBytes - bytes);
  }
}
