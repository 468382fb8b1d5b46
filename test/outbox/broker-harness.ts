/** The real embedded broker (in memory or on a temp dir) and a subscriber that collects what reaches it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedConnector } from '../../lib/connectors/embedded-connector.js';
import type { MessageSubscriber, ReceivedMessage } from '../../lib/connectors/message-subscriber.js';
import { readEventMeta } from '../../lib/events/envelope-headers.js';

export const STREAM = 'outbox-test';
export const TOPIC = 'domain';

export interface Delivered {
  /** The envelope id (from the headers). */
  id: string;
  /** The Iggy message id the message arrived with (u128). */
  messageId: bigint;
  tenant: string;
  type: string;
  payload: Buffer;
  partition: number;
  offset: bigint;
  /** When the subscriber got it (ms, performance.now()). */
  at: number;
}

export class BrokerHarness {
  readonly connector = new EmbeddedConnector();
  private dataDir: string | undefined;

  constructor(
    readonly partitions = 4,
    persistent = false,
  ) {
    if (persistent) this.dataDir = mkdtempSync(join(tmpdir(), 'nestjs-iggy-outbox-broker-'));
  }

  /** Starts (or restarts, on the same data dir) the broker and ensures the stream and topic. */
  async start(): Promise<void> {
    await this.connector.connect({
      streamName: STREAM,
      topicName: TOPIC,
      partitions: this.partitions,
      embedded: {
        persistent: this.dataDir !== undefined,
        dataDir: this.dataDir ?? './unused',
        tcpPort: null,
        httpPort: null,
        fsync: { kind: 'never' },
      },
    });
    await this.connector.ensureStream(STREAM);
    await this.connector.ensureTopic(STREAM, { name: TOPIC, partitions: this.partitions });
  }

  /** The broker goes away: publishing fails until `start()` again. */
  async down(): Promise<void> {
    await this.connector.shutdown();
  }

  async stop(): Promise<void> {
    await this.connector.shutdown();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }

  /** Reads every partition from the beginning. */
  async collect(): Promise<Collector> {
    const subscribers: MessageSubscriber[] = [];
    for (let p = 0; p < this.partitions; p++) {
      subscribers.push(
        await this.connector.subscribe(STREAM, TOPIC, p, {
          startFrom: 'beginning',
          consumerName: `collector-${p}`,
          pollIntervalMs: 2,
          batchSize: 1000,
        }),
      );
    }
    return new Collector(subscribers);
  }
}

export class Collector {
  readonly delivered: Delivered[] = [];
  private readonly waiters = new Set<() => void>();
  private readonly loops: Promise<void>[];

  constructor(private readonly subscribers: MessageSubscriber[]) {
    this.loops = subscribers.map((s) => this.pump(s));
  }

  private async pump(subscriber: MessageSubscriber): Promise<void> {
    for await (const message of subscriber) this.push(message);
  }

  private push(message: ReceivedMessage): void {
    const meta = readEventMeta(message);
    this.delivered.push({
      id: meta.id,
      messageId: message.id,
      tenant: meta.tenantId,
      type: meta.type,
      payload: message.payload,
      partition: message.partition,
      offset: message.offset,
      at: performance.now(),
    });
    for (const wake of this.waiters) wake();
  }

  /** Resolves once `count` messages arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<Delivered[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.delivered.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`waited ${timeoutMs} ms for ${count} messages, got ${this.delivered.length}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, Math.min(left, 200));
        this.waiters.add(wake);
      });
    }
    return this.delivered;
  }

  /** Event ids per tenant, in delivery order. */
  byTenant(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const d of this.delivered) {
      const list = map.get(d.tenant) ?? [];
      list.push(d.id);
      map.set(d.tenant, list);
    }
    return map;
  }

  /** The partitions each tenant's events arrived on. */
  partitionsByTenant(): Map<string, Set<number>> {
    const map = new Map<string, Set<number>>();
    for (const d of this.delivered) map.set(d.tenant, (map.get(d.tenant) ?? new Set()).add(d.partition));
    return map;
  }

  async close(): Promise<void> {
    await Promise.all(this.subscribers.map((s) => s.close()));
    await Promise.all(this.loops.map((l) => l.catch(() => undefined)));
  }
}

/** Lets the event loop run for `ms`. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
