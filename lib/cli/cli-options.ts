import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { EmbeddedServerConfig } from '../broker/embedded-server.js';
import { DEFAULT_ROOT_CREDENTIALS } from '../broker/metadata/root-credentials.js';
import type { FsyncMode } from '../broker/storage/partition-store.js';

/** What `iggy-embedded` was asked to do. */
export interface CliOptions {
  server: EmbeddedServerConfig;
  /** Also log the broker's debug lines. */
  verbose: boolean;
}

/** Bad arguments (or --help / --version): `exitCode` is what the process should exit with. */
export class CliExit extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export const CLI_DEFAULTS = {
  dataDir: './data/iggy',
  host: '127.0.0.1',
  httpHost: '127.0.0.1',
  tcpPort: 8090,
  httpPort: 3000,
} as const;

/** `always`, `never` or `interval:<ms>`. */
export function parseFsync(value: string): FsyncMode {
  if (value === 'always' || value === 'never') return { kind: value };
  const match = /^interval:(\d+)$/.exec(value);
  if (match && Number(match[1]) > 0) return { kind: 'interval', ms: Number(match[1]) };
  throw new InvalidArgumentError('expected always, never or interval:<ms> (ms > 0)');
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port, 0..65535');
  return port;
}

function program(version: string): Command {
  return new Command('iggy-embedded')
    .description(
      'Runs the embedded Iggy-compatible broker (the binary protocol over TCP, answering as server 0.8, and the Iggy HTTP API).',
    )
    .version(version)
    .option('--data-dir <dir>', 'where streams, messages and metadata are kept', CLI_DEFAULTS.dataDir)
    .option('--in-memory', 'keep everything in memory (nothing is written; --data-dir is ignored)', false)
    .option('--host <host>', 'address the binary protocol listener binds to', CLI_DEFAULTS.host)
    .option(
      '--http-host <host>',
      'address the HTTP listener binds to (credentials asked off loopback)',
      CLI_DEFAULTS.httpHost,
    )
    .option('--tcp-port <port>', 'binary protocol port (0 = any free port)', parsePort, CLI_DEFAULTS.tcpPort)
    .option(
      '--http-port <port>',
      'HTTP API port (also /stats, /metrics; 0 = any free port)',
      parsePort,
      CLI_DEFAULTS.httpPort,
    )
    .option('--no-http', 'do not start the HTTP listener')
    .addOption(
      new Option('--fsync <mode>', 'durability of appends: always | never | interval:<ms>')
        .argParser(parseFsync)
        .default({ kind: 'interval', ms: 1000 }, 'interval:1000'),
    )
    .addOption(
      new Option('--root-username <name>', 'root user name (default iggy; applied at every start)').env(
        'IGGY_ROOT_USERNAME',
      ),
    )
    .addOption(
      new Option(
        '--root-password <password>',
        'root password, applied at every start (default: random on first start, printed once)',
      ).env('IGGY_ROOT_PASSWORD'),
    )
    .option('--with-default-root-credentials', 'root is iggy/iggy (for development on loopback)', false)
    .option(
      '--allow-default-root-password',
      'listen off loopback although root has the default password iggy',
      false,
    )
    .option(
      '--http-allowed-host <name...>',
      'more names clients reach the HTTP API by (the Host header is checked against DNS rebinding)',
    )
    .option('--segment-size-bytes <n>', 'segment rollover size (default 1 GiB)', parsePositiveInt)
    .option('--max-connections <n>', 'TCP connections accepted at once (default 4096)', parsePositiveInt)
    .option(
      '--tls-cert <file>',
      'serve the binary protocol over TLS with this PEM certificate (needs --tls-key)',
    )
    .option('--tls-key <file>', 'PEM private key of --tls-cert')
    .option('--verbose', 'log debug lines too', false)
    .exitOverride()
    .allowExcessArguments(false);
}

/**
 * Parses the arguments (without `node` and the script). `write` receives --help / --version text and
 * error messages; both end in a `CliExit`.
 */
export function parseCliArgs(
  args: readonly string[],
  write: (text: string) => void = (text) => process.stderr.write(text),
  version = '0.0.0',
): CliOptions {
  const cmd = program(version).configureOutput({ writeOut: write, writeErr: write });
  try {
    cmd.parse([...args], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) throw new CliExit(error.message, error.exitCode);
    throw error;
  }
  const o = cmd.opts<{
    dataDir: string;
    inMemory: boolean;
    host: string;
    httpHost: string;
    tcpPort: number;
    httpPort: number;
    http: boolean;
    fsync: FsyncMode;
    rootUsername?: string;
    rootPassword?: string;
    withDefaultRootCredentials: boolean;
    allowDefaultRootPassword: boolean;
    maxConnections?: number;
    segmentSizeBytes?: number;
    httpAllowedHost?: string[];
    tlsCert?: string;
    tlsKey?: string;
    verbose: boolean;
  }>();
  if ((o.tlsCert === undefined) !== (o.tlsKey === undefined)) {
    write('error: --tls-cert and --tls-key go together\n');
    throw new CliExit('--tls-cert and --tls-key go together', 1);
  }
  if (o.withDefaultRootCredentials && (o.rootUsername !== undefined || o.rootPassword !== undefined)) {
    const message = '--with-default-root-credentials and --root-username/--root-password exclude each other';
    write(`error: ${message}\n`);
    throw new CliExit(message, 1);
  }
  const root = o.withDefaultRootCredentials
    ? { rootUsername: DEFAULT_ROOT_CREDENTIALS.username, rootPassword: DEFAULT_ROOT_CREDENTIALS.password }
    : { rootUsername: o.rootUsername, rootPassword: o.rootPassword };
  const server: EmbeddedServerConfig = {
    persistent: !o.inMemory,
    dataDir: o.inMemory ? undefined : o.dataDir,
    host: o.host,
    httpHost: o.httpHost,
    httpAllowedHosts: o.httpAllowedHost,
    tcpPort: o.tcpPort,
    httpPort: o.http ? o.httpPort : null,
    fsync: o.fsync,
    segmentSizeBytes: o.segmentSizeBytes,
    ...root,
    allowDefaultRootPassword: o.allowDefaultRootPassword,
    limits: { maxConnections: o.maxConnections },
    tls: o.tlsCert && o.tlsKey ? { cert: o.tlsCert, key: o.tlsKey } : undefined,
  };
  return { server, verbose: o.verbose };
}
