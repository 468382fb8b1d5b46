import { StorageError } from './storage-error.js';
import type { SegmentStorage, SegmentStorageProvider } from './segment-storage.js';

/** A growable byte area: written bytes never change, so views taken earlier stay valid. */
class ByteArea {
  bytes = Buffer.alloc(0);
  size = 0;

  write(data: Buffer, position: number): void {
    const end = position + data.length;
    if (end > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(end, this.bytes.length * 2, 4096));
      this.bytes.copy(grown, 0, 0, this.size);
      this.bytes = grown;
    }
    data.copy(this.bytes, position);
    this.size = Math.max(this.size, end);
  }
}

/** A segment held in memory (`persistent: false`). */
export class MemorySegmentStorage implements SegmentStorage {
  private readonly log = new ByteArea();
  private readonly index = new ByteArea();

  async write(
    log: readonly Buffer[],
    logPosition: number,
    index: Buffer,
    indexPosition: number,
  ): Promise<void> {
    let at = logPosition;
    for (const bytes of log) {
      this.log.write(bytes, at);
      at += bytes.length;
    }
    this.index.write(index, indexPosition);
  }

  async readLog(target: Buffer, targetOffset: number, position: number, length: number): Promise<void> {
    if (position + length > this.log.size) {
      throw new StorageError(
        'Corrupt',
        `in-memory segment holds ${this.log.size} bytes, asked for ${position}+${length}`,
      );
    }
    this.log.bytes.copy(target, targetOffset, position, position + length);
  }

  async readIndex(): Promise<Buffer> {
    return Buffer.from(this.index.bytes.subarray(0, this.index.size));
  }

  async sync(): Promise<void> {}

  async syncLog(): Promise<void> {}

  async truncate(logSize: number, indexSize: number): Promise<void> {
    this.log.size = Math.min(this.log.size, logSize);
    this.index.size = Math.min(this.index.size, indexSize);
  }

  retain(): void {}

  release(): void {}

  async close(): Promise<void> {}

  /** The bytes go with the last reference to this storage (reads under way still finish). */
  async remove(): Promise<void> {}
}

export const memorySegmentProvider: SegmentStorageProvider = {
  create: async () => new MemorySegmentStorage(),
  syncDirectory: async () => {},
  destroy: async () => {},
};
