import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { iggyErrorName } from '../../protocol/codes/error-codes.js';
import type { BrokerOverview } from '../broker-inspection.js';
import type { Broker } from '../broker.js';
import type { TcpObserver } from '../tcp/tcp-connection.js';

/** How long one `broker.inspect()` serves the gauges of a scrape. */
const OVERVIEW_TTL_MS = 250;

const REQUEST_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Prometheus metrics of one embedded broker, in a registry of its own (two brokers in one process do
 * not clash). Request and traffic counters are fed by the TCP server (this is its `TcpObserver`); the
 * catalog gauges (offsets, sizes, consumer-group lag, clients) are read from `broker.inspect()` at
 * scrape time.
 */
export class BrokerMetrics implements TcpObserver {
  readonly registry = new Registry();
  private overview: { at: number; value: BrokerOverview } | null = null;

  private readonly requests: Counter<'command' | 'status'>;
  private readonly requestSeconds: Histogram<'command'>;
  private readonly tcpConnections: Gauge;
  private readonly sent: Counter;
  private readonly sentBytes: Counter;
  private readonly polled: Counter;
  private readonly polledBytes: Counter;

  constructor(private readonly broker: Broker) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'iggy_requests_total',
      help: 'TCP requests served, by command and status (ok or the Iggy error name)',
      labelNames: ['command', 'status'],
      registers,
    });
    this.requestSeconds = new Histogram({
      name: 'iggy_request_duration_seconds',
      help: 'Time to serve a TCP request, from decoded frame to encoded answer',
      labelNames: ['command'],
      buckets: REQUEST_BUCKETS,
      registers,
    });
    this.tcpConnections = new Gauge({
      name: 'iggy_tcp_connections',
      help: 'Open TCP connections',
      registers,
    });
    this.sent = new Counter({
      name: 'iggy_messages_sent_total',
      help: 'Messages appended through TCP SendMessages',
      registers,
    });
    this.sentBytes = new Counter({
      name: 'iggy_messages_sent_bytes_total',
      help: 'Bytes of messages appended through TCP SendMessages',
      registers,
    });
    this.polled = new Counter({
      name: 'iggy_messages_polled_total',
      help: 'Messages returned by TCP PollMessages',
      registers,
    });
    this.polledBytes = new Counter({
      name: 'iggy_messages_polled_bytes_total',
      help: 'Bytes of messages returned by TCP PollMessages',
      registers,
    });
    this.registerCatalogMetrics();
  }

  /** The Prometheus text exposition. */
  render(): Promise<string> {
    this.overview = null;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  // TcpObserver

  request(command: string, status: number, seconds: number): void {
    this.requests.inc({ command, status: status === 0 ? 'ok' : iggyErrorName(status) });
    this.requestSeconds.observe({ command }, seconds);
  }

  connectionOpened(): void {
    this.tcpConnections.inc();
  }

  connectionClosed(): void {
    this.tcpConnections.dec();
  }

  messagesSent(count: number, bytes: number): void {
    this.sent.inc(count);
    this.sentBytes.inc(bytes);
  }

  messagesPolled(count: number, bytes: number): void {
    this.polled.inc(count);
    this.polledBytes.inc(bytes);
  }

  private current(): BrokerOverview {
    const now = Date.now();
    if (!this.overview || now - this.overview.at > OVERVIEW_TTL_MS) {
      this.overview = { at: now, value: this.broker.inspect() };
    }
    return this.overview.value;
  }

  private registerCatalogMetrics(): void {
    const registers = [this.registry];
    const current = (): BrokerOverview => this.current();
    const gauge = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (
        set: (labels: Partial<Record<L, string | number>>, value: number | bigint) => void,
        o: BrokerOverview,
      ) => void,
    ): void => {
      new Gauge<L>({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          fill((labels, value) => this.set(labels, Number(value)), current());
        },
      });
    };
    const counterFromBroker = (name: string, help: string, read: (o: BrokerOverview) => bigint): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(Number(read(current())));
        },
      });
    };

    gauge('iggy_clients_connected', 'Connected broker clients (TCP and in-process)', [], (set, o) =>
      set({}, o.clientsCount),
    );
    gauge('iggy_streams', 'Streams', [], (set, o) => set({}, o.streams.length));
    gauge('iggy_topics', 'Topics', [], (set, o) =>
      set(
        {},
        o.streams.reduce((n, s) => n + s.topics.length, 0),
      ),
    );
    gauge('iggy_partitions', 'Partitions', [], (set, o) => {
      let n = 0;
      for (const s of o.streams) for (const t of s.topics) n += t.partitions.length;
      set({}, n);
    });
    const partitionLabels = ['stream', 'topic', 'partition'] as const;
    const perPartition = (name: string, help: string, pick: (p: PartitionFigures) => number | bigint): void =>
      gauge(name, help, partitionLabels, (set, o) => {
        for (const s of o.streams)
          for (const t of s.topics)
            for (const p of t.partitions) set({ stream: s.name, topic: t.name, partition: p.id }, pick(p));
      });
    perPartition(
      'iggy_partition_current_offset',
      'Offset of the last message of the partition',
      (p) => p.currentOffset,
    );
    perPartition('iggy_partition_messages', 'Messages held by the partition', (p) => p.messagesCount);
    perPartition('iggy_partition_size_bytes', 'Bytes of messages held by the partition', (p) => p.sizeBytes);
    perPartition('iggy_partition_segments', 'Segments of the partition', (p) => p.segmentsCount);
    gauge(
      'iggy_consumer_group_members',
      'Members of the consumer group',
      ['stream', 'topic', 'group'],
      (set, o) => {
        for (const s of o.streams)
          for (const t of s.topics)
            for (const g of t.consumerGroups)
              set({ stream: s.name, topic: t.name, group: g.name }, g.members.length);
      },
    );
    gauge(
      'iggy_consumer_group_lag',
      'Messages the consumer group has not consumed: partition current offset minus the group stored offset',
      ['stream', 'topic', 'group', 'partition'],
      (set, o) => {
        for (const s of o.streams)
          for (const t of s.topics)
            for (const g of t.consumerGroups)
              for (const off of g.offsets)
                set({ stream: s.name, topic: t.name, group: g.name, partition: off.partitionId }, off.lag);
      },
    );
    counterFromBroker(
      'iggy_written_bytes_total',
      'Message bytes appended since start (all transports)',
      (o) => o.writtenBytes,
    );
    counterFromBroker(
      'iggy_read_bytes_total',
      'Message bytes returned by polls since start (all transports)',
      (o) => o.readBytes,
    );
  }
}

interface PartitionFigures {
  currentOffset: bigint;
  messagesCount: bigint;
  sizeBytes: bigint;
  segmentsCount: number;
}
