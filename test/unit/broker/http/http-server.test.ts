import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EmbeddedServer } from '../../../../lib/broker/embedded-server.js';
import { snakeCase, toJson } from '../../../../lib/broker/http/json.js';
import { IggyClient } from '../../../../lib/client/index.js';
import { ConsumerKind } from '../../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../../lib/protocol/primitives/polling-strategy.js';

/** The parts of a /streams entry the test reads. */
interface JsonStream {
  topics: {
    partitions: {
      id: number;
      current_offset: number;
      messages_count: number;
      segments_count: number;
      size_bytes: number;
    }[];
    consumer_groups: { name: string; members: unknown[]; offsets: unknown[] }[];
  }[];
}

describe('toJson', () => {
  it('writes snake_case keys, exact u64 numbers, base64 buffers, and skips undefined', () => {
    expect(
      toJson({
        messagesCount: 18446744073709551615n,
        name: 'a"b',
        nested: [{ sizeBytes: 1n, x: undefined }],
        raw: Buffer.from('hi'),
      }),
    ).toBe('{"messages_count":18446744073709551615,"name":"a\\"b","nested":[{"size_bytes":1}],"raw":"aGk="}');
    expect(snakeCase('iggyServerSemver')).toBe('iggy_server_semver');
    expect(JSON.parse(toJson({ a: null, b: true, c: 1.5, d: Number.NaN }))).toEqual({
      a: null,
      b: true,
      c: 1.5,
      d: null,
    });
  });
});

describe('BrokerHttpServer', () => {
  let server: EmbeddedServer;
  let client: IggyClient;
  let base: string;

  beforeAll(async () => {
    server = await EmbeddedServer.start({
      persistent: false,
      tcpPort: 0,
      httpPort: 0,
      retentionIntervalMs: 0,
      rootPassword: 'iggy',
    });
    base = `http://127.0.0.1:${server.httpAddress!.port}`;
    client = new IggyClient({
      addresses: [`127.0.0.1:${server.tcpAddress.port}`],
      credentials: { username: 'iggy', password: 'iggy' },
      reconnect: false,
    });
    await client.connect();
    const stream = await client.createStream({ name: 'orders' });
    const topic = await client.createTopic({ streamId: stream.id, name: 'created', partitionsCount: 2 });
    const target = { streamId: stream.id, topicId: topic.id };
    await client.sendMessages({
      ...target,
      partitioning: Partitioning.partitionId(0),
      messages: ['a', 'b', 'c', 'd'].map((s) => ({ payload: Buffer.from(s) })),
    });
    await client.sendMessages({
      ...target,
      partitioning: Partitioning.partitionId(1),
      messages: [{ payload: Buffer.from('e') }],
    });
    const group = await client.createConsumerGroup({ ...target, name: 'billing' });
    await client.joinConsumerGroup({ ...target, groupId: group.id });
    // The member owns both partitions; consume two messages of partition 0 and commit them.
    await client.pollMessages({
      ...target,
      consumer: { kind: ConsumerKind.ConsumerGroup, id: group.id },
      partitionId: 0,
      strategy: PollingStrategy.next(),
      count: 2,
      autoCommit: true,
    });
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
  });

  it('answers /ping with pong', async () => {
    const res = await fetch(`${base}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('pong');
  });

  it('answers /stats with the server statistics', async () => {
    const res = await fetch(`${base}/stats`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const stats = (await res.json()) as Record<string, unknown>;
    expect(stats).toMatchObject({
      process_id: process.pid,
      streams_count: 1,
      topics_count: 1,
      partitions_count: 2,
      messages_count: 5,
      clients_count: 1,
      consumer_groups_count: 1,
      iggy_server_version: '0.8.0-embedded',
    });
    expect(stats.written_bytes).toEqual(expect.any(Number));
  });

  it('answers /streams with topics, partitions and consumer groups with their lag', async () => {
    const streams = (await (await fetch(`${base}/streams`)).json()) as JsonStream[];
    expect(streams).toHaveLength(1);
    const [stream] = streams;
    expect(stream).toMatchObject({ id: 0, name: 'orders', topics_count: 1, messages_count: 5 });
    const [topic] = stream.topics;
    expect(topic).toMatchObject({ name: 'created', partitions_count: 2, messages_count: 5 });
    expect(topic.partitions.map((p) => [p.id, p.current_offset, p.messages_count, p.segments_count])).toEqual(
      [
        [0, 3, 4, 1],
        [1, 0, 1, 1],
      ],
    );
    expect(topic.partitions[0].size_bytes).toBeGreaterThan(4 * 64);
    const [group] = topic.consumer_groups;
    expect(group.name).toBe('billing');
    expect(group.members).toEqual([{ id: 0, client_id: expect.any(Number), partitions: [0, 1] }]);
    expect(group.offsets).toEqual([
      { partition_id: 0, stored_offset: 1, lag: 2 },
      { partition_id: 1, stored_offset: null, lag: 1 },
    ]);
  });

  it('answers /metrics with Prometheus text', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    const line = (metric: string) => text.split('\n').find((l) => l.startsWith(metric + ' '));
    expect(line('iggy_messages_sent_total')).toBe('iggy_messages_sent_total 5');
    expect(line('iggy_messages_polled_total')).toBe('iggy_messages_polled_total 2');
    expect(line('iggy_streams')).toBe('iggy_streams 1');
    expect(line('iggy_partitions')).toBe('iggy_partitions 2');
    expect(line('iggy_clients_connected')).toBe('iggy_clients_connected 1');
    expect(line('iggy_tcp_connections')).toBe('iggy_tcp_connections 1');
    expect(text).toContain('iggy_partition_current_offset{stream="orders",topic="created",partition="0"} 3');
    expect(text).toContain('iggy_partition_messages{stream="orders",topic="created",partition="1"} 1');
    expect(text).toContain(
      'iggy_consumer_group_lag{stream="orders",topic="created",group="billing",partition="0"} 2',
    );
    expect(text).toContain('iggy_consumer_group_members{stream="orders",topic="created",group="billing"} 1');
    expect(text).toContain('iggy_requests_total{command="SendMessages",status="ok"} 2');
    expect(text).toMatch(/iggy_request_duration_seconds_count\{command="PollMessages"\} 1/);
    expect(text).toMatch(/iggy_written_bytes_total \d+/);
  });

  it('answers unknown paths and writes as the real server does: 401 without a token, as its API asks for one first', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(401);
    expect((await fetch(`${base}/streams`, { method: 'POST', body: '{}' })).status).toBe(401);
  });

  it('answers 405 to a write on a dashboard-only route', async () => {
    const res = await fetch(`${base}/ping`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
  });

  it('keeps the metrics of two brokers in one process apart', async () => {
    const other = await EmbeddedServer.start({ persistent: false, tcpPort: 0, httpPort: 0 });
    try {
      const text = await (await fetch(`http://127.0.0.1:${other.httpAddress!.port}/metrics`)).text();
      expect(text).toContain('iggy_streams 0');
      expect(text).not.toContain('orders');
    } finally {
      await other.stop();
    }
  });
});
