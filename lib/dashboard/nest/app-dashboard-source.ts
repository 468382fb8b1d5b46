import { EmbeddedConnector } from '../../connectors/embedded-connector.js';
import type { IggyConnector } from '../../connectors/iggy-connector.js';
import type { ConsumerGroupManager } from '../../handlers/consumer-group.manager.js';
import type { OutboxLagReader, OutboxRelayStatsReader } from '../../health/outbox-health-source.js';
import type { ResolvedIggyModuleOptions } from '../../module/interfaces/resolved-iggy-options.interface.js';
import { resolveTopologyConfig } from '../../topology/topology-config.js';
import { catalogOfOverview } from '../../broker/http/broker-dashboard-source.js';
import type {
  DashboardReading,
  DashboardSource,
  DeadLetterReading,
  GroupReading,
  Missing,
  OutboxReading,
  StreamReading,
} from '../dashboard-reading.js';
import type { DeadLetterDigest } from './dead-letter-digest.js';

/** What the application's dashboard reads from. */
export interface AppDashboardParts {
  connector: IggyConnector;
  options: ResolvedIggyModuleOptions;
  /** The `@IggyEventHandler` groups (state and counters; their lag on a remote server). */
  groups: ConsumerGroupManager | null;
  deadLetters: DeadLetterDigest | null;
  outbox: { store: OutboxLagReader; relay: OutboxRelayStatsReader | null } | null;
}

/**
 * The application's view, the one place the dashboard reads the app's groups, dead letters and outbox
 * (through their public faces: `ConsumerGroupManager.groups()`/`lag()`, `DlqManager`, the outbox's lag
 * and relay stats), and the server through the connector: on the embedded broker its inspection (every
 * stream, group and member), on a remote server the module's topics (`getTopic`) and the handler
 * groups' lag (members are not visible there).
 */
export class AppDashboardSource implements DashboardSource {
  constructor(private readonly parts: AppDashboardParts) {}

  async read(): Promise<DashboardReading> {
    const [catalog, deadLetters, outbox] = await Promise.all([
      this.catalog(),
      this.deadLetters(),
      this.outbox(),
    ]);
    this.overlayRuns(catalog.groups);
    return { source: this.label(), ...catalog, deadLetters, outbox };
  }

  private label(): string {
    const { connector, options } = this.parts;
    if (connector instanceof EmbeddedConnector) return `${options.streamName} · embedded broker`;
    const addresses = connector.config?.remote.addresses ?? [];
    return `${options.streamName} · remote ${addresses.join(', ')}`.trim();
  }

  private async catalog(): Promise<{ streams: StreamReading[]; groups: GroupReading[] }> {
    const { connector } = this.parts;
    const broker = connector instanceof EmbeddedConnector ? connector.broker : undefined;
    if (broker) return catalogOfOverview(broker.inspect());
    return { streams: await this.remoteStreams(), groups: await this.remoteGroups() };
  }

  /** The module's topics (domain, system, dlq, replies) and the handler groups' topics, as the server has them. */
  private async remoteStreams(): Promise<StreamReading[]> {
    const { connector, options } = this.parts;
    const topology = resolveTopologyConfig(options.topology.input, options);
    const wanted = new Map<string, Set<string>>();
    const want = (stream: string, topic: string): void => {
      wanted.set(stream, (wanted.get(stream) ?? new Set()).add(topic));
    };
    for (const policy of Object.values(topology.topics)) want(topology.streamName, policy.name);
    want(options.streamName, options.requestReply.replyTopic);
    for (const g of this.parts.groups?.groups() ?? []) want(g.stream, g.topic);
    return Promise.all(
      [...wanted].map(async ([stream, names]) => {
        const topics = await Promise.all([...names].map((name) => connector.getTopic(stream, name)));
        return {
          name: stream,
          topics: topics
            .filter((t) => t !== null)
            .map((t) => ({
              name: t.name,
              partitions: t.partitions.map((p) => ({
                id: p.id,
                currentOffset: p.currentOffset,
                messages: p.messagesCount,
                sizeBytes: p.sizeBytes,
              })),
            })),
        };
      }),
    );
  }

  private async remoteGroups(): Promise<GroupReading[]> {
    const lags = (await this.parts.groups?.lag()) ?? [];
    return lags.map((g) => ({
      stream: g.stream,
      topic: g.topic,
      name: g.group,
      members: null,
      partitions: g.partitions,
    }));
  }

  /** This app's handler groups: their state and counters on the server's group of the same name. */
  private overlayRuns(groups: GroupReading[]): void {
    for (const status of this.parts.groups?.groups() ?? []) {
      const group = groups.find(
        (g) => g.stream === status.stream && g.topic === status.topic && g.name === status.group,
      );
      if (!group) continue;
      group.run = {
        state: status.state,
        handled: status.handled,
        deadLettered: status.deadLettered,
        skipped: status.skipped,
      };
    }
  }

  private async deadLetters(): Promise<DeadLetterReading[] | Missing> {
    const digest = this.parts.deadLetters;
    if (!digest) return { status: 'unavailable', reason: 'Dead letters are not read here.' };
    try {
      return await digest.read();
    } catch (error) {
      return { status: 'error', error: messageOf(error) };
    }
  }

  private async outbox(): Promise<OutboxReading | Missing> {
    const outbox = this.parts.outbox;
    if (!outbox) return { status: 'unavailable', reason: 'No outbox is configured (IggyModule `outbox`).' };
    try {
      const lag = await outbox.store.lag();
      const stats = outbox.relay?.stats();
      return {
        ...lag,
        relay: stats ? { ...stats, lastError: stats.lastError ?? null } : null,
      };
    } catch (error) {
      return { status: 'error', error: messageOf(error) };
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
