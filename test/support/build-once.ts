import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const SOURCES = ['lib', 'sample-app', 'bench'];
const LOCK = join(
  tmpdir(),
  `nestjs-iggy-build-${createHash('sha1').update(repoRoot).digest('hex').slice(0, 12)}.lock`,
);
const STALE_LOCK_MS = 5 * 60_000;

/** Source files whose compiled `dist/<path>.js` is missing or older than the source. */
export function staleFiles(): string[] {
  const stale: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
        const out = join(repoRoot, 'dist', relative(repoRoot, path).replace(/\.ts$/, '.js'));
        const built = mtime(out);
        if (built === null || built < (mtime(path) ?? 0)) stale.push(relative(repoRoot, path));
      }
    }
  };
  for (const dir of SOURCES) walk(join(repoRoot, dir));
  return stale;
}

/**
 * Compiles the project (`tsc -p tsconfig.build.json`) when `dist` is older than the sources, once for
 * every test file that needs it (a lock file serializes concurrent Jest workers). Type errors elsewhere
 * in the tree do not stop it: tsc still emits, and the tests then run what was emitted.
 */
export async function ensureBuilt(): Promise<void> {
  if (staleFiles().length === 0) return;
  await withLock(() => {
    if (staleFiles().length === 0) return;
    const started = Date.now();
    const tsc = join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    // A file saved while tsc ran may still be newer than its output: that is not a failure.
    const left = staleFiles().filter((file) => (mtime(join(repoRoot, file)) ?? 0) < started);
    if (left.length > 0) {
      throw new Error(
        `build failed (${left.length} file(s) not emitted, e.g. ${left[0]}):\n${run.stdout}${run.stderr}`,
      );
    }
  });
}

async function withLock(fn: () => void): Promise<void> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      const age = Date.now() - (mtime(LOCK) ?? Date.now());
      if (age > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}
