/** Where the storage layer reports repairs and background failures (structured fields, no formatting). */
export interface StorageLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything. */
export const silentStorageLogger: StorageLogger = {
  info: () => undefined,
  warn: () => undefined,
};
