import { iggyErrorName } from '../protocol/codes/error-codes.js';

/** The seeds' error kinds: every public connector method fails with one of these. */
export type ConnectorErrorKind =
  | 'Connection'
  | 'NotConnected'
  | 'Publish'
  | 'Subscribe'
  | 'Receive'
  | 'Topology'
  | 'Auth'
  | 'Timeout'
  | 'Config'
  | 'Iggy'
  /** A publish found no room under the in-flight caps (`publish.maxInFlight*`) within its wait. */
  | 'Backpressure';

/** A connector failure. `code`/`codeName` carry the server's error when the server said no. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly code: number | undefined;
  readonly codeName: string | undefined;

  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    options: { cause?: unknown; code?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.codeName = options.code === undefined ? undefined : iggyErrorName(options.code);
  }
}

export function isConnectorError(err: unknown, kind?: ConnectorErrorKind): err is ConnectorError {
  return err instanceof ConnectorError && (kind === undefined || err.kind === kind);
}
