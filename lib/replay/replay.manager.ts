import { inspect } from 'node:util';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { IggyConnector, PartitionInfo } from '../connectors/iggy-connector.js';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { Delivery } from '../consumer/delivery.js';
import { Dispatcher } from '../consumer/dispatcher.js';
import { IGGY_CONNECTOR } from '../consumer/iggy.tokens.js';
import { readPartition, type ReadFrom } from '../consumer/partition-reader.js';
import { RouteTable } from '../consumer/route-table.js';
import { readEventMeta } from '../events/envelope-headers.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import { partitionForTenant } from '../events/tenant-partitioner.js';
import { routeOf, type BoundHandler } from '../handlers/bound-handler.js';
import { ConsumerGroupManager } from '../handlers/consumer-group.manager.js';
import { compileEventPattern } from '../handlers/event-pattern.js';
import { ReplayError, type ReplayOptions, type ReplayProgress, type ReplayResult } from './replay-options.js';
import { defaultDestination } from '../connectors/connector-config.js';
import { withJsonView } from '../events/json-view.js';

const COMMIT_EVERY = 100;

/**
 * Replays a topic (or one tenant's partition) from the beginning, an offset or a time into a
 * registered group's handlers or into a function. Each partition is read with a single consumer under
 * a throwaway name, up to the end offset captured at the start (so a replay ends even while producers
 * keep publishing). The group's committed offsets are not touched unless `commit: true`.
 */
@Injectable()
export class ReplayManager {
  private readonly logger = new Logger('ReplayManager');
  private readonly serializers: SerializerRegistry;

  constructor(
    @Inject(IGGY_CONNECTOR) private readonly connector: IggyConnector,
    @Optional() private readonly groups?: ConsumerGroupManager,
    @Optional() serializers?: SerializerRegistry,
  ) {
    this.serializers = serializers ?? new SerializerRegistry();
  }

  /** Runs a replay to its end; resolves what it did (rejects with `ReplayError` on a failure unless `onError: 'skip'`). */
  async replay(options: ReplayOptions): Promise<ReplayResult> {
    const started = Date.now();
    const destination = defaultDestination(this.connector);
    const stream = options.stream ?? destination.stream;
    const topic = options.topic ?? destination.topic;
    const { group, handlers } = this.targetOf(options, topic);
    const dispatcher = new Dispatcher({
      group,
      routes: new RouteTable(handlers.map((h) => routeOf(h, false))),
      serializers: this.serializers,
      mode: 'replay',
      logger: this.logger,
    });
    const info = await this.connector.getTopic(stream, topic);
    if (!info) throw new Error(`replay: topic '${stream}/${topic}' does not exist`);
    const partitions = this.partitionsOf(options, info.partitions);
    const from = readFromOf(options.from);
    const result: ReplayResult = {
      stream,
      topic,
      partitions: [],
      processed: 0,
      handled: 0,
      skipped: 0,
      failed: 0,
      failures: [],
      aborted: false,
      durationMs: 0,
    };

    const replayPartition = async (partition: PartitionInfo): Promise<void> => {
      const progress: ReplayProgress = {
        partition: partition.id,
        offset: null,
        processed: 0,
        total: totalOf(partition, from),
        handled: 0,
        skipped: 0,
        failed: 0,
        done: false,
      };
      result.partitions.push(progress);
      const end = partition.currentOffset ?? -1n;
      const every = Math.max(1, options.progressEvery ?? 100);
      let uncommitted: ReceivedMessage | undefined;
      const messages = readPartition(this.connector, stream, topic, partition, {
        from,
        end,
        consumerPrefix: 'nestjs-iggy-replay',
        signal: options.signal,
      });
      for await (const message of messages) {
        if (progress.offset === null && typeof from === 'object' && 'timestamp' in from) {
          progress.total = Number(end - message.offset + 1n);
        }
        progress.offset = message.offset;
        progress.processed++;
        await this.replayOne(message, { options, dispatcher, progress, result });
        if (options.commit) {
          uncommitted = message;
          if (progress.processed % COMMIT_EVERY === 0) {
            await this.commit(stream, topic, group, message);
            uncommitted = undefined;
          }
        }
        if (progress.processed % every === 0) options.onProgress?.(withJsonView({ ...progress }));
      }
      if (uncommitted) await this.commit(stream, topic, group, uncommitted);
      // From a time after every message: nothing was there to read (the total was a guess until the first).
      if (
        progress.offset === null &&
        typeof from === 'object' &&
        'timestamp' in from &&
        !options.signal?.aborted
      ) {
        progress.total = 0;
      }
      progress.done = true;
      options.onProgress?.(withJsonView({ ...progress }));
    };

    const queue = [...partitions];
    const workers = Array.from(
      { length: Math.max(1, Math.min(options.concurrency ?? 1, queue.length)) },
      async () => {
        for (let p = queue.shift(); p; p = queue.shift()) await replayPartition(p);
      },
    );
    await Promise.all(workers);
    result.partitions.sort((a, b) => a.partition - b.partition);
    for (const p of result.partitions) {
      result.processed += p.processed;
      result.handled += p.handled;
      result.skipped += p.skipped;
      result.failed += p.failed;
    }
    result.aborted = options.signal?.aborted ?? false;
    result.durationMs = Date.now() - started;
    return withJsonView(result);
  }

  /** The replay as an Observable of its progress (completes at the end; unsubscribing aborts it). */
  replay$(options: Omit<ReplayOptions, 'onProgress' | 'signal'>): Observable<ReplayProgress> {
    return new Observable<ReplayProgress>((subscriber) => {
      const abort = new AbortController();
      this.replay({ ...options, signal: abort.signal, onProgress: (p) => subscriber.next(p) }).then(
        () => subscriber.complete(),
        (error: unknown) => subscriber.error(error),
      );
      return () => abort.abort();
    });
  }

  private async replayOne(
    message: ReceivedMessage,
    run: {
      options: ReplayOptions;
      dispatcher: Dispatcher;
      progress: ReplayProgress;
      result: ReplayResult;
    },
  ): Promise<void> {
    const { options, progress, result } = run;
    try {
      if (options.tenantId !== undefined && readEventMeta(message).tenantId !== options.tenantId) {
        progress.skipped++;
        return;
      }
      const outcome = await run.dispatcher.dispatch(new Delivery(message));
      if (outcome === 'handled') progress.handled++;
      else progress.skipped++;
    } catch (error) {
      progress.failed++;
      if ((options.onError ?? 'stop') === 'stop')
        throw new ReplayError(message.partition, message.offset, error);
      if (result.failures.length < 100) {
        result.failures.push({ partition: message.partition, offset: message.offset, error });
      }
    }
  }

  private targetOf(options: ReplayOptions, topic: string): { group: string; handlers: BoundHandler[] } {
    if ((options.group === undefined) === (options.handler === undefined)) {
      throw new Error('replay: give either `group` (a registered handler group) or `handler` (a function)');
    }
    if (options.commit && options.group === undefined) {
      throw new Error('replay: `commit: true` needs a `group` (whose offsets to store)');
    }
    if (options.group !== undefined) {
      const handlers = this.groups?.handlersOf(options.group, topic) ?? [];
      if (handlers.length === 0) {
        throw new Error(`replay: no @IggyEventHandler of group '${options.group}' on topic '${topic}'`);
      }
      return { group: options.group, handlers };
    }
    const fn = options.handler!;
    const pattern = options.types ?? '#';
    const handler: BoundHandler = {
      name: fn.name || 'replayHandler',
      pattern,
      matches: compileEventPattern(pattern),
      options: { group: 'replay', pattern },
      invoke: async (envelope, context) => fn(envelope, context),
    };
    return { group: 'replay', handlers: [handler] };
  }

  private partitionsOf(options: ReplayOptions, all: PartitionInfo[]): PartitionInfo[] {
    let wanted: number[] | undefined = options.partitions;
    if (options.tenantId !== undefined) {
      const own = partitionForTenant(options.tenantId, all.length);
      wanted = wanted ? wanted.filter((p) => p === own) : [own];
    }
    if (!wanted) return all;
    const missing = wanted.filter((p) => !all.some((x) => x.id === p));
    if (missing.length > 0)
      throw new Error(`replay: no partition ${missing.join(', ')} (the topic has ${all.length})`);
    return all.filter((p) => wanted.includes(p.id));
  }

  private async commit(
    stream: string,
    topic: string,
    group: string,
    message: ReceivedMessage,
  ): Promise<void> {
    await this.connector.storeOffset(
      stream,
      topic,
      { kind: 'group', name: group },
      message.partition,
      message.offset,
    );
  }
}

/** `options.from` as `readPartition` takes it; a plain Error naming the option when it is not one of the documented shapes. */
function readFromOf(from: ReplayOptions['from']): ReadFrom {
  if (from === undefined || from === 'beginning') return 'beginning';
  if (typeof from === 'object' && from !== null) {
    if ('offset' in from && typeof from.offset === 'bigint' && from.offset >= 0n)
      return { offset: from.offset };
    const ts: unknown = 'timestamp' in from ? from.timestamp : undefined;
    if (ts instanceof Date && !Number.isNaN(ts.getTime())) return { timestamp: BigInt(ts.getTime()) * 1000n };
    if (typeof ts === 'bigint' && ts >= 0n) return { timestamp: ts };
  }
  throw new Error(
    `replay: from must be 'beginning', { offset: bigint ≥ 0 } or { timestamp: bigint (µs since the epoch) or Date }, ` +
      `got ${inspect(from, { breakLength: Infinity })}`,
  );
}

/** Messages from the start position to the current offset (a timestamp start is refined on the first message). */
function totalOf(partition: PartitionInfo, from: ReadFrom): number {
  const current = partition.currentOffset;
  if (current === null) return 0;
  if (from === 'beginning' || 'timestamp' in from) return Number(partition.messagesCount);
  return from.offset > current ? 0 : Number(current - from.offset + 1n);
}
