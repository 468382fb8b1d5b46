import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeMessages, type PolledMessage } from '../../../../lib/protocol/messages/message-batch.js';
import { decodeMessages } from '../../../../lib/protocol/messages/message-walk.js';
import type { ReadResult } from '../../../../lib/broker/storage/partition-store.js';
import type { StorageLogger } from '../../../../lib/broker/storage/storage-logger.js';

/** A fresh directory under the OS temp dir; `cleanup` removes every one made. */
export class TempDirs {
  private readonly made: string[] = [];

  async make(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'iggy-storage-'));
    this.made.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

/** The prototype every `FileHandle` shares, to spy on its methods (`datasync`, `read`, `writev`…). */
export async function fileHandlePrototype(dirs: TempDirs): Promise<FileHandle> {
  const handle = await open(join(await dirs.make(), 'probe'), 'w');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

/** `count` messages whose payloads are `${tag}-${i}` padded to `payloadBytes`. */
export function batch(count: number, tag = 'm', payloadBytes = 100): Buffer {
  return encodeMessages(
    Array.from({ length: count }, (_, i) => ({
      payload: Buffer.from(`${tag}-${i}`.padEnd(payloadBytes, '.')),
      originTimestamp: 1n,
    })),
    1n,
  );
}

export function payloads(result: ReadResult): string[] {
  return decoded(result).map((m) => m.payload.toString().replace(/\.+$/, ''));
}

export function decoded(result: ReadResult): PolledMessage[] {
  return decodeMessages(result.messages, result.count);
}

/** A clock that returns what the test sets. */
export class TestClock {
  constructor(public now = 1_000_000n) {}
  readonly read = (): bigint => this.now;
}

/** A logger that keeps what it is told. */
export class RecordingLogger implements StorageLogger {
  readonly lines: { level: 'info' | 'warn'; message: string; fields?: Record<string, unknown> }[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, fields });
  }
}
