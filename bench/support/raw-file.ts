/** Baselines and runners shared by the I/O benches: a raw file, sequential and pipelined batch runners. */
import { open, type FileHandle } from 'node:fs/promises';
import type { BatchRunner } from './measure.js';

export type Fsync = 'never' | 'always';

/** A plain file written with positional appends and read back by batch, as the baseline. */
export class RawFile {
  private position = 0;
  private constructor(private readonly handle: FileHandle) {}

  static async create(path: string): Promise<RawFile> {
    return new RawFile(await open(path, 'w+'));
  }

  /** Batches written so far (all of `length` bytes). */
  batches(length: number): number {
    return Math.floor(this.position / length);
  }

  /** Writes `bytes` after what was appended before (its place is taken at once, so appends may overlap). */
  async append(bytes: Buffer, fsync: Fsync): Promise<void> {
    const at = this.position;
    this.position += bytes.length;
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, at + done);
      done += bytesWritten;
    }
    if (fsync === 'always') await this.handle.datasync();
  }

  /** Batch `k` into a new buffer, as a poll reads into a new buffer. */
  async read(k: number, length: number): Promise<Buffer> {
    const target = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.handle.read(target, 0, length, k * length);
    if (bytesRead !== length) throw new Error(`raw read of batch ${k}: ${bytesRead} of ${length} bytes`);
    return target;
  }

  close(): Promise<void> {
    return this.handle.close();
  }
}

export function sequential(one: () => Promise<unknown>): BatchRunner {
  return async (batches) => {
    for (let i = 0; i < batches; i++) await one();
  };
}

/** Keeps `depth` batches in flight until `batches` are done; `one` is told which lane (0..depth-1) runs it. */
export function pipelined(depth: number, one: (lane: number) => Promise<unknown>): BatchRunner {
  return async (batches) => {
    let started = 0;
    const lane = async (_: unknown, index: number): Promise<void> => {
      while (started < batches) {
        started++;
        await one(index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(depth, batches) }, lane));
  };
}

/** Batch indexes to poll, cycling over the first ones both sides produced. */
export function cycler(cycle: number): () => number {
  let k = 0;
  return () => k++ % cycle;
}
