import { ProtocolError } from '../protocol-error.js';
import type { BinaryReader } from './binary-reader.js';
import type { BinaryWriter } from './binary-writer.js';
import { readIdentifier, writeIdentifier, type Identifier } from './identifier.js';

export const ConsumerKind = { Consumer: 1, ConsumerGroup: 2 } as const;
export type ConsumerKindValue = (typeof ConsumerKind)[keyof typeof ConsumerKind];

/** Who polls or owns an offset: a single consumer or a consumer group. */
export interface Consumer {
  kind: ConsumerKindValue;
  id: Identifier;
}

export function writeConsumer(w: BinaryWriter, consumer: Consumer): void {
  w.u8(consumer.kind);
  writeIdentifier(w, consumer.id);
}

export function readConsumer(r: BinaryReader): Consumer {
  const kind = r.u8('consumer kind');
  if (kind !== ConsumerKind.Consumer && kind !== ConsumerKind.ConsumerGroup) {
    throw new ProtocolError('InvalidValue', `${r.context}: consumer kind ${kind} is neither 1 nor 2`);
  }
  return { kind, id: readIdentifier(r, 'consumer id') };
}
