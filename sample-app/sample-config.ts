import { dirname, join } from 'node:path';
import { iggyConfigFromEnv, type IggyModuleOptions } from '../lib/index.js';
import type { SampleDatabaseConfig } from './db/shop-database.js';

/** What the sample app runs with: where it listens, its Iggy config and what it records. */
export interface SampleConfig {
  http: { host: string; port: number };
  /** `IggyModule.forRoot` options: the sample's defaults under the `IGGY_*` environment variables. */
  iggy: IggyModuleOptions;
  /** Name of this instance in logs and in the journal (several instances can share a group). */
  instance: string;
  /** A JSON-lines file every handled event is appended to (the e2e tests read it); none by default. */
  journalFile?: string;
  /** Consumer group of the `IggyServer` that answers `@MessagePattern` requests. */
  rpcGroup: string;
  /** The orders and the outbox: a SQLite file, or PostgreSQL. */
  database: SampleDatabaseConfig;
  outbox: {
    /** Whether this instance relays the outbox (`SAMPLE_OUTBOX_RELAY=off`: it only writes; another relays). */
    relay: boolean;
    /** TEST HOOK: see `crashBeforeMark` (`SAMPLE_TEST_CRASH_BEFORE_MARK=1`). */
    crashBeforeMark: boolean;
  };
}

/** The sample's Iggy defaults: embedded broker in `./data/iggy`, quick retries, a 3 s request timeout. */
export const sampleIggyDefaults: IggyModuleOptions = {
  mode: 'embedded',
  streamName: 'shop',
  embedded: { dataDir: './data/iggy' },
  retry: { attempts: 3, initialDelayMs: 100, maxDelayMs: 1_000 },
  requestReply: { timeoutMs: 3_000 },
};

/**
 * The config from environment variables: `PORT` (default 3100), `HTTP_HOST` (default 127.0.0.1; `0.0.0.0` in a container),
 * `SAMPLE_INSTANCE`, `SAMPLE_JOURNAL`, and every `IGGY_*` variable `iggyConfigFromEnv` reads
 * (`IGGY_MODE=remote`, `IGGY_ADDRESSES`, `IGGY_DATA_DIR`, `IGGY_TCP_PORT`, `IGGY_HTTP_PORT`, ...).
 * The database: `DATABASE_URL` (PostgreSQL), else the SQLite file `SAMPLE_SQLITE_FILE` (default
 * `sample.sqlite` beside the broker's data dir: `./data/sample.sqlite`). `SAMPLE_OUTBOX_RELAY=off`: this
 * instance writes to the outbox but does not relay it. `SAMPLE_TEST_CRASH_BEFORE_MARK=1` is a test hook.
 */
export function sampleConfigFromEnv(env: Record<string, string | undefined> = process.env): SampleConfig {
  const port = Number(env.PORT ?? 3100);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number (0..65535), got '${env.PORT}'`);
  }
  const iggy = mergeOptions(sampleIggyDefaults, iggyConfigFromEnv(env));
  const config: SampleConfig = {
    http: { host: env.HTTP_HOST ?? '127.0.0.1', port },
    iggy,
    instance: env.SAMPLE_INSTANCE ?? `sample-${process.pid}`,
    rpcGroup: 'sample-app-rpc',
    database: env.DATABASE_URL
      ? { kind: 'postgres', url: env.DATABASE_URL }
      : { kind: 'sqlite', file: env.SAMPLE_SQLITE_FILE ?? defaultSqliteFile(iggy) },
    outbox: {
      relay: env.SAMPLE_OUTBOX_RELAY !== 'off',
      crashBeforeMark: env.SAMPLE_TEST_CRASH_BEFORE_MARK === '1',
    },
  };
  if (env.SAMPLE_JOURNAL) config.journalFile = env.SAMPLE_JOURNAL;
  return config;
}

/** `sample.sqlite` beside the embedded broker's data dir (`./data/iggy` → `./data/sample.sqlite`). */
export function defaultSqliteFile(iggy: IggyModuleOptions): string {
  return join(dirname(iggy.embedded?.dataDir ?? './data/iggy'), 'sample.sqlite');
}

/** `over` on top of `base`; nested option blocks (`embedded`, `remote`, `retry`, ...) merged key by key. */
export function mergeOptions(base: IggyModuleOptions, over: IggyModuleOptions): IggyModuleOptions {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    const nested = isBlock(prev) && isBlock(value);
    out[key] = nested ? { ...prev, ...value } : value;
  }
  return out as IggyModuleOptions;
}

function isBlock(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
