import { IggyErrorCode } from '../codes/error-codes.js';
import { ProtocolError } from '../protocol-error.js';
import type { BinaryReader } from './binary-reader.js';
import type { BinaryWriter } from './binary-writer.js';

export const PollingKind = { Offset: 1, Timestamp: 2, First: 3, Last: 4, Next: 5 } as const;
export type PollingKindValue = (typeof PollingKind)[keyof typeof PollingKind];

/**
 * Where a poll starts: an offset, a timestamp (µs, first message at or after it), the first or last
 * messages, or the next one after the consumer's stored offset. `value` is only meaningful for
 * offset and timestamp (0 otherwise).
 */
export interface PollingStrategy {
  kind: PollingKindValue;
  value: bigint;
}

/** PollingStrategy constructors. */
export const PollingStrategy = {
  offset: (offset: bigint): PollingStrategy => ({ kind: PollingKind.Offset, value: offset }),
  timestamp: (micros: bigint): PollingStrategy => ({ kind: PollingKind.Timestamp, value: micros }),
  first: (): PollingStrategy => ({ kind: PollingKind.First, value: 0n }),
  last: (): PollingStrategy => ({ kind: PollingKind.Last, value: 0n }),
  next: (): PollingStrategy => ({ kind: PollingKind.Next, value: 0n }),
} as const;

/** Encoded size in bytes. */
export const POLLING_STRATEGY_SIZE = 9;

function isPollingKind(kind: number): kind is PollingKindValue {
  return Number.isInteger(kind) && kind >= PollingKind.Offset && kind <= PollingKind.Next;
}

export function writePollingStrategy(w: BinaryWriter, s: PollingStrategy): void {
  if (!isPollingKind(s.kind)) throw new ProtocolError('InvalidValue', `unknown polling kind ${s.kind}`);
  w.u8(s.kind).u64(s.value);
}

export function readPollingStrategy(r: BinaryReader): PollingStrategy {
  const kind = r.u8('polling kind');
  if (!isPollingKind(kind)) {
    throw new ProtocolError(
      'InvalidValue',
      `${r.context}: polling kind ${kind} is not 1..5 (offset, timestamp, first, last, next)`,
      IggyErrorCode.InvalidCommand,
    );
  }
  return { kind, value: r.u64('polling value') };
}
