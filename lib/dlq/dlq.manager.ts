import { DeadLetterRedriveError } from './dead-letter-redrive.error.js';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { PublishRequest } from '../connectors/publish-request.js';
import { readEventMeta } from '../events/envelope-headers.js';
import { messageToEnvelope } from '../events/envelope-message.js';
import { ENVELOPE_HEADER_PREFIX } from '../events/envelope-validation.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import {
  REDRIVEN_HEADER,
  REDRIVE_GROUP_HEADER,
  REDRIVE_HANDLER_HEADER,
} from '../consumer/consumer.constants.js';
import { messageIdToUuid } from '../protocol/messages/message-id.js';
import { Header, HeaderKind, type UserHeaders } from '../protocol/primitives/user-headers.js';
import { IGGY_CONNECTOR } from '../consumer/iggy.tokens.js';
import { readPartition } from '../consumer/partition-reader.js';
import { compileDeadLetterFilter, type DeadLetterFilter } from './dead-letter-filter.js';
import {
  DEAD_LETTER_RESOLVED_TYPE,
  DEAD_LETTER_TYPE,
  DlqHeader,
  parseDeadLetter,
  resolutionEnvelope,
  type DeadLetter,
  type DeadLetterResolution,
} from './dead-letter.js';
import { DeadLetterWriter } from './dead-letter.writer.js';
import { describeError } from '../common/error-text.js';

export interface DeadLetterQuery extends DeadLetterFilter {
  /** At most this many dead letters, oldest first (default 100). */
  limit?: number;
}

/** What a redrive published. */
export interface RedriveResult {
  deadLetterId: string;
  eventId: string;
  stream: string;
  topic: string;
  /** The partition key (the event's tenant). */
  partitionKey: string;
  /** The redrive count the re-published event carries (`iggy.redriven`). */
  redriveCount: number;
}

/** Dead letters read in one pass over the DLQ topic at most (the topic is small, by design). */
const MAX_SCAN = 1_000_000;

/**
 * Inspects and settles dead letters. The DLQ topic is an append-only log read from the beginning with
 * a throwaway single consumer (no offsets stored); nothing in it is rewritten: a redrive or a purge
 * appends an `iggy.dead_letter_resolved` marker, and `list()` shows pending dead letters unless asked
 * otherwise. The messages themselves leave the topic by its retention (365 days by default) or a purge
 * of the whole topic on the server (`iggy topic purge`): Iggy deletes whole topics or segments only.
 */
@Injectable()
export class DlqManager {
  private readonly logger = new Logger('DlqManager');
  /**
   * Ids of the dead letters this process is redriving or purging now: a second call on one is refused
   * or skips it (a double click would otherwise handle the event twice: a redriven message bypasses the
   * idempotency guard). Calls from several processes at once are not coordinated.
   */
  private readonly resolving = new Set<string>();
  private readonly serializers: SerializerRegistry;

  constructor(
    @Inject(IGGY_CONNECTOR) private readonly connector: IggyConnector,
    private readonly writer: DeadLetterWriter,
    @Optional() serializers?: SerializerRegistry,
  ) {
    this.serializers = serializers ?? new SerializerRegistry();
  }

  /** Dead letters matching the query, oldest first. */
  async list(query: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = query.limit ?? 100;
    return (await this.scan(query)).slice(0, limit);
  }

  /** One dead letter by id (any status), or null. */
  async get(id: string): Promise<DeadLetter | null> {
    return (await this.scan({ status: 'all' }, id))[0] ?? null;
  }

  /** A dead letter with the failed envelope decoded (null, with the reason, when it cannot be). */
  async inspect(
    id: string,
  ): Promise<{ deadLetter: DeadLetter; envelope: EventEnvelope | null; decodeError?: string } | null> {
    const deadLetter = await this.get(id);
    if (!deadLetter) return null;
    try {
      const envelope = messageToEnvelope(this.originalMessage(deadLetter), this.serializers);
      return { deadLetter, envelope };
    } catch (error) {
      return {
        deadLetter,
        envelope: null,
        decodeError: describeError(error),
      };
    }
  }

  /**
   * Re-publishes the failed event to its origin topic (same event id, same tenant key so the same
   * partition, `iggy.redriven` count + 1) addressed to the failed group and handler only, then marks
   * the dead letter `redriven`. Throws `DeadLetterRedriveError` when it is missing or not pending.
   */
  async redrive(id: string): Promise<RedriveResult> {
    const result = await this.resolveOnce(id, async () => {
      const deadLetter = await this.get(id);
      if (!deadLetter) throw new DeadLetterRedriveError(id, 'not-found');
      if (deadLetter.status !== 'pending')
        throw new DeadLetterRedriveError(id, 'not-pending', deadLetter.status);
      return this.redriveOne(deadLetter);
    });
    if (result === undefined) throw new DeadLetterRedriveError(id, 'in-progress');
    return result;
  }

  /** Redrives every pending dead letter matching the filter, oldest first (skipping those being resolved now). */
  async redriveAll(filter: DeadLetterFilter = {}): Promise<RedriveResult[]> {
    const results: RedriveResult[] = [];
    for (const deadLetter of await this.scan({ ...filter, status: 'pending' })) {
      const result = await this.resolveOnce(deadLetter.id, () => this.redriveOne(deadLetter));
      if (result !== undefined) results.push(result);
    }
    return results;
  }

  /**
   * Marks the pending dead letters matching the filter as purged (they no longer list), skipping those
   * being resolved now; resolves how many it marked.
   */
  async purge(filter: DeadLetterFilter = {}): Promise<number> {
    let purged = 0;
    for (const deadLetter of await this.scan({ ...filter, status: 'pending' })) {
      const marked = await this.resolveOnce(deadLetter.id, async () => {
        await this.writer.publish(resolutionEnvelope(deadLetter, 'purged'));
        return true;
      });
      if (marked) purged++;
    }
    return purged;
  }

  /** `resolve()` unless another call of this process is resolving dead letter `id` now (then undefined). */
  private async resolveOnce<T>(id: string, resolve: () => Promise<T>): Promise<T | undefined> {
    if (this.resolving.has(id)) return undefined;
    this.resolving.add(id);
    try {
      return await resolve();
    } finally {
      this.resolving.delete(id);
    }
  }

  private async redriveOne(deadLetter: DeadLetter): Promise<RedriveResult> {
    const { origin, message } = deadLetter;
    const eventId = deadLetter.eventId ?? messageIdToUuid(message.id);
    const redriveCount = deadLetter.redriveCount + 1;
    const added: Record<string, string> = {
      [REDRIVEN_HEADER]: String(redriveCount),
      [REDRIVE_GROUP_HEADER]: deadLetter.group,
    };
    const single = !deadLetter.handler.includes(',') && !deadLetter.handler.startsWith('(');
    if (single) added[REDRIVE_HANDLER_HEADER] = deadLetter.handler;
    const request = PublishRequest.new(
      origin.stream,
      origin.topic,
      deadLetter.tenantId,
      message.payload,
      eventId,
    ).withHeaders(withEnvelopeHeaders(message.headers, added));
    await this.connector.publish(request);
    await this.writer.publish(resolutionEnvelope(deadLetter, 'redriven'));
    this.logger.log(
      `redrove dead letter ${deadLetter.id} (event ${eventId}) to ${origin.stream}/${origin.topic}`,
    );
    return {
      deadLetterId: deadLetter.id,
      eventId,
      stream: origin.stream,
      topic: origin.topic,
      partitionKey: deadLetter.tenantId,
      redriveCount,
    };
  }

  /** Reads the whole DLQ topic; dead letters matching the filter (or only `onlyId`), oldest first. */
  private async scan(filter: DeadLetterFilter, onlyId?: string): Promise<DeadLetter[]> {
    const { stream, topic } = this.writer.target;
    const info = await this.connector.getTopic(stream, topic);
    if (!info) return [];
    const matcher = compileDeadLetterFilter(filter);
    const found: DeadLetter[] = [];
    const resolutions = new Map<string, DeadLetterResolution>();
    let scanned = 0;
    for (const partition of info.partitions) {
      if (partition.currentOffset === null) continue;
      const messages = readPartition(this.connector, stream, topic, partition, {
        from: 'beginning',
        end: partition.currentOffset,
        consumerPrefix: 'nestjs-iggy-dlq',
      });
      for await (const message of messages) {
        if (++scanned > MAX_SCAN) {
          this.logger.warn(`DLQ scan stopped after ${MAX_SCAN} messages; purge or expire old dead letters`);
          break;
        }
        let meta;
        try {
          meta = readEventMeta(message);
        } catch {
          continue; // not ours
        }
        if (meta.type === DEAD_LETTER_RESOLVED_TYPE) {
          const target = meta.headers[DlqHeader.resolves];
          const how = meta.headers[DlqHeader.resolution];
          if (target && (how === 'redriven' || how === 'purged')) resolutions.set(target, how);
          continue;
        }
        if (meta.type !== DEAD_LETTER_TYPE) continue;
        if (onlyId !== undefined ? meta.id !== onlyId : !matcher.byHeaders(meta)) continue;
        try {
          const deadLetter = parseDeadLetter(messageToEnvelope(message, this.serializers), message);
          if (onlyId !== undefined || matcher.full(deadLetter)) found.push(deadLetter);
        } catch (error) {
          this.logger.warn(`unreadable dead letter at ${topic} offset ${message.offset}: ${String(error)}`);
        }
      }
    }
    for (const d of found) d.status = resolutions.get(d.id) ?? 'pending';
    return found
      .filter((d) => onlyId !== undefined || matcher.byStatus(d.status))
      .sort((a, b) => a.failedAt.getTime() - b.failedAt.getTime());
  }

  private originalMessage(deadLetter: DeadLetter) {
    return {
      ...deadLetter.origin,
      id: deadLetter.message.id,
      payload: deadLetter.message.payload,
      headers: deadLetter.message.headers,
    };
  }
}

/** The headers with the given envelope headers (`h.<name>`) set, replacing any earlier value. */
function withEnvelopeHeaders(headers: UserHeaders, added: Record<string, string>): UserHeaders {
  const keys = new Set(Object.keys(added).map((k) => ENVELOPE_HEADER_PREFIX + k));
  const kept = headers.filter((h) => !(h.key.kind === HeaderKind.String && keys.has(h.key.value)));
  for (const [name, value] of Object.entries(added)) {
    kept.push({ key: Header.string(ENVELOPE_HEADER_PREFIX + name), value: Header.string(value) });
  }
  return kept;
}
