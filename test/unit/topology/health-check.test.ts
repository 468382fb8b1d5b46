import { describe, expect, it } from '@jest/globals';
import { resolveConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { healthCheck, TopologyManager } from '../../../lib/topology/index.js';
import { FakeConnector } from './fake-connector.js';

async function ready(): Promise<FakeConnector> {
  const c = new FakeConnector();
  await c.connect(resolveConnectorConfig({ streamName: 'shop' }));
  await new TopologyManager(c).ensure();
  return c;
}

describe('healthCheck', () => {
  it('is healthy when connected, fast and the topology is complete', async () => {
    const report = await healthCheck(await ready());
    expect(report).toEqual({
      status: 'healthy',
      latencyMs: 1,
      details: {
        connected: true,
        latencyMs: 1,
        serverVersion: '0.8.0',
        degradedLatencyMs: 500,
        stream: 'shop',
        topicsPresent: ['domain', 'system', 'dlq'],
        topicsMissing: [],
        reasons: [],
      },
    });
  });

  it('is unhealthy when not connected', async () => {
    const report = await healthCheck(new FakeConnector());
    expect(report.status).toBe('unhealthy');
    expect(report.latencyMs).toBeNull();
    expect(report.details).toMatchObject({ connected: false, reasons: ['the connector is not connected'] });
  });

  it('is unhealthy when the ping fails or does not answer in time', async () => {
    const c = await ready();
    c.pingError = new Error('connection reset');
    const failed = await healthCheck(c);
    expect(failed.status).toBe('unhealthy');
    expect(failed.details.reasons).toEqual(['ping failed: connection reset']);
    c.pingError = undefined;
    c.pingHangs = true;
    const hung = await healthCheck(c, { timeoutMs: 20 });
    expect(hung.status).toBe('unhealthy');
    expect(hung.details.reasons[0]).toMatch(/no answer within 20 ms/);
  });

  it('is degraded when the ping is slower than the threshold', async () => {
    const c = await ready();
    c.pingLatencyMs = 120;
    expect((await healthCheck(c)).status).toBe('healthy');
    const slow = await healthCheck(c, { degradedLatencyMs: 100 });
    expect(slow.status).toBe('degraded');
    expect(slow.latencyMs).toBe(120);
    expect(slow.details.reasons).toEqual(['ping took 120 ms, above 100 ms']);
  });

  it('is degraded when a topology topic is missing, and names it', async () => {
    const c = await ready();
    c.streams.get('shop')!.delete('dlq');
    const report = await healthCheck(c);
    expect(report.status).toBe('degraded');
    expect(report.details.topicsPresent).toEqual(['domain', 'system']);
    expect(report.details.topicsMissing).toEqual(['dlq']);
    expect(await healthCheck(c, { topology: false })).toMatchObject({ status: 'healthy' });
  });

  it('is degraded when topics cannot be read, and checks the topology it is given', async () => {
    const c = await ready();
    expect((await healthCheck(c, { topology: { streamName: 'other' } })).details.topicsMissing).toEqual([
      'domain',
      'system',
      'dlq',
    ]);
    c.getTopicError = new Error('boom');
    const report = await healthCheck(c);
    expect(report.status).toBe('degraded');
    expect(report.details.reasons).toContain("could not read topic 'shop/domain': boom");
  });
});
