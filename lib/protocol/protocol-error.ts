import { IggyErrorCode } from './codes/error-codes.js';

/** Why bytes could not be decoded (or a value could not be encoded). */
export type ProtocolErrorKind =
  | 'Truncated'
  | 'LengthMismatch'
  | 'TooLarge'
  | 'UnknownCode'
  | 'InvalidUtf8'
  | 'InvalidValue'
  | 'TrailingBytes';

const codeByKind: Record<ProtocolErrorKind, number> = {
  Truncated: IggyErrorCode.InvalidFormat,
  LengthMismatch: IggyErrorCode.InvalidFormat,
  TooLarge: IggyErrorCode.InvalidFormat,
  UnknownCode: IggyErrorCode.InvalidCommand,
  InvalidUtf8: IggyErrorCode.InvalidUtf8,
  InvalidValue: IggyErrorCode.InvalidFormat,
  TrailingBytes: IggyErrorCode.InvalidFormat,
};

/**
 * The only error a codec throws. `code` is the server error code a broker answers with
 * (unless the codec names a more precise one, e.g. InvalidIdentifier).
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: number;

  constructor(
    readonly kind: ProtocolErrorKind,
    message: string,
    code?: number,
  ) {
    super(message);
    this.code = code ?? codeByKind[kind];
  }
}
