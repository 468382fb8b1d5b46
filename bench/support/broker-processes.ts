/*
 * The brokers a bench starts itself, each on a free loopback port with its own temp dirs: nats-server,
 * redis-server and rabbitmq-server from Debian's packages when installed (otherwise a reason to print),
 * and this project's `iggy-embedded` CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A broker process this bench started. */
export interface BrokerProcess {
  name: string;
  /** `host:port` clients connect to. */
  address: string;
  /** Highest RSS of the process and its children so far (Linux; undefined elsewhere). */
  peakRssBytes(): number | undefined;
  stop(): Promise<void>;
}

/** A broker that could not be had, and why. */
export interface Unavailable {
  skipped: string;
}

export type Started = BrokerProcess | Unavailable;

export const isUnavailable = (s: Started): s is Unavailable => 'skipped' in s;

/** A port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The first executable of that name on PATH or in the sbin dirs (Debian puts daemons there). */
export function findExecutable(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter((d) => d.length > 0)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this dir
    }
  }
  return undefined;
}

/** The last `limit` characters a child wrote, for an error message. */
function tail(child: ChildProcess, limit = 2_000): () => string {
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-limit);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text.trim();
}

/** Sum of VmHWM (peak RSS) over a running process and its descendants; undefined where /proc has none. */
export function treePeakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    return kb * 1024 + children.reduce((sum, child) => sum + (treePeakRss(Number(child)) ?? 0), 0);
  } catch {
    return undefined;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM to the child (its process group when `group`), SIGKILL after `graceMs`. */
async function terminate(child: ChildProcess, group: boolean, graceMs = 10_000): Promise<void> {
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (group) process.kill(-child.pid!, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  const done = await Promise.race([exited(child).then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    signal('SIGKILL');
    await exited(child);
  }
}

/** Resolves once `port` accepts a connection; rejects when the child exits first or after `ms`. */
async function listening(child: ChildProcess, port: number, ms: number, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before listening: ${output()}`);
    }
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`not listening on ${port} after ${ms} ms: ${output()}`);
    await sleep(100);
  }
}

function broker(
  name: string,
  child: ChildProcess,
  port: number,
  group = false,
  extra: ChildProcess[] = [],
): BrokerProcess {
  return {
    name,
    address: `127.0.0.1:${port}`,
    peakRssBytes: () => treePeakRss(child.pid!),
    stop: async () => {
      await terminate(child, group);
      for (const c of extra) await terminate(c, false);
    },
  };
}

/** Spawns `command`, waits for `port`; on failure stops what it spawned and says why. */
async function startListening(
  name: string,
  command: string,
  args: string[],
  port: number,
  options: { env?: NodeJS.ProcessEnv; group?: boolean; readyMs?: number; extra?: ChildProcess[] } = {},
): Promise<Started> {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
    detached: options.group ?? false,
  });
  const output = tail(child);
  const started = broker(name, child, port, options.group, options.extra);
  try {
    await listening(child, port, options.readyMs ?? 15_000, output);
    return started;
  } catch (error) {
    await started.stop();
    return { skipped: `${name} did not start: ${(error as Error).message}` };
  }
}

/** Core NATS (no JetStream: nothing persisted), as `Transport.NATS` uses it. */
export async function startNats(): Promise<Started> {
  const bin = findExecutable('nats-server');
  if (!bin) return { skipped: 'nats-server not installed, skipped' };
  const port = await freePort();
  return startListening('nats-server', bin, ['-a', '127.0.0.1', '-p', String(port)], port);
}

/** Redis without snapshots or AOF (pub/sub persists nothing anyway). */
export async function startRedis(dir: string): Promise<Started> {
  const bin = findExecutable('redis-server');
  if (!bin) return { skipped: 'redis-server not installed, skipped' };
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ];
  return startListening('redis-server', bin, args, port);
}

/**
 * RabbitMQ run directly (not as a service: no systemd here) with its own epmd, node name, ports, config,
 * Mnesia and log dirs under `dir`, everything bound to loopback.
 */
export async function startRabbit(dir: string): Promise<Started> {
  const script = '/usr/lib/rabbitmq/bin/rabbitmq-server';
  const epmdBin = findExecutable('epmd');
  try {
    accessSync(script, constants.X_OK);
  } catch {
    return { skipped: 'rabbitmq-server not installed, skipped' };
  }
  if (!epmdBin) return { skipped: 'epmd (Erlang) not found, rabbitmq skipped' };
  const [port, distPort, epmdPort] = [await freePort(), await freePort(), await freePort()];
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'rabbitmq.conf'), '');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  const epmd = spawn(epmdBin, ['-port', String(epmdPort), '-address', '127.0.0.1'], { stdio: 'ignore' });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: dir,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_NODENAME: `bench${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
    RABBITMQ_LOGS: '-',
  };
  return startListening('rabbitmq-server', script, [], port, {
    env,
    group: true,
    readyMs: 60_000,
    extra: [epmd],
  });
}

/** `iggy-embedded` (persistent, its defaults) on a free port, in `dataDir`. */
export async function startIggyEmbedded(cli: string, dataDir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    [cli, '--data-dir', dataDir, '--tcp-port', '0', '--http-port', '0', '--root-password', 'iggy'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const output = tail(child);
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const read = (chunk: Buffer): void => {
        out += chunk.toString();
        const match = /TCP listening on [^\s]+:(\d+)/.exec(out);
        if (!match) return;
        child.stdout!.off('data', read);
        resolve(Number(match[1]));
      };
      child.stdout!.on('data', read);
      child.once('exit', (code) => reject(new Error(`exited (${code}) before listening: ${output()}`)));
    });
    return broker('iggy-embedded', child, port);
  } catch (error) {
    await terminate(child, false);
    return { skipped: `iggy-embedded did not start: ${(error as Error).message}` };
  }
}

/** A real `iggy-server` binary with its data in `dataDir`, root `iggy`/`iggy`, TCP only. */
export async function startIggyServer(binary: string, dataDir: string): Promise<Started> {
  const port = await freePort();
  const env = {
    ...process.env,
    IGGY_ROOT_USERNAME: 'iggy',
    IGGY_ROOT_PASSWORD: 'iggy',
    IGGY_SYSTEM_PATH: dataDir,
    IGGY_TCP_ADDRESS: `127.0.0.1:${port}`,
    IGGY_HTTP_ENABLED: 'false',
    IGGY_QUIC_ENABLED: 'false',
  };
  return startListening(binary.split('/').at(-1)!, binary, [], port, { env, readyMs: 30_000 });
}
