import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { CatalogSnapshot } from './catalog.js';
import type { SlabSnapshot } from './slab.js';
import type { TokenJson } from './access-tokens.js';
import type { UserJson } from './users.js';
import { FILE_MODE } from '../storage/file-modes.js';

/** Everything the broker persists besides messages and consumer offsets. */
export interface MetadataSnapshot {
  version: 1;
  catalog: CatalogSnapshot;
  users: SlabSnapshot<UserJson>;
  tokens: TokenJson[];
}

const FILE = 'metadata.json';

/**
 * The metadata snapshot on disk, replaced crash-safely on every change: written to a temporary file,
 * fsynced, renamed over the old one, then the directory fsynced. A crash leaves either the old or the
 * new snapshot, never a mix. Writes are serialized in call order.
 */
export class MetadataFile {
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  get path(): string {
    return join(this.dir, FILE);
  }

  /** The saved snapshot, or null on first boot. A corrupt file is an error (never silently reset). */
  async load(): Promise<MetadataSnapshot | null> {
    await rm(`${this.path}.tmp`, { force: true });
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`metadata file ${this.path} is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const snapshot = parsed as Partial<MetadataSnapshot>;
    if (snapshot?.version !== 1 || !snapshot.catalog || !snapshot.users || !Array.isArray(snapshot.tokens)) {
      throw new Error(
        `metadata file ${this.path} has an unknown layout (version ${String(snapshot?.version)})`,
      );
    }
    return snapshot as MetadataSnapshot;
  }

  /** Writes `snapshot` (serialized now, written after the writes queued before it). */
  save(snapshot: MetadataSnapshot): Promise<void> {
    const text = JSON.stringify(snapshot);
    const write = this.queue.then(() => this.write(text));
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** Resolves once every queued write is done. */
  async drain(): Promise<void> {
    await this.queue;
  }

  private async write(text: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    const file = await open(tmp, 'w', FILE_MODE);
    try {
      await file.writeFile(text, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
    const dir = await open(this.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  }
}
