import { resolveConnectorConfig, type ConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { ConnectorError } from '../../../lib/connectors/connector-error.js';
import type {
  IggyConnector,
  OffsetOwner,
  PartitionLag,
  TopicInfo,
  TopicSpec,
} from '../../../lib/connectors/iggy-connector.js';
import type { MessageSubscriber } from '../../../lib/connectors/message-subscriber.js';
import type { PublishRequest } from '../../../lib/connectors/publish-request.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * An in-memory fake of the connector contract for topology and health tests: streams and topics only,
 * with a yield between "is it there?" and "create it" so racing callers really interleave.
 */
export class FakeConnector implements IggyConnector {
  config: ConnectorConfig | undefined;
  serverVersion: string | null = '0.8.0';
  connected = false;
  pingLatencyMs = 1;
  pingError: Error | undefined;
  /** Never answers a ping when set. */
  pingHangs = false;
  getTopicError: Error | undefined;
  readonly streams = new Map<string, Map<string, TopicInfo>>();
  readonly calls = { createStream: 0, createTopic: 0 };
  readonly published: PublishRequest[] = [];
  private nextTopicId = 1;

  async connect(config: ConnectorConfig = resolveConnectorConfig()): Promise<void> {
    this.config = config;
    this.connected = true;
  }
  isConnected(): boolean {
    return this.connected;
  }
  async publish(request: PublishRequest): Promise<void> {
    this.requireConnected();
    this.published.push(request);
  }
  async publishBatch(requests: PublishRequest[]): Promise<void> {
    for (const r of requests) await this.publish(r);
  }
  subscribe(): Promise<MessageSubscriber> {
    return Promise.reject(new ConnectorError('Subscribe', 'the fake does not subscribe'));
  }
  subscribeGroup(): Promise<MessageSubscriber> {
    return Promise.reject(new ConnectorError('Subscribe', 'the fake does not subscribe'));
  }
  async storeOffset(_s: string, _t: string, _o: OffsetOwner, _p: number, _offset: bigint): Promise<void> {}
  async consumerLag(): Promise<PartitionLag[]> {
    return [];
  }
  ping(): Promise<number> {
    if (!this.connected) return Promise.reject(new ConnectorError('NotConnected', 'not connected'));
    if (this.pingHangs) return new Promise<number>(() => undefined);
    if (this.pingError) return Promise.reject(this.pingError);
    return Promise.resolve(this.pingLatencyMs);
  }
  async shutdown(): Promise<void> {
    this.connected = false;
  }

  async ensureStream(name: string): Promise<void> {
    this.requireConnected();
    const exists = this.streams.has(name);
    await tick();
    if (exists) return;
    this.calls.createStream++;
    if (this.streams.has(name)) return; // "already exists" from a racing peer: success
    this.streams.set(name, new Map());
  }

  async ensureTopic(stream: string, spec: TopicSpec): Promise<void> {
    this.requireConnected();
    const topics = this.streams.get(stream);
    if (!topics) throw new ConnectorError('Topology', `stream '${stream}' not found`);
    const exists = topics.has(spec.name);
    await tick();
    if (exists) return;
    this.calls.createTopic++;
    if (topics.has(spec.name)) return;
    topics.set(spec.name, {
      id: this.nextTopicId++,
      name: spec.name,
      partitionsCount: spec.partitions,
      replicationFactor: spec.replicationFactor ?? 1,
      messageExpiryMicros: spec.messageExpiryMicros ?? 0n,
      maxTopicSizeBytes: spec.maxTopicSizeBytes ?? 0n,
      partitions: Array.from({ length: spec.partitions }, (_, id) => ({
        id,
        currentOffset: null,
        messagesCount: 0n,
        sizeBytes: 0n,
      })),
    });
  }

  async getTopic(stream: string, topic: string): Promise<TopicInfo | null> {
    this.requireConnected();
    await tick();
    if (this.getTopicError) throw this.getTopicError;
    return this.streams.get(stream)?.get(topic) ?? null;
  }

  /** All topics of all streams, as `stream/topic`. */
  topicNames(): string[] {
    return [...this.streams].flatMap(([s, topics]) => [...topics.keys()].map((t) => `${s}/${t}`));
  }

  private requireConnected(): void {
    if (!this.connected) throw new ConnectorError('NotConnected', 'not connected');
  }
}
