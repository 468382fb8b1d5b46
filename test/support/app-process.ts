import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './build-once.js';

/** What the sample app prints once it serves (`SAMPLE_APP_READY {...}`). */
export interface SampleAppInfo {
  http: number;
  mode: 'embedded' | 'remote';
  tcp: number | null;
  brokerHttp: number | null;
  instance: string;
  pid: number;
}

/** An HTTP answer: status and parsed JSON body (or text). */
export interface HttpReply<T = unknown> {
  status: number;
  body: T;
}

const live = new Set<ChildRun>();
const dirs = new Set<string>();
// Last resort: a Jest worker that exits with children still running takes them along.
process.once('exit', () => {
  for (const run of live) run.child.kill('SIGKILL');
});

/** A child process with its output kept, its exit awaited, and a way to wait for a line. */
export class ChildRun {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private out = '';
  private readonly watchers = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    live.add(this);
    const append = (chunk: Buffer): void => {
      this.out += chunk.toString('utf8');
      for (const w of [...this.watchers]) w();
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(this);
        for (const w of [...this.watchers]) w();
        resolve({ code, signal });
      });
    });
  }

  get output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first match of `pattern` in the output (waits for it; fails on exit or after `timeoutMs`). */
  waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.watchers.delete(check);
      };
      const check = (): void => {
        const match = pattern.exec(this.out);
        if (match) {
          done();
          resolve(match);
        } else if (!this.running) {
          done();
          reject(new Error(`process exited before printing ${pattern}:\n${this.tail()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      this.watchers.add(check);
      check();
    });
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `graceMs`). */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    graceMs = 20_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  tail(lines = 40): string {
    return this.out.split('\n').slice(-lines).join('\n');
  }
}

/** The sample app (`dist/sample-app/main.js`) as a child process. */
export class SampleAppProcess extends ChildRun {
  info!: SampleAppInfo;

  static async start(env: Record<string, string>): Promise<SampleAppProcess> {
    // Without a data dir the app's SQLite file would default to ./data/sample.sqlite in the checkout,
    // shared by every test: give it its own (with a data dir it lives beside it, kept across restarts).
    const database =
      env.IGGY_DATA_DIR || env.SAMPLE_SQLITE_FILE || env.DATABASE_URL
        ? {}
        : { SAMPLE_SQLITE_FILE: join(tempDir(), 'sample.sqlite') };
    const child = spawn(process.execPath, ['dist/sample-app/main.js'], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', PORT: '0', ...database, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new SampleAppProcess(child);
    const [, json] = await app.waitForOutput(/SAMPLE_APP_READY (\{.*\})/);
    app.info = JSON.parse(json!) as SampleAppInfo;
    return app;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.info.http}${path}`;
  }

  get<T = unknown>(path: string): Promise<HttpReply<T>> {
    return http<T>('GET', this.url(path));
  }

  post<T = unknown>(path: string, body: unknown = {}): Promise<HttpReply<T>> {
    return http<T>('POST', this.url(path), body);
  }
}

/** One HTTP call with a JSON body; the reply's body parsed when it is JSON. */
export async function http<T = unknown>(method: string, url: string, body?: unknown): Promise<HttpReply<T>> {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T };
}

/** The embedded broker CLI (`dist/lib/cli/iggy-embedded.js`) as a child process. */
export class BrokerProcess extends ChildRun {
  port!: number;

  /** `extraArgs` go to the CLI after the defaults (`--fsync always`, `--segment-size-bytes 4096`...). */
  static async start(
    dataDir: string,
    tcpPort = 0,
    extraArgs: readonly string[] = [],
  ): Promise<BrokerProcess> {
    const args = [
      'dist/lib/cli/iggy-embedded.js',
      '--data-dir',
      dataDir,
      '--tcp-port',
      String(tcpPort),
      '--no-http',
      '--with-default-root-credentials',
      ...extraArgs,
    ];
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const broker = new BrokerProcess(child);
    const [, port] = await broker.waitForOutput(/TCP listening on [^\s]+:(\d+)/);
    broker.port = Number(port);
    return broker;
  }
}

/** A fresh temporary directory, removed by `cleanUp()`. */
export function tempDir(prefix = 'nestjs-iggy-e2e-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.add(dir);
  return dir;
}

/** Kills every child still running (SIGKILL) and removes the temporary directories. */
export async function cleanUp(): Promise<void> {
  await Promise.all([...live].map((run) => run.stop('SIGKILL', 5_000)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `check` until it returns a truthy value; fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  check: () => T | Promise<T>,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<Truthy<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until) {
      throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
