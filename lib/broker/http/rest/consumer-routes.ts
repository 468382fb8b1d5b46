import * as catalog from '../../../protocol/http/catalog-json.js';
import { sendJson, sendNotFound } from './rest-errors.js';
import { id, optionalPartition, plainConsumer, topicTarget } from './rest-params.js';
import { json, noContent, route, type Route } from './rest-route.js';

/** A topic's consumer groups and consumer offsets. */
export const CONSUMER_ROUTES: Route[] = [
  route('GET', '/streams/{s}/topics/{t}/consumer-groups', async (s, r, res) =>
    json(res, (await s.getConsumerGroups(topicTarget(r))).map(catalog.consumerGroupJson)),
  ),
  route('POST', '/streams/{s}/topics/{t}/consumer-groups', async (s, r, res) => {
    const name = catalog.readNameBody(r.body, 'consumer group');
    const group = await s.createConsumerGroup({ ...topicTarget(r), name });
    sendJson(res, 201, catalog.consumerGroupDetailsJson(group));
  }),
  route('GET', '/streams/{s}/topics/{t}/consumer-groups/{g}', async (s, r, res) => {
    const group = await s.getConsumerGroup({ ...topicTarget(r), groupId: id(r.params[2]) });
    return group ? json(res, catalog.consumerGroupDetailsJson(group)) : sendNotFound(res);
  }),
  route('DELETE', '/streams/{s}/topics/{t}/consumer-groups/{g}', async (s, r, res) => {
    await s.deleteConsumerGroup({ ...topicTarget(r), groupId: id(r.params[2]) });
    noContent(res);
  }),

  route('GET', '/streams/{s}/topics/{t}/consumer-offsets', async (s, r, res) => {
    const offset = await s.getOffset({
      ...topicTarget(r),
      consumer: plainConsumer(r.query.get('consumer_id')),
      partitionId: optionalPartition(r.query),
    });
    return offset ? json(res, catalog.consumerOffsetJson(offset)) : sendNotFound(res);
  }),
  route('PUT', '/streams/{s}/topics/{t}/consumer-offsets', async (s, r, res) => {
    const body = catalog.readStoreOffsetBody(r.body);
    await s.storeOffset({
      ...topicTarget(r),
      consumer: plainConsumer(body.consumerId),
      partitionId: body.partitionId,
      offset: body.offset,
    });
    noContent(res);
  }),
  route('DELETE', '/streams/{s}/topics/{t}/consumer-offsets/{c}', async (s, r, res) => {
    await s.deleteConsumerOffset({
      ...topicTarget(r),
      consumer: plainConsumer(r.params[2]!),
      partitionId: optionalPartition(r.query),
    });
    noContent(res);
  }),
];
