import { readFileSync } from 'node:fs';
import type { BrokerLogger } from '../broker/broker-config.js';
import { EmbeddedServer } from '../broker/embedded-server.js';
import { CliExit, parseCliArgs } from './cli-options.js';
import { describeError } from '../common/error-text.js';

/** Where the CLI writes: lines for people (stdout) and log lines (stderr). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const processIo: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** The package version, for --version (read once, best effort). */
function packageVersion(): string {
  // dist/lib/cli/ when built, lib/cli/ when run from source.
  for (const path of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'nestjs-iggy' && pkg.version) return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

function logger(io: CliIo, verbose: boolean): BrokerLogger {
  const at = (level: string) => (message: string) =>
    io.err(`${new Date().toISOString()} ${level} ${message}`);
  return { debug: verbose ? at('DEBUG') : undefined, info: at('INFO'), warn: at('WARN'), error: at('ERROR') };
}

/**
 * Parses the arguments, starts the broker with its listeners and prints where they listen. Returns the
 * running server; `stop()` it to shut down gracefully. Throws `CliExit` for --help, --version and bad arguments.
 */
export async function startCli(args: readonly string[], io: CliIo = processIo): Promise<EmbeddedServer> {
  const { server: config, verbose } = parseCliArgs(args, (text) => io.err(text.trimEnd()), packageVersion());
  // Shown once, as the real server does: nothing else can tell it (it is stored hashed, never logged);
  // at once, so a start that fails after creating the user (a port in use) does not lose it.
  const onRootPasswordGenerated = (generated: string): void =>
    io.out(
      `iggy-embedded: created the root user with the random password ${generated} (shown once; ` +
        `--root-password / IGGY_ROOT_PASSWORD sets another at any start)`,
    );
  const server = await EmbeddedServer.start({
    ...config,
    logger: logger(io, verbose),
    onRootPasswordGenerated,
  });
  const tcp = server.tcpAddress;
  io.out(`iggy-embedded: ${config.persistent ? `data in ${config.dataDir}` : 'in memory (nothing is kept)'}`);
  io.out(`iggy-embedded: TCP${server.tcp?.tls ? ' (TLS)' : ''} listening on ${tcp.host}:${tcp.port}`);
  const http = server.httpAddress;
  if (http)
    io.out(
      `iggy-embedded: HTTP listening on http://${http.host}:${http.port} (/ping, /stats, /streams, /metrics)`,
    );
  return server;
}

/** The `iggy-embedded` program: runs until SIGINT or SIGTERM, then stops gracefully and exits 0. */
export async function runCli(
  args: readonly string[] = process.argv.slice(2),
  io: CliIo = processIo,
): Promise<void> {
  let server: EmbeddedServer;
  try {
    server = await startCli(args, io);
  } catch (error) {
    if (error instanceof CliExit) process.exit(error.exitCode);
    io.err(`iggy-embedded: cannot start: ${describeError(error)}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      io.err(`iggy-embedded: ${signal} again, exiting at once`);
      process.exit(1);
    }
    stopping = true;
    io.out(`iggy-embedded: ${signal} received, stopping`);
    server.stop().then(
      () => {
        io.out('iggy-embedded: stopped');
        process.exit(0);
      },
      (error: unknown) => {
        io.err(`iggy-embedded: stop failed: ${describeError(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
