import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { resolveConnectorConfig } from '../../lib/connectors/connector-config.js';
import { ConnectorError, type ConnectorErrorKind } from '../../lib/connectors/connector-error.js';
import type { IggyConnector } from '../../lib/connectors/iggy-connector.js';
import { PublishRequest } from '../../lib/connectors/publish-request.js';
import { freshTopic, rejectionOf, type ContractHarness, type ErrorCase } from './contract-harness.js';

const ALL_KINDS: ConnectorErrorKind[] = [
  'Connection',
  'NotConnected',
  'Publish',
  'Subscribe',
  'Receive',
  'Topology',
  'Auth',
  'Timeout',
  'Config',
  'Iggy',
  'Backpressure',
];

/** Cases every connector can provoke, whatever it runs against. */
function commonCases(harness: ContractHarness, connector: IggyConnector): ErrorCase[] {
  const missing = `missing-${randomUUID().slice(0, 8)}`;
  const event = () => randomUUID();
  return [
    {
      kind: 'NotConnected',
      name: 'publish before connect',
      provoke: () => harness.create().publish(PublishRequest.simple('k', Buffer.from('x'), event())),
    },
    {
      kind: 'NotConnected',
      name: 'subscribe after shutdown',
      provoke: async () => {
        const other = harness.create();
        await other.connect(resolveConnectorConfig(harness.scratchConfig?.() ?? harness.config()));
        await other.shutdown();
        return other.subscribe('s', 't', 0);
      },
    },
    {
      kind: 'Publish',
      name: 'publish to a missing stream',
      provoke: () => connector.publish(PublishRequest.new(missing, 't', 'k', Buffer.from('x'), event())),
    },
    {
      kind: 'Publish',
      name: 'publish with an event id that is not a UUID',
      provoke: () => connector.publish(PublishRequest.simple('k', Buffer.from('x'), 'not-a-uuid')),
    },
    {
      kind: 'Publish',
      name: 'publish an empty payload',
      provoke: async () => {
        const { stream, topic } = await freshTopic(connector, 1);
        return connector.publish(PublishRequest.new(stream, topic, 'k', Buffer.alloc(0), event()));
      },
    },
    {
      kind: 'Backpressure',
      name: 'publish beyond the in-flight cap, with no wait allowed',
      provoke: async () => {
        const capped = harness.create();
        const base = harness.scratchConfig?.() ?? harness.config();
        await capped.connect(
          resolveConnectorConfig({ ...base, publish: { maxInFlightMessages: 1, backpressureTimeoutMs: 0 } }),
        );
        try {
          const { stream, topic } = await freshTopic(capped, 1);
          const first = capped.publish(PublishRequest.new(stream, topic, 'k', Buffer.from('1'), event()));
          const second = capped.publish(PublishRequest.new(stream, topic, 'k', Buffer.from('2'), event()));
          await first;
          await second;
        } finally {
          await capped.shutdown();
        }
      },
    },
    {
      kind: 'Subscribe',
      name: 'subscribe to a missing topic',
      provoke: () => connector.subscribe(missing, 't', 0),
    },
    {
      kind: 'Subscribe',
      name: 'subscribe to a partition the topic lacks',
      provoke: async () => {
        const { stream, topic } = await freshTopic(connector, 2);
        return connector.subscribe(stream, topic, 5);
      },
    },
    {
      kind: 'Receive',
      name: 'commit on a partition the topic lacks',
      provoke: async () => {
        const { stream, topic } = await freshTopic(connector, 1);
        const subscriber = await connector.subscribe(stream, topic, 0);
        try {
          await subscriber.commit({
            stream,
            topic,
            partition: 7,
            offset: 0n,
            timestamp: 0n,
            id: 1n,
            payload: Buffer.alloc(1),
            headers: [],
          });
        } finally {
          await subscriber.close();
        }
      },
    },
    {
      kind: 'Topology',
      name: 'ensure a topic in a missing stream',
      provoke: () => connector.ensureTopic(missing, { name: 't', partitions: 1 }),
    },
    {
      kind: 'Topology',
      name: 'ensure a topic with 0 partitions',
      provoke: () => connector.ensureTopic(missing, { name: 't', partitions: 0 }),
    },
    {
      kind: 'Config',
      name: 'connect twice',
      provoke: async () => connector.connect(connector.config!),
    },
    {
      kind: 'Iggy',
      name: 'lag of a missing topic',
      provoke: () => connector.consumerLag(missing, 't', { kind: 'consumer', name: 'c' }),
    },
    {
      kind: 'Iggy',
      name: 'store an offset in a missing stream',
      provoke: () => connector.storeOffset(missing, 't', { kind: 'consumer', name: 'c' }, 0, 1n),
    },
  ];
}

/** Table-driven: each case must reject with a `ConnectorError` of its kind (never a raw error). */
export function connectorErrorContract(
  get: () => { harness: ContractHarness; connector: IggyConnector },
): void {
  describe('ConnectorError kinds', () => {
    it('provokes every kind this target supports, each as a ConnectorError', async () => {
      const { harness, connector } = get();
      const cases = [...commonCases(harness, connector), ...(harness.errorCases?.(connector) ?? [])];
      const outcomes: string[] = [];
      for (const c of cases) {
        const err = await rejectionOf(c.provoke);
        const kind = err instanceof ConnectorError ? err.kind : `raw ${String(err)}`;
        outcomes.push(`${c.name}: ${kind}`);
        if (!(err instanceof ConnectorError) || err.kind !== c.kind) {
          throw new Error(`${c.name}: expected ConnectorError '${c.kind}', got ${String(err)}`);
        }
        expect(err.message.length).toBeGreaterThan(0);
      }
      const covered = new Set(cases.map((c) => c.kind));
      const missing = ALL_KINDS.filter((k) => !covered.has(k));
      if (missing.length > 0) console.info(`error kinds this target cannot provoke: ${missing.join(', ')}`);
      expect(outcomes).toHaveLength(cases.length);
    }, 60_000);
  });
}
