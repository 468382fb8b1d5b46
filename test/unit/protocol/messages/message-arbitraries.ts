import fc from 'fast-check';
import type { OutgoingMessage, PolledMessage } from '../../../../lib/protocol/messages/message-batch.js';
import { ConsumerKind, type Consumer } from '../../../../lib/protocol/primitives/consumer.js';
import type { Identifier } from '../../../../lib/protocol/primitives/identifier.js';
import { PartitioningKind, type Partitioning } from '../../../../lib/protocol/primitives/partitioning.js';
import { PollingKind, type PollingStrategy } from '../../../../lib/protocol/primitives/polling-strategy.js';
import {
  HeaderKind,
  type HeaderEntry,
  type HeaderField,
} from '../../../../lib/protocol/primitives/user-headers.js';

/** fast-check generators shared by the message-side unit and fuzz tests. */

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n });
const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });

/** 1..max bytes of UTF-8. */
export const utf8String = (max = 255): fc.Arbitrary<string> =>
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: Math.min(max, 60) }).filter((s) => {
    const n = Buffer.byteLength(s, 'utf8');
    return n >= 1 && n <= max;
  });

export const identifierArb: fc.Arbitrary<Identifier> = fc.oneof(
  fc.integer({ min: 0, max: 0xffffffff }),
  utf8String(),
);

export const consumerArb: fc.Arbitrary<Consumer> = fc.record({
  kind: fc.constantFrom(ConsumerKind.Consumer, ConsumerKind.ConsumerGroup),
  id: identifierArb,
});

export const partitionIdArb = fc.integer({ min: 0, max: 0xffffffff });

export const partitioningArb: fc.Arbitrary<Partitioning> = fc.oneof(
  fc.constant<Partitioning>({ kind: PartitioningKind.Balanced }),
  partitionIdArb.map((partitionId): Partitioning => ({ kind: PartitioningKind.PartitionId, partitionId })),
  fc
    .uint8Array({ minLength: 1, maxLength: 255 })
    .map((key): Partitioning => ({ kind: PartitioningKind.MessagesKey, key: Buffer.from(key) })),
);

export const pollingStrategyArb: fc.Arbitrary<PollingStrategy> = fc.record({
  kind: fc.constantFrom(
    PollingKind.Offset,
    PollingKind.Timestamp,
    PollingKind.First,
    PollingKind.Last,
    PollingKind.Next,
  ),
  value: u64,
});

/** A header field of every kind, with values that survive the wire exactly. */
export const headerFieldArb: fc.Arbitrary<HeaderField> = fc.oneof(
  fc
    .uint8Array({ minLength: 1, maxLength: 255 })
    .map((b): HeaderField => ({ kind: HeaderKind.Raw, value: Buffer.from(b) })),
  utf8String().map((value): HeaderField => ({ kind: HeaderKind.String, value })),
  fc.boolean().map((value): HeaderField => ({ kind: HeaderKind.Bool, value })),
  fc.integer({ min: -0x80, max: 0x7f }).map((value): HeaderField => ({ kind: HeaderKind.Int8, value })),
  fc.integer({ min: -0x8000, max: 0x7fff }).map((value): HeaderField => ({ kind: HeaderKind.Int16, value })),
  fc.integer().map((value): HeaderField => ({ kind: HeaderKind.Int32, value })),
  fc
    .bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })
    .map((value): HeaderField => ({ kind: HeaderKind.Int64, value })),
  fc
    .bigInt({ min: -(1n << 127n), max: (1n << 127n) - 1n })
    .map((value): HeaderField => ({ kind: HeaderKind.Int128, value })),
  fc.integer({ min: 0, max: 0xff }).map((value): HeaderField => ({ kind: HeaderKind.Uint8, value })),
  fc.integer({ min: 0, max: 0xffff }).map((value): HeaderField => ({ kind: HeaderKind.Uint16, value })),
  fc.integer({ min: 0, max: 0xffffffff }).map((value): HeaderField => ({ kind: HeaderKind.Uint32, value })),
  u64.map((value): HeaderField => ({ kind: HeaderKind.Uint64, value })),
  u128.map((value): HeaderField => ({ kind: HeaderKind.Uint128, value })),
  fc.float().map((value): HeaderField => ({ kind: HeaderKind.Float32, value })),
  fc.double().map((value): HeaderField => ({ kind: HeaderKind.Float64, value })),
);

export const headersArb: fc.Arbitrary<HeaderEntry[]> = fc.array(
  fc.record({ key: headerFieldArb, value: headerFieldArb }),
  { maxLength: 8 },
);

const payloadArb = fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b));

export const outgoingMessageArb: fc.Arbitrary<OutgoingMessage> = fc.record({
  id: u128,
  payload: payloadArb,
  headers: headersArb,
  originTimestamp: u64,
});

export const polledMessageArb: fc.Arbitrary<PolledMessage> = fc.record({
  checksum: u64,
  id: u128,
  offset: u64,
  timestamp: u64,
  originTimestamp: u64,
  headers: headersArb,
  payload: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
});
