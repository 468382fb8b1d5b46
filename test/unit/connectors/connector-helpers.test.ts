import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { calculatePartition } from '../../../lib/connectors/calculate-partition.js';
import { DEFAULT_STREAM_NAME, resolveConnectorConfig } from '../../../lib/connectors/connector-config.js';
import { ConnectorError } from '../../../lib/connectors/connector-error.js';
import { partitionBatches, preparePublishes } from '../../../lib/connectors/publish-grouping.js';
import { PublishRequest } from '../../../lib/connectors/publish-request.js';
import { endOffset, groupFloors, singleStart } from '../../../lib/connectors/start-position.js';
import type { TopicInfo } from '../../../lib/connectors/iggy-connector.js';
import { partitionForKey } from '../../../lib/protocol/messages/partition-key.js';
import { uuidToMessageId } from '../../../lib/protocol/messages/message-id.js';
import { PollingStrategy } from '../../../lib/protocol/primitives/polling-strategy.js';
import { Header } from '../../../lib/protocol/primitives/user-headers.js';

describe('calculatePartition', () => {
  it("is partitionForKey of the key's UTF-8 bytes: the server's pick", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 1000 }), (key, n) => {
        const p = calculatePartition(key, n);
        expect(p).toBe(partitionForKey(Buffer.from(key, 'utf8'), n));
        expect(p).toBe(calculatePartition(key, n));
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(n);
      }),
    );
  });

  it('spreads tenants over the partitions', () => {
    const used = new Set(Array.from({ length: 200 }, (_, i) => calculatePartition(`tenant-${i}`, 8)));
    expect(used.size).toBe(8);
  });

  it.each([
    ['', 8],
    ['x'.repeat(256), 8],
    ['k', 0],
    ['k', 1.5],
  ])('refuses a bad key or partitions count with Config (case %#)', (key, n) => {
    expect(() => calculatePartition(key, n)).toThrow(ConnectorError);
  });
});

describe('preparePublishes and partitionBatches', () => {
  const defaults = { streamName: DEFAULT_STREAM_NAME, topicName: 'domain' };
  const limits = { maxBatchMessages: 1000, maxBatchBytes: 1024 * 1024 };

  it('fills in the default stream and topic, derives the message id and measures each message once', () => {
    const ids = Array.from({ length: 3 }, () => randomUUID());
    const entries = preparePublishes(
      [
        PublishRequest.simple('a', Buffer.from('1'), ids[0]!),
        PublishRequest.toTopic('system', 'b', Buffer.from('22'), ids[1]!),
        PublishRequest.new('other', 'domain', 'a', Buffer.from('333'), ids[2]!).withHeaders([
          { key: Header.string('h'), value: Header.uint32(7) },
        ]),
      ],
      defaults,
      'owner',
    );
    expect(entries.map((e) => [e.stream, e.topic, e.key, e.owner])).toEqual([
      [DEFAULT_STREAM_NAME, 'domain', 'a', 'owner'],
      [DEFAULT_STREAM_NAME, 'system', 'b', 'owner'],
      ['other', 'domain', 'a', 'owner'],
    ]);
    expect(entries[0]!.message.id).toBe(uuidToMessageId(ids[0]!));
    // 64-byte message header + payload + user headers (1+4+1 key, 1+4+4 value)
    expect(entries.map((e) => [e.headerBytes, e.bytes])).toEqual([
      [0, 65],
      [0, 66],
      [15, 64 + 3 + 15],
    ]);
  });

  it('groups by partition in publish order and cuts batches at the message and byte limits', () => {
    const requests = Array.from({ length: 7 }, (_, i) =>
      PublishRequest.simple(i % 2 === 0 ? 'even' : 'odd', Buffer.alloc(36, i), randomUUID()),
    );
    const entries = preparePublishes(requests, defaults, null);
    const partitionOf = (key: string) => (key === 'even' ? 0 : 1);
    const shape = (batches: ReturnType<typeof partitionBatches>) =>
      batches.map((b) => [b.partition, b.entries.map((e) => e.message.payload[0])]);
    expect(shape(partitionBatches(entries, partitionOf, limits))).toEqual([
      [0, [0, 2, 4, 6]],
      [1, [1, 3, 5]],
    ]);
    expect(shape(partitionBatches(entries, partitionOf, { ...limits, maxBatchMessages: 2 }))).toEqual([
      [0, [0, 2]],
      [1, [1, 3]],
      [0, [4, 6]],
      [1, [5]],
    ]);
    // each message is 100 bytes: three fit in 300, the fourth opens a new batch
    expect(shape(partitionBatches(entries, () => 0, { ...limits, maxBatchBytes: 300 }))).toEqual([
      [0, [0, 1, 2]],
      [0, [3, 4, 5]],
      [0, [6]],
    ]);
    // a message larger than the byte limit goes alone
    expect(shape(partitionBatches(entries.slice(0, 2), () => 0, { ...limits, maxBatchBytes: 10 }))).toEqual([
      [0, [0]],
      [0, [1]],
    ]);
  });

  it('refuses an event id that is not a UUID, an empty key and an empty payload (Publish)', () => {
    for (const bad of [
      PublishRequest.simple('a', Buffer.from('x'), 'nope'),
      PublishRequest.simple('', Buffer.from('x'), randomUUID()),
      PublishRequest.simple('a', Buffer.alloc(0), randomUUID()),
    ]) {
      expect(() => preparePublishes([bad], defaults, null)).toThrow(
        expect.objectContaining({ kind: 'Publish' }),
      );
    }
  });
});

describe('start positions', () => {
  const topic: TopicInfo = {
    id: 0,
    name: 't',
    partitionsCount: 2,
    replicationFactor: 1,
    messageExpiryMicros: 0n,
    maxTopicSizeBytes: 0n,
    partitions: [
      { id: 0, currentOffset: 9n, messagesCount: 10n, sizeBytes: 1n },
      { id: 1, currentOffset: null, messagesCount: 0n, sizeBytes: 0n },
    ],
  };

  it('gives a single consumer its first poll', () => {
    const p = topic.partitions[0]!;
    expect(singleStart('committed', p)).toEqual(PollingStrategy.next());
    expect(singleStart('beginning', p)).toEqual(PollingStrategy.first());
    expect(singleStart('end', p)).toEqual(PollingStrategy.offset(10n));
    expect(singleStart('end', topic.partitions[1]!)).toEqual(PollingStrategy.offset(0n));
    expect(singleStart({ offset: 4n }, p)).toEqual(PollingStrategy.offset(4n));
    expect(singleStart({ timestamp: 77n }, p)).toEqual(PollingStrategy.timestamp(77n));
    expect(endOffset(p)).toBe(10n);
  });

  it('gives a group member floors per partition', async () => {
    const probe = async (partition: number) => (partition === 0 ? 6n : null);
    expect(await groupFloors('committed', topic, probe)).toEqual(new Map());
    expect(await groupFloors('beginning', topic, probe)).toEqual(new Map());
    expect(await groupFloors('end', topic, probe)).toEqual(
      new Map([
        [0, 10n],
        [1, 0n],
      ]),
    );
    expect(await groupFloors({ offset: 3n }, topic, probe)).toEqual(
      new Map([
        [0, 3n],
        [1, 3n],
      ]),
    );
    expect(await groupFloors({ timestamp: 5n }, topic, probe)).toEqual(
      new Map([
        [0, 6n],
        [1, 0n],
      ]),
    );
  });

  it('refuses anything else (Subscribe)', async () => {
    expect(() => singleStart('latest' as never, topic.partitions[0]!)).toThrow(
      expect.objectContaining({ kind: 'Subscribe' }),
    );
    await expect(groupFloors({ offset: -1n }, topic, async () => null)).rejects.toMatchObject({
      kind: 'Subscribe',
    });
  });
});

describe('resolveConnectorConfig', () => {
  it("fills in the seeds' defaults", () => {
    const config = resolveConnectorConfig();
    expect(config).toMatchObject({
      mode: 'embedded',
      streamName: DEFAULT_STREAM_NAME,
      topicName: 'domain',
      partitions: 8,
    });
    expect(config.embedded).toMatchObject({
      dataDir: './data/iggy',
      tcpPort: 8090,
      httpPort: null, // never Nest's app.listen(3000)
      persistent: true,
    });
    expect(config.remote).toEqual({
      addresses: ['127.0.0.1:8090'],
      protocol: 'tcp',
      username: 'iggy',
      password: 'iggy',
      tlsEnabled: false,
    });
  });

  it('keeps the defaults of what a partial config leaves out (or sets to undefined)', () => {
    const config = resolveConnectorConfig({
      mode: 'remote',
      partitions: 2,
      embedded: { tcpPort: null, dataDir: undefined },
      remote: { addresses: ['10.0.0.1:9000'], username: undefined },
    });
    expect(config).toMatchObject({
      mode: 'remote',
      streamName: DEFAULT_STREAM_NAME,
      topicName: 'domain',
      partitions: 2,
    });
    expect(config.embedded).toMatchObject({
      dataDir: './data/iggy',
      tcpPort: null,
      httpPort: null,
      persistent: true,
    });
    expect(config.remote).toMatchObject({
      addresses: ['10.0.0.1:9000'],
      protocol: 'tcp',
      username: 'iggy',
      password: 'iggy',
      tlsEnabled: false,
    });
  });
});
