import type { ServerResponse } from 'node:http';
import { IggyErrorCode, iggyErrorName } from '../../../protocol/codes/error-codes.js';
import { toJson } from '../../../protocol/http/json-fields.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { BrokerError } from '../../broker-error.js';

const C = IggyErrorCode;

/** Codes the real server answers with 404, 401 and 403; every other error is a 400. */
const NOT_FOUND: ReadonlySet<number> = new Set([
  C.StreamIdNotFound,
  C.TopicIdNotFound,
  C.PartitionNotFound,
  C.SegmentNotFound,
  C.ClientNotFound,
  C.ConsumerGroupIdNotFound,
  C.ConsumerGroupNameNotFound,
  C.ConsumerGroupMemberNotFound,
  C.ConsumerOffsetNotFound,
  C.ResourceNotFound,
]);
const UNAUTHENTICATED: ReadonlySet<number> = new Set([
  C.Unauthenticated,
  C.AccessTokenMissing,
  C.InvalidAccessToken,
  C.InvalidPersonalAccessToken,
]);

/** The field the real server names for some errors. */
const FIELDS: Partial<Record<number, string>> = {
  [C.StreamIdNotFound]: 'stream_id',
  [C.TopicIdNotFound]: 'topic_id',
  [C.PartitionNotFound]: 'partition_id',
  [C.SegmentNotFound]: 'segment_id',
  [C.ClientNotFound]: 'client_id',
  [C.InvalidStreamName]: 'name',
  [C.StreamNameAlreadyExists]: 'name',
  [C.InvalidTopicName]: 'name',
  [C.TopicNameAlreadyExists]: 'name',
  [C.InvalidOffset]: 'offset',
  [C.ConsumerGroupNameAlreadyExists]: 'name',
  [C.UserAlreadyExists]: 'username',
};

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = toJson(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

export function sendStatus(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Length': 0 });
  res.end();
}

/** The real server's answer to a missing resource on a GET: 404 `not_found`. */
export function sendNotFound(res: ServerResponse): void {
  sendJson(res, 404, { id: 404, code: 'not_found', reason: 'Resource not found', field: null });
}

/**
 * A failure as the real server writes it: `{ id, code, reason, field }` with 404, 401, 403 or 400. A
 * body that does not decode is `InvalidFormat` (4); anything else is a 500 the caller logs.
 */
export function sendError(res: ServerResponse, err: unknown): boolean {
  let code: number;
  let reason: string;
  if (err instanceof BrokerError) {
    code = err.code;
    reason = err.message;
  } else if (err instanceof ProtocolError) {
    code = err.iggyCode;
    reason = err.message;
  } else {
    return false;
  }
  const status = NOT_FOUND.has(code)
    ? 404
    : UNAUTHENTICATED.has(code)
      ? 401
      : code === C.Unauthorized
        ? 403
        : 400;
  sendJson(res, status, { id: code, code: snake(iggyErrorName(code)), reason, field: FIELDS[code] ?? null });
  return true;
}
