import { BrokerError } from '../broker/broker-error.js';
import { DataDirCreateError, DataDirLockedError } from '../broker/storage/data-dir-lock.js';
import { ioFailure } from '../broker/io-failure.js';
import { StorageError } from '../broker/storage/storage-error.js';
import { IggyClientError, IggyError } from '../client/errors.js';
import { CommandCode } from '../protocol/codes/command-codes.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { ConnectorError, type ConnectorErrorKind } from './connector-error.js';

/** The operation a failure happened in: its kind, unless the cause says something more precise. */
export type OperationKind = Extract<
  ConnectorErrorKind,
  'Publish' | 'Subscribe' | 'Receive' | 'Topology' | 'Iggy' | 'Connection'
>;

/** Server codes that mean "who are you / you may not": login failures, expired tokens, missing rights. */
const AUTH_CODES: ReadonlySet<number> = new Set([
  IggyErrorCode.Unauthenticated,
  IggyErrorCode.Unauthorized,
  IggyErrorCode.InvalidCredentials,
  IggyErrorCode.InvalidUsername,
  IggyErrorCode.InvalidPassword,
  IggyErrorCode.UserInactive,
  IggyErrorCode.InvalidPersonalAccessToken,
  IggyErrorCode.PersonalAccessTokenExpired,
]);

/** Codes that mean the session or the server went away under the request. */
const CONNECTION_CODES: ReadonlySet<number> = new Set([
  IggyErrorCode.Disconnected,
  IggyErrorCode.NotConnected,
  IggyErrorCode.ClientShutdown,
  IggyErrorCode.ConnectionClosed,
  IggyErrorCode.StaleClient,
  // The server is at its connection limit (the embedded broker answers it, then closes).
  IggyErrorCode.CannotEstablishConnection,
]);

/** True for an Iggy server code (from a real server or the embedded broker) that is an auth failure. */
export function isAuthCode(code: number): boolean {
  return AUTH_CODES.has(code);
}

/** The Iggy error code of a server-side failure (remote `IggyError`, embedded `BrokerError`), if it is one. */
export function iggyCodeOf(err: unknown): number | undefined {
  if (err instanceof IggyError || err instanceof BrokerError) return err.code;
  if (err instanceof ConnectorError) return err.iggyCode;
  return undefined;
}

/**
 * Turns anything a connector's dependencies throw into a `ConnectorError`: auth codes → `Auth`,
 * timeouts → `Timeout`, lost or refused connections → `Connection`, a closed client → `NotConnected`,
 * bad options → `Config`, a data directory held or impossible to create → `Config`; every other failure takes the operation's
 * kind (`Publish`, `Subscribe`, ...) and keeps the server's code. `what` says what was being done.
 */
export function toConnectorError(err: unknown, operation: OperationKind, what: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  const fail = (kind: ConnectorErrorKind, iggyCode?: number) =>
    new ConnectorError(kind, `${what}: ${reason}`, { cause: err, iggyCode });

  if (err instanceof IggyError || err instanceof BrokerError) {
    if (CONNECTION_CODES.has(err.code)) return fail('Connection', err.code);
    if (AUTH_CODES.has(err.code) || isLogin(err)) return fail('Auth', err.code);
    return fail(operation, err.code);
  }
  if (err instanceof IggyClientError) {
    switch (err.kind) {
      case 'Timeout':
        return fail('Timeout');
      case 'Connection':
      case 'Disconnected':
        return fail('Connection');
      case 'Closed':
        return fail('NotConnected');
      case 'Config':
        return fail('Config');
      case 'Backpressure':
        return fail('Backpressure');
      case 'Protocol': {
        const cause = err.cause;
        return fail(operation, cause instanceof ProtocolError ? cause.iggyCode : undefined);
      }
    }
  }
  if (err instanceof DataDirLockedError || err instanceof DataDirCreateError) return fail('Config');
  if (err instanceof StorageError || err instanceof ProtocolError) return fail(operation, err.iggyCode);
  const io = ioFailure(err, operation === 'Publish' ? CommandCode.SendMessages : undefined);
  if (io)
    return new ConnectorError(operation, `${what}: ${io.cause}: ${reason}`, {
      cause: err,
      iggyCode: io.code,
    });
  return fail(operation);
}

/** A refused login: the real server answers an unknown token with ResourceNotFound, still an auth failure. */
function isLogin(err: IggyError | BrokerError): boolean {
  return err instanceof IggyError && (err.command === 'LoginUser' || err.command === 'LoginWithAccessToken');
}
