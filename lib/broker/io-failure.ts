import { CommandCode } from '../protocol/codes/command-codes.js';
import { IggyErrorCode } from '../protocol/codes/error-codes.js';

/** An operating-system I/O failure of a broker command, in the terms a client and an operator get. */
export interface IoFailure {
  /** The Iggy code answered: CannotSaveMessagesToSegment (4006) for a send, CannotWriteToFile (10006) else. */
  code: number;
  /** The cause in words, naming the system code (`no space left on the device (ENOSPC)`). */
  cause: string;
}

const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EIO: 'an I/O error of the device',
  EMFILE: 'too many open files in the process',
  ENFILE: 'too many open files in the system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/**
 * The broker's answer to a system error (`error.code` is `ENOSPC`, `EIO`...) thrown by a command, or
 * null when `error` is not one. Without this a full disk reaches the client as `Error (1)`.
 */
export function ioFailure(error: unknown, commandCode?: number): IoFailure | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return null;
  return {
    code:
      commandCode === CommandCode.SendMessages
        ? IggyErrorCode.CannotSaveMessagesToSegment
        : IggyErrorCode.CannotWriteToFile,
    cause: `${CAUSES[code] ?? 'a system error'} (${code})`,
  };
}
