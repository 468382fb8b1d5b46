import { appendFileSync } from 'node:fs';
import { Inject, Injectable } from '@nestjs/common';
import type { IggyEventContext } from '../../lib/index.js';
import type { SampleConfig } from '../sample-config.js';
import { SAMPLE_CONFIG } from '../sample.constants.js';

/** One event a group handled (or started on), as `GET /orders/:tenant/handled` and the journal file show it. */
export interface JournalEntry {
  /** This process run: instance name, pid and start time. */
  run: string;
  instance: string;
  group: string;
  type: string;
  tenantId: string;
  orderId: string;
  eventId: string;
  partition: number;
  /** The message offset (decimal). */
  offset: string;
  /** `started`: a slow handler began; `handled`: the handler finished its work. */
  phase: 'started' | 'handled';
  redriven: number;
  at: string;
}

/**
 * What the handlers did, in order: kept in memory for the HTTP API and, when `SAMPLE_JOURNAL` names a
 * file, appended to it synchronously (one JSON line per entry) so it survives a crash of the process.
 */
@Injectable()
export class HandledJournal {
  private readonly entries: JournalEntry[] = [];
  private readonly run: string;

  constructor(@Inject(SAMPLE_CONFIG) private readonly config: SampleConfig) {
    this.run = `${config.instance}/${process.pid}/${Date.now()}`;
  }

  record(ctx: IggyEventContext, orderId: string, phase: JournalEntry['phase'] = 'handled'): JournalEntry {
    const event = ctx.getEvent();
    const entry: JournalEntry = {
      run: this.run,
      instance: this.config.instance,
      group: ctx.getGroup(),
      type: event.type,
      tenantId: event.tenantId,
      orderId,
      eventId: event.id,
      partition: ctx.getPartition(),
      offset: String(ctx.getOffset()),
      phase,
      redriven: ctx.getRedriveCount(),
      at: new Date().toISOString(),
    };
    if (phase === 'handled') this.entries.push(entry);
    if (this.config.journalFile) appendFileSync(this.config.journalFile, `${JSON.stringify(entry)}\n`);
    return entry;
  }

  /** What each group handled for one tenant, in handling order. */
  forTenant(tenantId: string): Record<string, JournalEntry[]> {
    const byGroup: Record<string, JournalEntry[]> = {};
    for (const entry of this.entries) {
      if (entry.tenantId !== tenantId) continue;
      (byGroup[entry.group] ??= []).push(entry);
    }
    return byGroup;
  }
}
