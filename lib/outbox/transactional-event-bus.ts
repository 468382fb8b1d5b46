import { createEnvelope, type CreateEnvelopeInput, type EventEnvelope } from '../events/event-envelope.js';
import { EnvelopeValidationError } from '../events/event-errors.js';
import { JsonSerializer } from '../events/json-serializer.js';
import type { Serializer } from '../events/serializer.js';
import type { IggyTracing } from '../observability/iggy-tracing.js';
import type { ProducerTelemetry } from '../observability/producer-telemetry.js';
import { OutboxError } from './outbox-error.js';
import { envelopeToRecord, type OutboxTarget } from './outbox-record.js';
import type { OutboxRecord, OutboxStore } from './outbox-store.js';
import { describeError } from '../common/error-text.js';

/** What `publishInTx` takes: an event without its tenant and actor (given beside it). */
export type OutboxEvent<T = unknown> = Omit<CreateEnvelopeInput<T>, 'tenantId' | 'actorId'> & {
  /** Publish somewhere else than the bus's default target (both names, or neither). */
  target?: { stream: string; topic: string };
};

export interface TransactionalEventBusOptions {
  /** Serializes payloads when the event is written (default JSON). */
  serializer?: Serializer;
  /** Where events go; default: the connector's default stream and topic. */
  target?: { stream: string; topic: string };
  /** Tracing: each row keeps the caller's trace context in its headers, for the relay's publish. */
  telemetry?: ProducerTelemetry;
}

/**
 * Writes events into the outbox table inside the caller's own transaction; the `OutboxRelay` publishes
 * them after commit. Nothing is sent to Iggy from here: rolled back, the event never existed.
 */
export class TransactionalEventBus<Txn = unknown> {
  private readonly serializer: Serializer;
  private readonly target: OutboxTarget;
  private readonly listeners = new Set<(record: OutboxRecord) => void>();
  private readonly tracing: IggyTracing | undefined;

  constructor(
    readonly store: OutboxStore<Txn>,
    options: TransactionalEventBusOptions = {},
  ) {
    this.serializer = options.serializer ?? new JsonSerializer();
    this.target = options.target;
    this.tracing = options.telemetry?.tracing;
  }

  /**
   * Writes `event` for `tenantId` through `txn` (the caller's transaction) and returns its envelope; the
   * envelope id is a UUID v7 and the id the Iggy message will carry. Validation and serialization come
   * first: a bad or unserializable event fails with `OutboxError` (`InvalidEvent` / `Serialize`) and
   * nothing is written. A database error is an `OutboxError` (`Store`): roll your transaction back.
   */
  async publishInTx<T>(
    txn: Txn,
    tenantId: string,
    actorId: string | null,
    event: OutboxEvent<T>,
  ): Promise<EventEnvelope<T>> {
    const { envelope, record } = this.prepare(tenantId, actorId, event);
    try {
      await this.store.insert(txn, record);
    } catch (err) {
      throw storeError(err, record.id);
    }
    this.written(record);
    return envelope;
  }

  /**
   * `publishInTx` for synchronous drivers (SQLite), inside `db.transaction(() => ...)`; throws
   * `OutboxError` (`Config`) when the store cannot insert synchronously.
   */
  publishInTxSync<T>(
    txn: Txn,
    tenantId: string,
    actorId: string | null,
    event: OutboxEvent<T>,
  ): EventEnvelope<T> {
    const insertSync = this.store.insertSync?.bind(this.store);
    if (!insertSync) {
      throw new OutboxError('Config', `the ${this.store.dialect} outbox store cannot insert synchronously`);
    }
    const { envelope, record } = this.prepare(tenantId, actorId, event);
    try {
      insertSync(txn, record);
    } catch (err) {
      throw storeError(err, record.id);
    }
    this.written(record);
    return envelope;
  }

  /** The envelope and row for an event, without writing anything (validation + serialization). */
  prepare<T>(
    tenantId: string,
    actorId: string | null,
    event: OutboxEvent<T>,
  ): { envelope: EventEnvelope<T>; record: OutboxRecord } {
    const { target, ...input } = event as OutboxEvent<T> & Record<string, unknown>;
    let envelope: EventEnvelope<T>;
    try {
      envelope = createEnvelope<T>({ ...input, tenantId, actorId: actorId ?? undefined });
    } catch (err) {
      const why = err instanceof EnvelopeValidationError ? err.message : describeError(err);
      throw new OutboxError('InvalidEvent', `event rejected: ${why}`, { cause: err });
    }
    envelope.id = envelope.id.toLowerCase();
    this.tracing?.injectActive(envelope.headers);
    const to = target ?? this.target;
    if (to !== undefined && (!to.stream || !to.topic)) {
      throw new OutboxError('InvalidEvent', 'an event target needs both a stream and a topic');
    }
    return { envelope, record: envelopeToRecord(envelope, this.serializer, to) };
  }

  /**
   * Calls `listener` after each row written in this process (not committed yet): an in-process hint
   * that lets a relay look sooner than its poll interval. Returns the unsubscribe function.
   */
  onWritten(listener: (record: OutboxRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private written(record: OutboxRecord): void {
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // a hint only: a failing listener never fails the caller's transaction
      }
    }
  }
}

function storeError(err: unknown, eventId: string): OutboxError {
  if (err instanceof OutboxError) return err;
  return new OutboxError('Store', `outbox insert of event ${eventId} failed: ${describeError(err)}`, {
    cause: err,
    eventId,
  });
}
