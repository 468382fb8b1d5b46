import { ConsumerKind, type Consumer } from '../../../protocol/primitives/consumer.js';
import type { Identifier } from '../../../protocol/primitives/identifier.js';
import { ProtocolError } from '../../../protocol/protocol-error.js';
import { BrokerError } from '../../broker-error.js';
import type { RestRequest } from './rest-route.js';

/** A path segment, percent-decoded: InvalidIdentifier when the escapes are broken. */
export function segment(value: string | undefined): string {
  try {
    return decodeURIComponent(value ?? '');
  } catch {
    throw BrokerError.of('InvalidIdentifier', `'${value}' is not a valid path segment`);
  }
}

/** A path parameter as Iggy reads an identifier: digits are a numeric id, anything else a name. */
export function id(value: string | undefined): Identifier {
  const text = segment(value);
  if (/^\d+$/.test(text) && Number(text) <= 0xffffffff) return Number(text);
  if (text.length === 0 || Buffer.byteLength(text) > 255) {
    throw BrokerError.of('InvalidIdentifier', `'${text}' is not an identifier`);
  }
  return text;
}

export function u32(text: string | null, what: string): number {
  if (text === null || !/^\d+$/.test(text) || Number(text) > 0xffffffff) {
    throw new ProtocolError('InvalidValue', `${what}: expected a u32, got '${text}'`);
  }
  return Number(text);
}

/** A consumer from `consumer_id` (the HTTP API has plain consumers only; 1 when absent, as the server). */
export function plainConsumer(text: string | null): Consumer {
  return { kind: ConsumerKind.Consumer, id: text === null ? 1 : id(text) };
}

/** The stream and topic of a `/streams/{s}/topics/{t}` path. */
export function topicTarget(r: RestRequest): { streamId: Identifier; topicId: Identifier } {
  return { streamId: id(r.params[0]), topicId: id(r.params[1]) };
}

export function optionalPartition(query: URLSearchParams): number | null {
  const text = query.get('partition_id');
  return text === null ? null : u32(text, 'partition_id');
}
