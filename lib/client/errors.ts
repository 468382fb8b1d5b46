import { iggyErrorName } from '../protocol/codes/error-codes.js';

/**
 * The server answered a request with a non-zero status. `code` is the Iggy error code, `name` its
 * server-side name (`StreamIdNotFound`, `InvalidCredentials`, ...), `command` the request that failed.
 */
export class IggyError extends Error {
  override readonly name: string;

  constructor(
    readonly code: number,
    readonly command: string,
  ) {
    const name = iggyErrorName(code);
    super(`${command} failed: ${name} (code ${code})`);
    this.name = name;
  }
}

/** What went wrong on the client side of a request (anything that is not a server error status). */
export type IggyClientErrorKind =
  /** No connection could be opened to any address (refused, TLS handshake, connect timeout). */
  | 'Connection'
  /** The connection died while the request was in flight, or the client is not connected. */
  | 'Disconnected'
  /** No response within the request timeout. */
  | 'Timeout'
  /** The client was closed. */
  | 'Closed'
  /** A request could not be encoded or a response could not be decoded (wraps `ProtocolError`). */
  | 'Protocol'
  /** Invalid options or connection string. */
  | 'Config'
  /** Too many requests wait to be written (`maxQueued`, `maxQueuedBytes`): refused, nothing was sent. */
  | 'Backpressure';

/** A client-side failure; `cause` holds the underlying error (socket error, `ProtocolError`) when there is one. */
export class IggyClientError extends Error {
  override readonly name = 'IggyClientError';

  constructor(
    readonly kind: IggyClientErrorKind,
    message: string,
    options?: { cause?: unknown; command?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.command = options?.command;
  }

  /** The request this error belongs to, when it belongs to one. */
  readonly command: string | undefined;
}

/** True for an `IggyError` with the given code (or any `IggyError` when no code is given). */
export function isIggyError(err: unknown, code?: number): err is IggyError {
  return err instanceof IggyError && (code === undefined || err.code === code);
}

/** True for an `IggyClientError` of the given kind (or any kind when none is given). */
export function isIggyClientError(err: unknown, kind?: IggyClientErrorKind): err is IggyClientError {
  return err instanceof IggyClientError && (kind === undefined || err.kind === kind);
}
