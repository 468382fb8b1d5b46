/**
 * A throwaway PostgreSQL cluster for tests and benches: initdb into a temp dir (as the `postgres` system
 * user when we are root: initdb refuses root), started on a free port of 127.0.0.1 with its socket in
 * the temp dir, stopped and removed by `stop()`. Never a mock: the real server from Debian's packages.
 * When `NESTJS_IGGY_TEST_POSTGRES` names a running server (`.ci/run` starts one for the whole run), a
 * suite gets fresh databases there instead, dropped by `stop()`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);
const SYSTEM_USER = 'postgres';

export interface PostgresCluster {
  host: string;
  port: number;
  user: string;
  /** The database made at start. */
  database: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>` (trust auth, no password). */
  connectionString: string;
  /** Creates another database; returns its connection string. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Default `test`. */
  database?: string;
  /** Durable commits (default false: fsync off, as a test needs no crash safety of its own). */
  durable?: boolean;
}

/** The directory holding initdb and pg_ctl, or `undefined` when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const fromEnv = process.env.PG_BIN;
  if (fromEnv && hasTools(fromEnv)) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => hasTools(join(root, v, 'bin')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && hasTools(dir)) return dir;
  return undefined;
}

function hasTools(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
}

/** Starts a fresh cluster (about a second). Throws when PostgreSQL is missing or does not start. */
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresCluster> {
  const shared = process.env.NESTJS_IGGY_TEST_POSTGRES;
  if (shared && !options.durable) return databasesOn(shared, options.database ?? 'test');
  const bin = findPostgresBin();
  if (!bin) throw new Error('PostgreSQL not found (no initdb/pg_ctl): apt-get install -y postgresql');
  const asRoot = process.getuid?.() === 0;
  const owner = asRoot ? await systemUser() : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'nestjs-iggy-pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const as = (cmd: string, args: string[]) =>
    owner ? run('runuser', ['-u', SYSTEM_USER, '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args);
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    await as('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    const settings = [
      '-c listen_addresses=127.0.0.1',
      `-k ${dir}`,
      '-c max_connections=60',
      ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
    ];
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await as('pg_ctl', [
          '-D',
          data,
          '-l',
          join(dir, 'log'),
          '-w',
          '-t',
          '30',
          '-o',
          `-p ${port} ${settings.join(' ')}`,
          'start',
        ]);
        break;
      } catch (err) {
        if (attempt >= 3) throw new Error(`pg_ctl start failed: ${logTail(dir)}`, { cause: err });
      }
    }
    const stop = async (): Promise<void> => {
      process.removeListener('exit', stopSync);
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      cleanup();
    };
    // The process ends without `stop()` (a crashed suite): stop the server too, not only its files.
    const stopSync = (): void => {
      const args = [join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'];
      try {
        if (owner) execFileSync('runuser', ['-u', SYSTEM_USER, '--', ...args], { stdio: 'ignore' });
        else execFileSync(args[0]!, args.slice(1), { stdio: 'ignore' });
      } catch {
        // already stopped
      }
      cleanup();
    };
    process.once('exit', stopSync);
    const base = `postgres://postgres@127.0.0.1:${port}`;
    const createDatabase = async (name: string): Promise<string> => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name '${name}'`);
      await as('createdb', ['-h', dir, '-p', String(port), '-U', 'postgres', name]);
      return `${base}/${name}`;
    };
    const database = options.database ?? 'test';
    await createDatabase(database);
    return {
      host: '127.0.0.1',
      port,
      user: 'postgres',
      database,
      connectionString: `${base}/${database}`,
      createDatabase,
      stop,
    };
  } catch (err) {
    cleanup();
    throw err;
  }
}

/** The uid/gid of the `postgres` system user, created when missing. */
async function systemUser(): Promise<{ uid: number; gid: number }> {
  const ids = async () => {
    const uid = Number((await run('id', ['-u', SYSTEM_USER])).stdout.trim());
    const gid = Number((await run('id', ['-g', SYSTEM_USER])).stdout.trim());
    return { uid, gid };
  };
  try {
    return await ids();
  } catch {
    await run('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SYSTEM_USER]).catch(
      () => undefined,
    );
    return ids();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function logTail(dir: string): string {
  try {
    return readFileSync(join(dir, 'log'), 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Fresh databases (`<name>_<random>`) on a running server, dropped with their connections by `stop()`. */
async function databasesOn(adminUrl: string, database: string): Promise<PostgresCluster> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const url = new URL(adminUrl);
  const suffix = `_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const made: string[] = [];
  const connectionOf = (name: string): string => {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return u.toString();
  };
  const createDatabase = async (name: string): Promise<string> => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name '${name}'`);
    const real = `${name}${suffix}`;
    await admin.query(`CREATE DATABASE ${real}`);
    made.push(real);
    return connectionOf(real);
  };
  const connectionString = await createDatabase(database);
  return {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    database: made[0]!,
    connectionString,
    createDatabase,
    stop: async () => {
      for (const name of made.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}
