import { IggyErrorCode } from '../../protocol/codes/error-codes.js';

/** Why the storage layer refused or failed. */
export type StorageErrorKind =
  /** Bytes on disk are not what was written: a bad checksum, length or index outside a repairable tail. */
  | 'Corrupt'
  /** The message ends handed to `append` do not end its batch. */
  | 'InvalidBatch'
  /** A batch that cannot be stored (it would push a segment position past u32). */
  | 'TooLarge'
  /** The store was closed. */
  | 'Closed';

const codeByKind: Record<StorageErrorKind, number> = {
  Corrupt: IggyErrorCode.CannotReadMessage,
  InvalidBatch: IggyErrorCode.InvalidMessagesSize,
  TooLarge: IggyErrorCode.InvalidMessagesSize,
  Closed: IggyErrorCode.SegmentClosed,
};

/** Where a storage problem sits, so an operator can act on it. */
export interface StorageErrorDetails {
  /** The file concerned (a segment's `.log` or `.index`). */
  file?: string;
  /** The absolute message offset concerned. */
  offset?: bigint;
  /** The byte position within `file`. */
  position?: number;
}

/** The error every storage operation throws for a storage-level reason (I/O errors pass through as they are). */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  /** The server error code a broker answers with. */
  readonly code: number;
  readonly file?: string;
  readonly offset?: bigint;
  readonly position?: number;

  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    details: StorageErrorDetails = {},
  ) {
    super(message);
    this.code = codeByKind[kind];
    this.file = details.file;
    this.offset = details.offset;
    this.position = details.position;
  }
}
