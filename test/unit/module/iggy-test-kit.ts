import { Logger, type LoggerService } from '@nestjs/common';
import type { IggyModuleOptions } from '../../../lib/module/interfaces/iggy-module-options.interface.js';

/** An in-memory embedded broker without listeners, so tests run in parallel without ports or files. */
export function memoryConfig(overrides: IggyModuleOptions = {}): IggyModuleOptions {
  return {
    streamName: 'test',
    partitions: 4,
    ...overrides,
    embedded: { persistent: false, tcpPort: null, httpPort: null, ...overrides.embedded },
  };
}

/** The same through env variables (for the @nestjs/config path). */
export const memoryEnv = {
  IGGY_MODE: 'embedded',
  IGGY_PERSISTENT: 'false',
  IGGY_TCP_PORT: 'none',
  IGGY_HTTP_PORT: 'none',
  IGGY_PARTITIONS: '4',
};

/** A logger that keeps what it was told, for assertions (and quiet test output). */
export class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`log ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`warn ${String(message)}`);
  }
  debug(): void {}
  verbose(): void {}
}

/** Routes Nest's static Logger to a recording logger; returns it. */
export function recordLogs(): RecordingLogger {
  const logger = new RecordingLogger();
  Logger.overrideLogger(logger);
  return logger;
}

/** Polls `check` until it is true (or fails after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
