import { PollingKind, type PollingKindValue } from '../../../protocol/primitives/polling-strategy.js';
import { polledMessagesJson, readSendMessagesBody } from '../../../protocol/http/messages-json.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { sendStatus } from './rest-errors.js';
import { optionalPartition, plainConsumer, topicTarget, u32 } from './rest-params.js';
import { json, route, type Route } from './rest-route.js';

const POLLING: Record<string, PollingKindValue> = {
  o: PollingKind.Offset,
  offset: PollingKind.Offset,
  t: PollingKind.Timestamp,
  timestamp: PollingKind.Timestamp,
  f: PollingKind.First,
  first: PollingKind.First,
  l: PollingKind.Last,
  last: PollingKind.Last,
  n: PollingKind.Next,
  next: PollingKind.Next,
};

/** Polling, sending and flushing a topic's messages. */
export const MESSAGE_ROUTES: Route[] = [
  route('GET', '/streams/{s}/topics/{t}/messages', async (s, r, res) => {
    const q = r.query;
    const kind = POLLING[q.get('kind') ?? 'offset'];
    if (kind === undefined)
      throw new ProtocolError('InvalidValue', `kind: unknown polling kind '${q.get('kind')}'`);
    const value = q.get('value') ?? '0';
    if (!/^\d{1,20}$/.test(value) || BigInt(value) >= 1n << 64n) {
      throw new ProtocolError('InvalidValue', `value: expected a u64, got '${value}'`);
    }
    const polled = await s.pollMessages({
      ...topicTarget(r),
      consumer: plainConsumer(q.get('consumer_id')),
      partitionId: optionalPartition(q),
      strategy: { kind, value: BigInt(value) },
      count: q.get('count') === null ? 10 : u32(q.get('count'), 'count'),
      autoCommit: q.get('auto_commit') === 'true',
    });
    json(res, polledMessagesJson(polled));
  }),
  route('POST', '/streams/{s}/topics/{t}/messages', async (s, r, res) => {
    const { partitioning, messages } = readSendMessagesBody(r.body);
    await s.sendMessages({ ...topicTarget(r), partitioning, messages });
    sendStatus(res, 201);
  }),
  route('GET', '/streams/{s}/topics/{t}/messages/flush/{p}/{fsync}', async (s, r, res) => {
    const fsync = r.params[3];
    if (fsync !== 'true' && fsync !== 'false')
      throw new ProtocolError('InvalidValue', `fsync: true or false`);
    const partitionId = u32(r.params[2]!, 'partition id');
    await s.flushUnsavedBuffer({ ...topicTarget(r), partitionId, fsync: fsync === 'true' });
    sendStatus(res, 200);
  }),
];
