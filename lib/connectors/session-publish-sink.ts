import { Partitioning } from '../protocol/primitives/partitioning.js';
import type { ConnectorSession } from './connector-session.js';
import type { PublishSink } from './publish-batcher.js';

/**
 * The publish path over a connector's own session (`main()`, asked at each use): each batch is one
 * SendMessages to its partition, started at once (so batches reach a partition in the order they are
 * handed over; the run is not copied).
 */
export function sessionPublishSink(main: () => ConnectorSession): PublishSink {
  return {
    partitionsCount: async (stream, topic) =>
      (await main().getTopic({ streamId: stream, topicId: topic }))?.partitionsCount ?? null,
    sendBatch: (stream, topic, partition, run) =>
      main().sendMessages({
        streamId: stream,
        topicId: topic,
        partitioning: Partitioning.partitionId(partition),
        messages: run,
      }),
  };
}
