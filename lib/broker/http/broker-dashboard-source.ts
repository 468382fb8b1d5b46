import type {
  DashboardReading,
  DashboardSource,
  GroupReading,
  StreamReading,
} from '../../dashboard/index.js';
import type { BrokerOverview } from '../broker-inspection.js';
import type { Broker } from '../broker.js';

/** Where the broker alone sends the reader for what only the application knows. */
const APP_ONLY =
  'read by the application: mount IggyDashboardModule in the Nest app, which shows it here and on its own HTTP port';

/** The broker's own dashboard: streams, topics, partitions and consumer groups from `broker.inspect()`. */
export class BrokerDashboardSource implements DashboardSource {
  constructor(
    private readonly broker: Broker,
    private readonly label = 'embedded broker',
  ) {}

  async read(): Promise<DashboardReading> {
    return {
      source: this.label,
      ...catalogOfOverview(this.broker.inspect()),
      deadLetters: { status: 'unavailable', reason: `Dead letters are ${APP_ONLY}.` },
      outbox: { status: 'unavailable', reason: `The outbox is ${APP_ONLY}.` },
    };
  }
}

/** The streams and consumer groups of a broker overview, as the dashboard reads them. */
export function catalogOfOverview(overview: BrokerOverview): Pick<DashboardReading, 'streams' | 'groups'> {
  const streams: StreamReading[] = [];
  const groups: GroupReading[] = [];
  for (const stream of overview.streams) {
    const topics = stream.topics.map((topic) => {
      const partitions = topic.partitions.map((p) => ({
        id: p.id,
        // A partition whose messages all expired keeps its offset; one that never held any has none.
        currentOffset: p.messagesCount === 0n && p.currentOffset === 0n ? null : p.currentOffset,
        messages: p.messagesCount,
        sizeBytes: p.sizeBytes,
      }));
      const current = new Map(partitions.map((p) => [p.id, p.currentOffset]));
      for (const group of topic.consumerGroups) {
        groups.push({
          stream: stream.name,
          topic: topic.name,
          name: group.name,
          members: group.members.map((m) => ({ id: m.id, partitions: m.partitions })),
          partitions: group.offsets.map((o) => ({
            partition: o.partitionId,
            currentOffset: current.get(o.partitionId) ?? null,
            storedOffset: o.storedOffset,
            lag: o.lag,
          })),
        });
      }
      return { name: topic.name, partitions };
    });
    streams.push({ name: stream.name, topics });
  }
  return { streams, groups };
}
