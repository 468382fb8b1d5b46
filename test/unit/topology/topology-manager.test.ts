import { describe, expect, it } from '@jest/globals';
import { resolveConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { isConnectorError } from '../../../lib/connectors/connector-error.js';
import { TopologyManager, days, gigabytes } from '../../../lib/topology/index.js';
import { FakeConnector } from './fake-connector.js';

async function connected(partitions = 8): Promise<FakeConnector> {
  const c = new FakeConnector();
  await c.connect(resolveConnectorConfig({ streamName: 'shop', topicName: 'orders', partitions }));
  return c;
}

function quietLogger(): { warn: (m: string) => void; warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, warn: (m: string) => warnings.push(m) };
}

describe('TopologyManager', () => {
  it('creates the stream and the domain, system and dlq topics with the seed retention', async () => {
    const c = await connected();
    const report = await new TopologyManager(c).ensure();
    expect(report.stream).toBe('shop');
    expect(report.topics.map((t) => [t.role, t.name, t.outcome])).toEqual([
      ['domain', 'orders', 'created'],
      ['system', 'system', 'created'],
      ['dlq', 'dlq', 'created'],
    ]);
    const topics = c.streams.get('shop')!;
    expect(topics.get('orders')).toMatchObject({
      partitionsCount: 8,
      replicationFactor: 1,
      messageExpiryMicros: 30n * 86_400_000_000n,
      maxTopicSizeBytes: 10_000_000_000n,
    });
    expect(topics.get('system')).toMatchObject({
      partitionsCount: 8,
      messageExpiryMicros: days(7),
      maxTopicSizeBytes: 0n,
    });
    expect(topics.get('dlq')).toMatchObject({ partitionsCount: 1, messageExpiryMicros: days(365) });
  });

  it('is idempotent: a second run finds everything and creates nothing', async () => {
    const c = await connected();
    const m = new TopologyManager(c);
    await m.ensure();
    const calls = { ...c.calls };
    const again = await m.ensure();
    expect(again.topics.every((t) => t.outcome === 'exists')).toBe(true);
    expect(c.calls).toEqual(calls);
  });

  it('two managers racing on one connector both succeed and leave one topic each', async () => {
    const c = await connected();
    const [a, b] = await Promise.all([new TopologyManager(c).ensure(), new TopologyManager(c).ensure()]);
    expect(a.topics.map((t) => t.actual.id)).toEqual(b.topics.map((t) => t.actual.id));
    expect(c.topicNames().sort()).toEqual(['shop/dlq', 'shop/orders', 'shop/system']);
    expect(c.calls.createTopic).toBe(6); // both tried; the loser's "already exists" was success
  });

  it('concurrent ensure() calls on one manager share a single run', async () => {
    const c = await connected();
    const m = new TopologyManager(c);
    const [a, b] = await Promise.all([m.ensure(), m.ensure()]);
    expect(a).toBe(b);
    expect(c.calls.createTopic).toBe(3);
  });

  it('keeps an existing topic with another partition count and warns', async () => {
    const c = await connected(4);
    await new TopologyManager(c).ensure();
    const logger = quietLogger();
    const report = await new TopologyManager(c, { partitions: 12 }, { logger }).ensure();
    const domain = report.topics.find((t) => t.role === 'domain')!;
    expect(domain.outcome).toBe('mismatch');
    expect(domain.actual.partitionsCount).toBe(4);
    expect(domain.differences[0]).toMatch(/4 partitions, config wants 12/);
    expect(report.topics.find((t) => t.role === 'dlq')!.outcome).toBe('exists');
    expect(logger.warnings).toHaveLength(2); // domain and system
    expect(logger.warnings[0]).toMatch(/'shop\/orders'.*Keeping it/);
    expect(c.streams.get('shop')!.get('orders')!.partitionsCount).toBe(4);
  });

  it('flags a different retention only where the config sets one', async () => {
    const c = await connected();
    await new TopologyManager(c, { topics: { system: { maxTopicSizeBytes: 0n } } }).ensure();
    const logger = quietLogger();
    const report = await new TopologyManager(
      c,
      { topics: { domain: { messageExpiryMicros: days(1) }, system: { maxTopicSizeBytes: gigabytes(1) } } },
      { logger },
    ).ensure();
    expect(report.topics.map((t) => t.outcome)).toEqual(['mismatch', 'mismatch', 'exists']);
    expect(report.topics[0]!.differences).toEqual([
      `message expiry ${days(30)} µs, config wants ${days(1)} µs`,
    ]);
  });

  it('takes names, partitions and retention overrides per topic', async () => {
    const c = await connected();
    await new TopologyManager(c, {
      streamName: 'billing',
      partitions: 3,
      replicationFactor: 2,
      topics: { system: { name: 'sys', partitions: 2 }, dlq: { name: 'dead', messageExpiryMicros: 0n } },
    }).ensure();
    const topics = c.streams.get('billing')!;
    expect([...topics.keys()].sort()).toEqual(['dead', 'orders', 'sys']);
    expect(topics.get('orders')).toMatchObject({ partitionsCount: 3, replicationFactor: 2 });
    expect(topics.get('sys')!.partitionsCount).toBe(2);
    expect(topics.get('dead')).toMatchObject({ partitionsCount: 1, messageExpiryMicros: 0n });
  });

  it('rejects a bad config with a Config ConnectorError and fails NotConnected before connect', async () => {
    const c = await connected();
    await expect(new TopologyManager(c, { partitions: 0 }).ensure()).rejects.toThrow(/partitions must be/);
    await expect(new TopologyManager(c, { topics: { system: { name: 'orders' } } }).ensure()).rejects.toThrow(
      /also the domain topic's name/,
    );
    const err = await new TopologyManager(new FakeConnector()).ensure().catch((e: unknown) => e);
    expect(isConnectorError(err, 'NotConnected')).toBe(true);
  });
});
