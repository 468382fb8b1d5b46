import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IggyConnector, PartitionLag } from '../connectors/iggy-connector.js';
import { ConsumerGroupManager } from '../handlers/consumer-group.manager.js';
import { healthCheck } from '../topology/health-check.js';
import type { TopologyConfigInput } from '../topology/topology-config.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
import {
  IGGY_HEALTH_INDICATOR_SERVICE,
  type HealthSessionFactory,
} from './health-indicator-service.provider.js';
import {
  IGGY_HEALTH_OUTBOX_RELAY,
  IGGY_HEALTH_OUTBOX_STORE,
  type OutboxLagReader,
  type OutboxRelayState,
  type OutboxRelayStatsReader,
} from './outbox-health-source.js';
import { describeError } from '../common/error-text.js';

/** What the indicator reads of the module's options (`IGGY_OPTIONS`). */
interface HealthModuleOptions {
  streamName: string;
  topicName: string;
  topology: { input: TopologyConfigInput };
}

/** A group whose lag is checked: by name (on the domain topic) or with its topic. */
export type LagTarget = string | { group: string; topic?: string };

/** Thresholds of `isHealthy`; all optional. */
export interface IggyHealthOptions {
  /** A ping slower than this is `down` (default 1000 ms). */
  maxLatencyMs?: number;
  /**
   * How long each of the ping, the lag query and the outbox query may take (default `maxLatencyMs`, at
   * least 1000 ms): a server that hangs makes the check `down` within about this, not a probe timeout.
   */
  timeoutMs?: number;
  /** Check that the stream and its domain/system/dlq topics exist (default true). */
  checkTopology?: boolean;
  /**
   * Lag (messages not yet committed, all partitions) above which a group is `down`: one number for every
   * group, or per group name. Default: none (lag is reported, never judged).
   */
  maxLag?: number | Record<string, number>;
  /**
   * Groups to report besides the `@IggyEventHandler` groups (always reported, from
   * `ConsumerGroupManager`): e.g. an `IggyServer`'s group, or a group of another service. A name alone
   * means the domain topic.
   */
  groups?: LagTarget[];
  /**
   * With the outbox configured: `down` when its oldest pending row is older than this (default 60 s,
   * i.e. the relay is stuck or the broker has been unreachable that long). The outbox's lag is always
   * in the details.
   */
  maxOutboxAgeMs?: number;
}

/** The outbox's backlog in the details (present when the module has an outbox). */
export interface OutboxLagDetail {
  /** Rows waiting to be published. */
  pending: number;
  /** Age of the oldest pending row; `null` when none is pending. */
  oldestPendingAgeMs: number | null;
  /** Rows moved aside as unpublishable. */
  dead: number;
  maxAgeMs: number;
  /** This instance's relay (`null` with `relay: false`: another process relays). */
  relay: { state: OutboxRelayState; published: number; failures: number; lastError: string | null } | null;
}

/** One group's lag in the details (numbers, so the details serialize to JSON). */
export interface GroupLagDetail {
  group: string;
  topic: string;
  lag: number;
  maxLag: number | null;
  partitions: { partition: number; lag: number; currentOffset: string | null; storedOffset: string | null }[];
}

/** Terminus' `HealthIndicatorResult` shape: `{ [key]: { status, ...details } }`. */
export type IggyHealthResult<Key extends string = string> = Record<
  Key,
  { status: 'up' | 'down' } & Record<string, unknown>
>;

/**
 * A `@nestjs/terminus` health indicator (Terminus 11+ `HealthIndicatorService` API):
 * `health.check([() => iggy.isHealthy('iggy', { maxLag: 1000 })])`. `down` when the connector is not
 * connected, a ping fails or is slower than `maxLatencyMs`, a topology topic is missing, a group's
 * lag is above `maxLag`, or the oldest pending outbox row is older than `maxOutboxAgeMs`; the details say
 * which and why (`reasons`), and include the outbox's lag (`outbox`) when the module has one.
 */
@Injectable()
export class IggyHealthIndicator {
  constructor(
    @Inject(IGGY_CONNECTOR) private readonly connector: IggyConnector,
    @Inject(IGGY_OPTIONS) private readonly options: HealthModuleOptions,
    @Optional()
    @Inject(IGGY_HEALTH_INDICATOR_SERVICE)
    private readonly sessions?: HealthSessionFactory | null,
    @Optional() private readonly groups?: ConsumerGroupManager,
    @Optional()
    @Inject(IGGY_HEALTH_OUTBOX_STORE)
    private readonly outboxStore?: OutboxLagReader | null,
    @Optional() @Inject(IGGY_HEALTH_OUTBOX_RELAY) private readonly relay?: OutboxRelayStatsReader | null,
  ) {}

  async isHealthy<Key extends string = 'iggy'>(
    key: Key = 'iggy' as Key,
    options: IggyHealthOptions = {},
  ): Promise<IggyHealthResult<Key>> {
    const maxLatencyMs = options.maxLatencyMs ?? 1000;
    const timeoutMs = options.timeoutMs ?? Math.max(maxLatencyMs, 1000);
    const report = await healthCheck(this.connector, {
      degradedLatencyMs: maxLatencyMs,
      timeoutMs,
      topology: options.checkTopology === false ? false : this.options.topology.input,
    });
    const { reasons } = report.details;
    let lag: GroupLagDetail[] = [];
    if (report.status !== 'unhealthy') {
      try {
        lag = await withTimeout(this.lagOf(options), timeoutMs);
      } catch (err) {
        reasons.push(`consumer lag could not be read: ${describeError(err)}`);
      }
      for (const g of lag) {
        if (g.maxLag !== null && g.lag > g.maxLag) {
          reasons.push(`group '${g.group}' lags ${g.lag} messages on '${g.topic}', above ${g.maxLag}`);
        }
      }
    }
    const outbox = this.outboxStore ? await this.outboxLag(options, timeoutMs, reasons) : undefined;
    const { degradedLatencyMs: _ignored, ...found } = report.details;
    const details = { ...found, maxLatencyMs, groups: lag, ...(outbox && { outbox }) };
    const up = reasons.length === 0;
    const session = this.sessions?.check(key);
    if (session) return (up ? session.up(details) : session.down(details)) as IggyHealthResult<Key>;
    return { [key]: { ...details, status: up ? 'up' : 'down' } } as unknown as IggyHealthResult<Key>;
  }

  /** The outbox's lag (read from its table, so also while the broker is down), judged by its age. */
  private async outboxLag(
    options: IggyHealthOptions,
    timeoutMs: number,
    reasons: string[],
  ): Promise<OutboxLagDetail> {
    const maxAgeMs = options.maxOutboxAgeMs ?? 60_000;
    const stats = this.relay?.stats();
    const detail: OutboxLagDetail = {
      pending: 0,
      oldestPendingAgeMs: null,
      dead: 0,
      maxAgeMs,
      relay: stats
        ? {
            state: stats.state,
            published: stats.published,
            failures: stats.failures,
            lastError: stats.lastError ?? null,
          }
        : null,
    };
    try {
      Object.assign(detail, await withTimeout(this.outboxStore!.lag(), timeoutMs));
    } catch (err) {
      reasons.push(`outbox lag could not be read: ${describeError(err)}`);
      return detail;
    }
    const age = detail.oldestPendingAgeMs;
    if (age !== null && age > maxAgeMs) {
      reasons.push(
        `the oldest pending outbox event is ${Math.round(age)} ms old (${detail.pending} pending), above ${maxAgeMs} ms`,
      );
    }
    return detail;
  }

  private async lagOf(options: IggyHealthOptions): Promise<GroupLagDetail[]> {
    const threshold = (group: string): number | null => {
      const max = options.maxLag;
      if (max === undefined) return null;
      return typeof max === 'number' ? max : (max[group] ?? null);
    };
    const detail = (group: string, topic: string, partitions: PartitionLag[]): GroupLagDetail => ({
      group,
      topic,
      lag: partitions.reduce((sum, p) => sum + Number(p.lag), 0),
      maxLag: threshold(group),
      partitions: partitions.map((p) => ({
        partition: p.partition,
        lag: Number(p.lag),
        currentOffset: p.currentOffset === null ? null : String(p.currentOffset),
        storedOffset: p.storedOffset === null ? null : String(p.storedOffset),
      })),
    });
    const stream = this.connector.config?.streamName ?? this.options.streamName;
    const domain = this.connector.config?.topicName ?? this.options.topicName;
    const handlerGroups = ((await this.groups?.lag()) ?? []).map((g) =>
      detail(g.group, g.topic, g.partitions),
    );
    const known = new Set(handlerGroups.map((g) => `${g.group}\u0000${g.topic}`));
    const added = (options.groups ?? [])
      .map((target) =>
        typeof target === 'string' ? { group: target, topic: domain } : { topic: domain, ...target },
      )
      .filter(({ group, topic }) => !known.has(`${group}\u0000${topic}`));
    const addedGroups = await Promise.all(
      added.map(async ({ group, topic }) =>
        detail(group, topic, await this.connector.consumerLag(stream, topic, { kind: 'group', name: group })),
      ),
    );
    return [...handlerGroups, ...addedGroups];
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
