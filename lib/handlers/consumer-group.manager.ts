import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { defaultDestination } from '../connectors/connector-config.js';
import type { IggyConnector, PartitionLag } from '../connectors/iggy-connector.js';
import type { StartFrom } from '../connectors/message-subscriber.js';
import { ConsumerRuntime, type GroupStatus } from '../consumer/consumer-runtime.js';
import { IGGY_DEAD_LETTER_SINK, type DeadLetterSink } from '../consumer/dead-letter-sink.js';
import type { IdempotencyStore } from '../consumer/idempotency/idempotency-store.js';
import { MemoryIdempotencyStore } from '../consumer/idempotency/memory-idempotency-store.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
import { RouteTable } from '../consumer/route-table.js';
import { withJsonView } from '../events/json-view.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import type { IggyTelemetry } from '../observability/iggy-telemetry.js';
import { IGGY_TELEMETRY } from '../observability/observability.constants.js';
import { routeOf, type BoundHandler } from './bound-handler.js';
import { HandlerExplorer } from './handler-explorer.js';
import {
  resolveHandlerSettings,
  type HandlerSettings,
  type HandlerSettingsInput,
} from './handler-settings.js';
import { namedError } from '../common/error-text.js';

/** How often a durable idempotency store is pruned (and once at start). */
const PRUNE_INTERVAL_MS = 10 * 60 * 1000;

/** Lag of one group on its topic (for the health indicator). */
export interface GroupLag {
  group: string;
  stream: string;
  topic: string;
  /** Messages not yet committed, all partitions together. */
  total: bigint;
  partitions: PartitionLag[];
}

/**
 * Runs the `@IggyEventHandler`s: at application bootstrap (the connector is connected by then) it
 * discovers them and starts one consumer runtime per (topic, group), the engine `IggyServer` uses too;
 * at shutdown it stops fetching, waits for the handlers in flight and commits, within
 * `handlers.shutdownTimeoutMs`, and leaves the groups, so the other instances take the partitions over.
 */
@Injectable()
export class ConsumerGroupManager
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger('ConsumerGroupManager');
  private readonly settings: HandlerSettings;
  private readonly serializers: SerializerRegistry;
  private consumers: ConsumerRuntime[] = [];
  private bound: BoundHandler[] | undefined;
  /** The guard's store: `handlers.idempotencyStore`, else a window per group in memory. */
  private readonly idempotency: IdempotencyStore;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly explorer: HandlerExplorer,
    @Inject(IGGY_CONNECTOR) private readonly connector: IggyConnector,
    @Inject(IGGY_OPTIONS) options: HandlerSettingsInput,
    @Optional() @Inject(IGGY_DEAD_LETTER_SINK) private readonly sink?: DeadLetterSink,
    @Optional() serializers?: SerializerRegistry,
    @Optional() @Inject(IGGY_TELEMETRY) private readonly telemetry?: IggyTelemetry | null,
  ) {
    this.settings = resolveHandlerSettings(options);
    this.serializers = serializers ?? new SerializerRegistry();
    this.idempotency =
      this.settings.handlers.idempotencyStore ??
      new MemoryIdempotencyStore(this.settings.handlers.idempotencyWindow);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.stop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  /** Every discovered handler. */
  handlers(): BoundHandler[] {
    this.bound ??= this.explorer.explore();
    return this.bound;
  }

  /** The handlers of one group (on `topic`, default the connector's topic). */
  handlersOf(group: string, topic?: string): BoundHandler[] {
    const defaultTopic = defaultDestination(this.connector).topic;
    const wanted = topic ?? defaultTopic;
    return this.handlers().filter(
      (h) => h.options.group === group && (h.options.topic ?? defaultTopic) === wanted,
    );
  }

  /** Starts every group (done at bootstrap; again after `stop()`). */
  async start(): Promise<void> {
    if (this.consumers.length === 0) this.consumers = this.buildConsumers();
    await Promise.all(this.consumers.map((c) => c.start()));
    if (this.consumers.length > 0) this.startPruning();
  }

  /** Stops every group gracefully (idempotent). */
  async stop(): Promise<void> {
    clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    await Promise.all(this.consumers.map((c) => c.stop()));
  }

  /** The registered groups, their handlers, partitions and counters. */
  groups(): GroupStatus[] {
    return this.consumers.map((c) => withJsonView(c.status()));
  }

  /** Every group's lag per partition (from the offsets committed on the server). */
  async lag(): Promise<GroupLag[]> {
    return Promise.all(
      this.consumers.map(async (c) => {
        const partitions = await c.lag();
        const { stream, topic, group } = c.spec;
        const total = partitions.reduce((sum, p) => sum + p.lag, 0n);
        return withJsonView({ group, stream, topic, partitions, total });
      }),
    );
  }

  /** Prunes a user's store now and every `PRUNE_INTERVAL_MS` (the memory window needs none). */
  private startPruning(): void {
    if (this.idempotency instanceof MemoryIdempotencyStore || this.pruneTimer) return;
    const prune = (): void => {
      this.idempotency.prune().catch((error: unknown) => {
        this.logger.warn(`pruning the idempotency store failed: ${namedError(error)}`);
      });
    };
    this.pruneTimer = setInterval(prune, PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    prune();
  }

  private buildConsumers(): ConsumerRuntime[] {
    const { stream, topic: defaultTopic } = defaultDestination(this.connector);
    const byGroup = new Map<string, BoundHandler[]>();
    for (const handler of this.handlers()) {
      const key = `${handler.options.topic ?? defaultTopic}\u0000${handler.options.group}`;
      byGroup.set(key, [...(byGroup.get(key) ?? []), handler]);
    }
    const { handlers: options, retry } = this.settings;
    return [...byGroup.entries()].map(([key, handlers]) => {
      const [topic, group] = key.split('\u0000') as [string, string];
      const routes = handlers.map((h) => routeOf(h, options.idempotency));
      return new ConsumerRuntime(
        this.connector,
        {
          stream,
          topic,
          group,
          observer: this.telemetry?.consumer({ stream, topic, group }),
          routes: new RouteTable(routes),
          serializers: this.serializers,
          concurrency: Math.max(...handlers.map((h) => h.options.concurrency ?? options.concurrency)),
          startFrom: this.startFromOf(group, handlers),
          idempotency: routes.some((r) => r.guarded) ? this.idempotency : undefined,
          sink: this.sink,
          shutdownTimeoutMs: options.shutdownTimeoutMs,
          retry,
          commit: { every: options.commitEvery, intervalMs: options.commitIntervalMs },
          pollIntervalMs: options.pollIntervalMs,
          batchSize: options.batchSize,
        },
        this.logger,
      );
    });
  }

  private startFromOf(group: string, handlers: BoundHandler[]): StartFrom | undefined {
    const given = handlers.filter((h) => h.options.startFrom !== undefined);
    const first = given[0];
    if (!first) return undefined;
    const distinct = new Set(
      given.map((h) =>
        JSON.stringify(h.options.startFrom, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)),
      ),
    );
    if (distinct.size > 1) {
      this.logger.warn(`group '${group}': handlers disagree on startFrom; using ${first.name}'s`);
    }
    return first.options.startFrom;
  }
}
