/**
 * Brokers run as their own process for the benches: `iggy-embedded` (this package's CLI, from `dist/`)
 * or a real `iggy-server` binary. Each is started on a free port and stopped with SIGTERM; `peakRssMb`
 * reads the process's high-water mark of resident memory from /proc (Linux), `null` elsewhere.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

export interface BrokerProcess {
  name: string;
  address: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** Highest resident set size of the broker process so far, MB. */
  peakRssMb(): number | null;
}

/** `iggy-embedded` on an ephemeral port; `dataDir` = persistent there, `null` = in memory. */
export async function startIggyEmbedded(dataDir: string | null): Promise<BrokerProcess> {
  const cli = new URL('../../lib/cli/iggy-embedded.js', import.meta.url).pathname;
  const storage = dataDir === null ? ['--in-memory'] : ['--data-dir', dataDir];
  const child = spawn(
    process.execPath,
    [cli, ...storage, '--tcp-port', '0', '--no-http', '--root-password', 'iggy'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /TCP listening on [^\s]+:(\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`iggy-embedded exited (${code}) before listening`)));
  });
  return processHandle('iggy-embedded', `127.0.0.1:${port}`, child);
}

/** A real `iggy-server` binary with its data in `dataDir`, root `iggy`/`iggy`, TCP only. */
export async function startIggyServer(binary: string, dataDir: string): Promise<BrokerProcess> {
  const port = await freePort();
  const child = spawn(binary, [], {
    stdio: ['ignore', 'ignore', 'ignore'],
    env: {
      ...process.env,
      IGGY_ROOT_USERNAME: 'iggy',
      IGGY_ROOT_PASSWORD: 'iggy',
      IGGY_SYSTEM_PATH: dataDir,
      IGGY_TCP_ADDRESS: `127.0.0.1:${port}`,
      IGGY_HTTP_ENABLED: 'false',
      IGGY_QUIC_ENABLED: 'false',
    },
  });
  await waitForPort(port, child, 30_000);
  return processHandle(binary.split('/').at(-1)!, `127.0.0.1:${port}`, child);
}

function processHandle(name: string, address: string, child: ChildProcess): BrokerProcess {
  return {
    name,
    address,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
    peakRssMb: () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
        return kb === undefined ? null : Number(kb) / 1024;
      } catch {
        return null;
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.spawnfile} exited (${child.exitCode})`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing listens on ${port} after ${timeoutMs} ms`);
}
