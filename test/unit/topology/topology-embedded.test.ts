import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { resolveConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { EmbeddedConnector } from '../../../lib/connectors/embedded-connector.js';
import {
  createEnvelope,
  envelopeToMessage,
  messageToEnvelope,
  MsgpackSerializer,
  partitionForTenant,
} from '../../../lib/events/index.js';
import { days, gigabytes, healthCheck, TopologyManager } from '../../../lib/topology/index.js';

// The TopologyManager makes the topics here (with retention), not connect.
const config = resolveConnectorConfig({
  streamName: 'shop',
  partitions: 4,
  ensureTopology: false,
  embedded: { persistent: false, tcpPort: null, httpPort: null },
});

describe('TopologyManager and healthCheck on an in-memory EmbeddedConnector', () => {
  let connector: EmbeddedConnector;

  beforeEach(async () => {
    connector = new EmbeddedConnector();
    await connector.connect(config);
  });
  afterEach(async () => {
    await connector.shutdown();
  });

  it('is degraded before the topology exists and healthy after', async () => {
    const before = await healthCheck(connector);
    expect(before.status).toBe('degraded');
    expect(before.details.topicsMissing).toEqual(['domain', 'system', 'dlq']);

    const [a, b] = await Promise.all([
      new TopologyManager(connector).ensure(),
      new TopologyManager(connector).ensure(),
    ]);
    expect(a.topics.map((t) => t.actual.id)).toEqual(b.topics.map((t) => t.actual.id));
    const domain = await connector.getTopic('shop', 'domain');
    expect(domain).toMatchObject({
      partitionsCount: 4,
      messageExpiryMicros: days(30),
      maxTopicSizeBytes: gigabytes(10),
    });
    expect(await connector.getTopic('shop', 'dlq')).toMatchObject({
      partitionsCount: 1,
      messageExpiryMicros: days(365),
    });

    const again = await new TopologyManager(connector).ensure();
    expect(again.topics.map((t) => t.outcome)).toEqual(['exists', 'exists', 'exists']);

    const after = await healthCheck(connector);
    expect(after.status).toBe('healthy');
    expect(after.latencyMs).toBeGreaterThanOrEqual(0);
    expect(after.details).toMatchObject({ connected: true, topicsPresent: ['domain', 'system', 'dlq'] });
  });

  it('keeps an existing topic with another partition count', async () => {
    await new TopologyManager(connector).ensure();
    const warnings: string[] = [];
    const report = await new TopologyManager(
      connector,
      { partitions: 6 },
      { logger: { warn: (m) => warnings.push(m) } },
    ).ensure();
    expect(report.topics[0]).toMatchObject({ outcome: 'mismatch', actual: { partitionsCount: 4 } });
    expect(warnings[0]).toMatch(/4 partitions, config wants 6/);
  });

  it('is unhealthy after shutdown', async () => {
    await connector.shutdown();
    expect((await healthCheck(connector)).status).toBe('unhealthy');
  });

  it('carries an envelope through the broker to the tenant partition', async () => {
    await new TopologyManager(connector).ensure();
    const serializer = new MsgpackSerializer();
    const envelope = createEnvelope({
      tenantId: 'acme',
      type: 'order.created',
      payload: { orderId: 'o-1', at: new Date(0), cents: 10n },
      headers: { trace: 'x' },
    });
    await connector.publish(envelopeToMessage(envelope, serializer, { stream: 'shop', topic: 'domain' }));
    const partition = partitionForTenant('acme', 4);
    const sub = await connector.subscribe('shop', 'domain', partition, { startFrom: 'beginning' });
    try {
      const msg = await sub.recv();
      expect(msg).not.toBeNull();
      expect(messageToEnvelope(msg!)).toEqual(envelope);
    } finally {
      await sub.close();
    }
  });
});
