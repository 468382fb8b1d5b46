import type { IggyConnector } from '../../connectors/iggy-connector.js';
import type { DeadLetter } from '../../dlq/dead-letter.js';
import type { DlqManager } from '../../dlq/dlq.manager.js';
import type { DeadLetterReading } from '../dashboard-reading.js';

/** A DLQ that keeps changing is read whole at most this often. */
const MIN_RESCAN_MS = 2_000;

/**
 * Pending dead letters per group and event type, for the dashboard. `DlqManager.list` reads the whole
 * DLQ topic, so the summary is kept until the topic's offsets move (and read again at most every
 * `MIN_RESCAN_MS` while they keep moving).
 */
export class DeadLetterDigest {
  private cached: { mark: string; at: number; rows: DeadLetterReading[] } | undefined;

  constructor(
    private readonly dlq: DlqManager,
    private readonly connector: IggyConnector,
    private readonly target: { stream: string; topic: string },
  ) {}

  async read(): Promise<DeadLetterReading[]> {
    const info = await this.connector.getTopic(this.target.stream, this.target.topic);
    if (!info) return [];
    const mark = info.partitions.map((p) => `${p.id}:${p.currentOffset ?? ''}`).join(',');
    const cached = this.cached;
    if (cached && (cached.mark === mark || Date.now() - cached.at < MIN_RESCAN_MS)) return cached.rows;
    const pending = await this.dlq.list({ status: 'pending', limit: Number.MAX_SAFE_INTEGER });
    const rows = summarize(pending);
    this.cached = { mark, at: Date.now(), rows };
    return rows;
  }
}

/** Dead letters counted per (group, event type), each pair with its most recent error. */
export function summarize(deadLetters: readonly DeadLetter[]): DeadLetterReading[] {
  const rows = new Map<string, DeadLetterReading>();
  for (const d of deadLetters) {
    const eventType = d.eventType ?? null;
    const key = `${d.group}\u0000${eventType ?? ''}`;
    const row = rows.get(key);
    const error = { name: d.error.name, message: d.error.message };
    if (!row) {
      rows.set(key, { group: d.group, eventType, count: 1, lastError: error, lastFailedAt: d.failedAt });
      continue;
    }
    row.count++;
    if (d.failedAt >= row.lastFailedAt) {
      row.lastError = error;
      row.lastFailedAt = d.failedAt;
    }
  }
  return [...rows.values()];
}
