/**
 * The handler on the connector alone, no Nest: `connector.publish(envelope)` → `subscribeGroup` → the
 * handler → `commit` every COMMIT_EVERY messages of a partition (the same JSON envelopes).
 */
import {
  EmbeddedConnector,
  JsonSerializer,
  createEnvelope,
  envelopeToMessage,
  messageToEnvelope,
  resolveConnectorConfig,
  type ConnectorConfigInput,
} from '../../../lib/connector-layer.js';
import { probe, TICK, type Drive, type Tick } from '../load.js';

const COMMIT_EVERY = 20;

export async function connectorDrive(input: ConnectorConfigInput): Promise<Drive> {
  const connector = new EmbeddedConnector();
  await connector.connect(resolveConnectorConfig(input));
  const { streamName: stream, topicName: topic, partitions } = connector.config!;
  await connector.ensureStream(stream);
  await connector.ensureTopic(stream, { name: topic, partitions });
  const serializer = new JsonSerializer();
  const subscriber = await connector.subscribeGroup(stream, topic, 'bench');
  const consuming = (async () => {
    const handled = new Map<number, number>();
    for (let m = await subscriber.recv(); m !== null; m = await subscriber.recv()) {
      probe.hit(messageToEnvelope<Tick>(m, serializer).payload.sentAt);
      const n = (handled.get(m.partition) ?? 0) + 1;
      handled.set(m.partition, n);
      if (n % COMMIT_EVERY === 0) await subscriber.commit(m);
    }
  })();
  return {
    emit: (tick) =>
      connector.publish(
        envelopeToMessage(
          createEnvelope({ tenantId: tick.tenantId, type: TICK, payload: tick }),
          serializer,
          {
            stream,
            topic,
          },
        ),
      ),
    stop: async () => {
      await subscriber.close();
      await consuming;
      await connector.shutdown();
    },
  };
}
