import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../sample-app/app.module.js';
import { startSampleApp } from '../../sample-app/bootstrap.js';
import type { JournalEntry } from '../../sample-app/ops/handled-journal.js';
import { mergeOptions, sampleIggyDefaults, type SampleConfig } from '../../sample-app/sample-config.js';
import type { IggyModuleOptions } from '../../lib/index.js';
import { http, tempDir, type HttpReply } from '../support/app-process.js';

export type { JournalEntry };

/** The sample app in the test process (Nest testing module), on its own data dir and ephemeral ports. */
export class InProcessApp {
  private constructor(
    readonly app: INestApplication,
    readonly port: number,
  ) {}

  /** `beforeStart` runs on the created app before it is wired and listens (middleware, say). */
  static async start(
    iggy: IggyModuleOptions = {},
    beforeStart?: (app: INestApplication) => void,
  ): Promise<InProcessApp> {
    const dir = tempDir();
    const config: SampleConfig = {
      http: { host: '127.0.0.1', port: 0 },
      iggy: mergeOptions(
        mergeOptions(sampleIggyDefaults, {
          embedded: { dataDir: join(dir, 'iggy'), tcpPort: 0, httpPort: null },
        }),
        iggy,
      ),
      instance: 'in-process',
      rpcGroup: 'sample-app-rpc',
      database: { kind: 'sqlite', file: join(dir, 'sample.sqlite') },
      outbox: { relay: true, crashBeforeMark: false },
    };
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    beforeStart?.(app);
    const { info } = await startSampleApp(app, config);
    return new InProcessApp(app, info.http);
  }

  get<T = unknown>(path: string): Promise<HttpReply<T>> {
    return http<T>('GET', `http://127.0.0.1:${this.port}${path}`);
  }

  post<T = unknown>(path: string, body: unknown = {}): Promise<HttpReply<T>> {
    return http<T>('POST', `http://127.0.0.1:${this.port}${path}`, body);
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

/** A `POST /orders` body. */
export function order(
  tenantId: string,
  orderId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { tenantId, orderId, items: [{ sku: 'book', quantity: 1 }], total: 12.5, ...extra };
}

/** `GET /orders/:tenant/handled`: the order ids a group handled for `type`, in order. */
export interface HandledReply {
  tenantId: string;
  groups: Record<string, JournalEntry[]>;
}

export function orderIds(reply: HandledReply, group: string, type = 'order.created'): string[] {
  return (reply.groups[group] ?? []).filter((e) => e.type === type).map((e) => e.orderId);
}

/** The entries of a journal file (`SAMPLE_JOURNAL`). */
export function readJournal(file: string): JournalEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as JournalEntry);
}

/** Handled entries of `group` for `type` (all runs). */
export function handled(entries: JournalEntry[], group: string, type = 'order.created'): JournalEntry[] {
  return entries.filter((e) => e.phase === 'handled' && e.group === group && e.type === type);
}

/**
 * The environment of a sample app process whose broker data and journal live in `dir` (no listeners), so
 * that a restart on the same `dir` finds them again.
 */
export function appEnvIn(dir: string): { journal: string; env: Record<string, string> } {
  const journal = join(dir, 'journal.jsonl');
  const env = {
    IGGY_DATA_DIR: join(dir, 'iggy'),
    IGGY_TCP_PORT: 'none',
    IGGY_HTTP_PORT: 'none',
    SAMPLE_JOURNAL: journal,
  };
  return { journal, env };
}
