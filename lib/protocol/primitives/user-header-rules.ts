import { IggyErrorCode } from '../codes/error-codes.js';
import { ProtocolError } from '../protocol-error.js';

/** A user header key or value holds 1..255 bytes. */
export const MAX_FIELD_BYTES = 255;

/** Fixed byte size by kind; 0 for the variable-size raw and string kinds. */
export const FIXED_SIZE: readonly number[] = [0, 0, 0, 1, 1, 2, 4, 8, 16, 1, 2, 4, 8, 16, 4, 8];

/** A header key or value that breaks the layout's rules, as the server answers it. */
export function invalidHeader(role: 'key' | 'value', message: string): ProtocolError {
  return new ProtocolError(
    'InvalidValue',
    `user header ${role}: ${message}`,
    role === 'key' ? IggyErrorCode.InvalidHeaderKey : IggyErrorCode.InvalidHeaderValue,
  );
}
