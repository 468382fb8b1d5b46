import * as catalog from '../../../protocol/http/catalog-json.js';
import type { CompressionAlgorithmValue } from '../../types.js';
import { sendNotFound, sendStatus } from './rest-errors.js';
import { id, topicTarget, u32 } from './rest-params.js';
import { json, noContent, route, type RestRequest, type Route } from './rest-route.js';

/** A topic's settings; the compression algorithm as given (the broker refuses an unknown one). */
function topicBody(r: RestRequest, withPartitions: boolean) {
  const body = catalog.readTopicBody(r.body, withPartitions);
  return { ...body, compressionAlgorithm: body.compressionAlgorithm as CompressionAlgorithmValue };
}

/** Streams, their topics, and the topics' partitions and segments. */
export const STREAM_ROUTES: Route[] = [
  route('GET', '/streams', async (s, _r, res) => json(res, (await s.getStreams()).map(catalog.streamJson))),
  route('POST', '/streams', async (s, r, res) =>
    json(
      res,
      catalog.streamDetailsJson(await s.createStream({ name: catalog.readNameBody(r.body, 'stream') })),
    ),
  ),
  route('GET', '/streams/{s}', async (s, r, res) => {
    const stream = await s.getStream({ streamId: id(r.params[0]) });
    return stream ? json(res, catalog.streamDetailsJson(stream)) : sendNotFound(res);
  }),
  route('PUT', '/streams/{s}', async (s, r, res) => {
    await s.updateStream({ streamId: id(r.params[0]), name: catalog.readNameBody(r.body, 'stream') });
    noContent(res);
  }),
  route('DELETE', '/streams/{s}', async (s, r, res) => {
    await s.deleteStream({ streamId: id(r.params[0]) });
    noContent(res);
  }),
  route('DELETE', '/streams/{s}/purge', async (s, r, res) => {
    await s.purgeStream({ streamId: id(r.params[0]) });
    noContent(res);
  }),

  route('GET', '/streams/{s}/topics', async (s, r, res) =>
    json(res, (await s.getTopics({ streamId: id(r.params[0]) })).map(catalog.topicJson)),
  ),
  route('POST', '/streams/{s}/topics', async (s, r, res) => {
    const body = topicBody(r, true);
    const topic = await s.createTopic({
      streamId: id(r.params[0]),
      ...body,
      partitionsCount: body.partitionsCount!,
    });
    json(res, catalog.topicDetailsJson(topic));
  }),
  route('GET', '/streams/{s}/topics/{t}', async (s, r, res) => {
    const topic = await s.getTopic(topicTarget(r));
    return topic ? json(res, catalog.topicDetailsJson(topic)) : sendNotFound(res);
  }),
  route('PUT', '/streams/{s}/topics/{t}', async (s, r, res) => {
    await s.updateTopic({ ...topicTarget(r), ...topicBody(r, false) });
    noContent(res);
  }),
  route('DELETE', '/streams/{s}/topics/{t}', async (s, r, res) => {
    await s.deleteTopic(topicTarget(r));
    noContent(res);
  }),
  route('DELETE', '/streams/{s}/topics/{t}/purge', async (s, r, res) => {
    await s.purgeTopic(topicTarget(r));
    noContent(res);
  }),
  route('POST', '/streams/{s}/topics/{t}/partitions', async (s, r, res) => {
    await s.createPartitions({ ...topicTarget(r), partitionsCount: catalog.readPartitionsBody(r.body) });
    sendStatus(res, 201);
  }),
  route('DELETE', '/streams/{s}/topics/{t}/partitions', async (s, r, res) => {
    const partitionsCount = u32(r.query.get('partitions_count'), 'partitions_count');
    await s.deletePartitions({ ...topicTarget(r), partitionsCount });
    noContent(res);
  }),
  route('DELETE', '/streams/{s}/topics/{t}/partitions/{p}', async (s, r, res) => {
    const partitionId = u32(r.params[2]!, 'partition id');
    const segmentsCount = u32(r.query.get('segments_count'), 'segments_count');
    await s.deleteSegments({ ...topicTarget(r), partitionId, segmentsCount });
    noContent(res);
  }),
];
