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

/** A connector failure. `iggyCode`/`iggyName` carry the server's error when the server said no. */
export class ConnectorError extends Error {
  override readonly name = 'ConnectorError';
  readonly iggyCode: number | undefined;
  readonly iggyName: string | undefined;

  constructor(
    readonly kind: ConnectorErrorKind,
    message: string,
    options: { cause?: unknown; iggyCode?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.iggyCode = options.iggyCode;
    this.iggyName = options.iggyCode === undefined ? undefined : iggyErrorName(options.iggyCode);
  }
}

export function isConnectorError(err: unknown, kind?: ConnectorErrorKind): err is ConnectorError {
  return err instanceof ConnectorError && (kind === undefined || err.kind === kind);
}
