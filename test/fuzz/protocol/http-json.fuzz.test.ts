import { describe, it } from '@jest/globals';
import fc from 'fast-check';
import * as catalog from '../../../lib/protocol/http/catalog-json.js';
import { JsonFields, parseJson, toJson } from '../../../lib/protocol/http/json-fields.js';
import * as messages from '../../../lib/protocol/http/messages-json.js';
import * as system from '../../../lib/protocol/http/system-json.js';
import * as users from '../../../lib/protocol/http/users-json.js';
import { ProtocolError } from '../../../lib/protocol/protocol-error.js';
import { fuzzRuns } from '../../support/fuzz.js';

/** Runs `decode`; a value or a `ProtocolError` passes, anything else fails the property. */
function decodesOrRejects(decode: (json: unknown) => unknown, json: unknown): boolean {
  try {
    decode(json);
    return true;
  } catch (err) {
    if (err instanceof ProtocolError) return true;
    throw err;
  }
}

const on = (read: (f: JsonFields) => unknown) => (json: unknown) => read(JsonFields.of(json, 'fuzz'));

/** Valid bodies the mutations start from, one per decoder of Iggy's HTTP API. */
const seeds: Record<string, [(json: unknown) => unknown, unknown]> = {
  'create topic body': [
    (j) => catalog.readTopicBody(j, true),
    {
      name: 't',
      partitions_count: 3,
      compression_algorithm: 'gzip',
      message_expiry: 18446744073709551615n,
      max_topic_size: 0,
      replication_factor: 1,
    },
  ],
  'update topic body': [
    (j) => catalog.readTopicBody(j, false),
    {
      name: 't',
      compression_algorithm: 'none',
      message_expiry: 0,
      max_topic_size: 10,
      replication_factor: 1,
    },
  ],
  'name body': [(j) => catalog.readNameBody(j, 'stream'), { name: 'orders' }],
  'partitions body': [catalog.readPartitionsBody, { partitions_count: 2 }],
  'store offset body': [catalog.readStoreOffsetBody, { consumer_id: 'c', partition_id: 1, offset: 5 }],
  'create user body': [
    users.readCreateUserBody,
    {
      username: 'bob',
      password: 'secret',
      status: 'active',
      permissions: {
        global: {
          manage_servers: false,
          read_servers: true,
          manage_users: false,
          read_users: true,
          manage_streams: false,
          read_streams: true,
          manage_topics: false,
          read_topics: true,
          poll_messages: true,
          send_messages: false,
        },
        streams: {
          '1': {
            manage_stream: false,
            read_stream: true,
            manage_topics: false,
            read_topics: true,
            poll_messages: true,
            send_messages: true,
            topics: {
              '2': { manage_topic: false, read_topic: true, poll_messages: true, send_messages: true },
            },
          },
        },
      },
    },
  ],
  'update user body': [users.readUpdateUserBody, { username: 'neo', status: 'inactive' }],
  'permissions body': [users.readPermissionsBody, { permissions: null }],
  'change password body': [users.readChangePasswordBody, { current_password: 'a1b', new_password: 'c2d' }],
  'login body': [users.readLoginBody, { username: 'iggy', password: 'iggy' }],
  'token body': [users.readTokenBody, { token: 'abc' }],
  'create access token body': [users.readCreateAccessTokenBody, { name: 'tok', expiry: 3600000000 }],
  'send messages body': [
    messages.readSendMessagesBody,
    {
      partitioning: { kind: 'messages_key', value: Buffer.from('tenant').toString('base64') },
      messages: [
        {
          id: '0190a5b4-0000-7000-8000-000000000001',
          payload: Buffer.from('hello').toString('base64'),
          user_headers: [
            {
              key: { kind: 'string', value: Buffer.from('type').toString('base64') },
              value: { kind: 'uint32', value: Buffer.from([1, 0, 0, 0]).toString('base64') },
            },
          ],
        },
        { id: 7, payload: 'AA==' },
      ],
    },
  ],
  'polled messages answer': [
    on(messages.readPolledMessages),
    messages.polledMessagesJson({
      partitionId: 0,
      currentOffset: 1n,
      messages: [
        {
          checksum: 1n,
          id: (1n << 127n) + 1n,
          offset: 0n,
          timestamp: 2n,
          originTimestamp: 3n,
          headers: [],
          payload: Buffer.from('x'),
        },
      ],
    }),
  ],
  'stream answer': [
    on(catalog.readStreamDetails),
    catalog.streamDetailsJson({
      id: 1,
      createdAt: 2n,
      topicsCount: 0,
      sizeBytes: 2000n,
      messagesCount: 0n,
      name: 's',
      topics: [],
    }),
  ],
  'stats answer': [
    on(system.readStats),
    system.statsJson({
      processId: 1,
      cpuUsage: 0.5,
      totalCpuUsage: 1,
      memoryUsage: 3_000_000n,
      totalMemory: 4n,
      availableMemory: 5n,
      runTime: 6n,
      startTime: 7n,
      readBytes: 8n,
      writtenBytes: 9n,
      messagesSizeBytes: 10n,
      streamsCount: 1,
      topicsCount: 2,
      partitionsCount: 3,
      segmentsCount: 4,
      messagesCount: 11n,
      clientsCount: 1,
      consumerGroupsCount: 0,
      hostname: 'h',
      osName: 'Linux',
      osVersion: '6',
      kernelVersion: '6.1',
      iggyServerVersion: '0.8.0',
      iggyServerSemver: 8000,
      cacheMetrics: [],
      threadsCount: 3,
      freeDiskSpace: 1024n,
      totalDiskSpace: 1_000_000_000n,
    }),
  ],
};

/** Any JSON value, bigints included (the API's u64 numbers). */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.bigInt({ min: -(1n << 130n), max: 1n << 130n }),
    fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 12 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** A valid body with one field replaced, removed or added (at any depth). */
function mutatedBody(seed: unknown): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (v: unknown, path: string[]) => {
    if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        paths.push([...path, k]);
        walk(child, [...path, k]);
      }
    }
  };
  walk(seed, []);
  return fc.tuple(fc.constantFrom(...paths), jsonValue, fc.boolean()).map(([path, value, remove]) => {
    const copy = parseJson(toJson(seed), 'seed') as Record<string, unknown>;
    let at: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
    if (remove) delete at[path.at(-1)!];
    else at[path.at(-1)!] = value;
    return copy;
  });
}

describe.each(Object.entries(seeds))('HTTP API JSON: %s', (_name, [decode, seed]) => {
  const runs = { numRuns: fuzzRuns() };

  it('the seed decodes', () => {
    decode(parseJson(toJson(seed), 'seed'));
  });

  it('returns a value or a ProtocolError for any JSON and for mutated bodies', () => {
    fc.assert(
      fc.property(jsonValue, (json) => decodesOrRejects(decode, json)),
      runs,
    );
    fc.assert(
      fc.property(mutatedBody(seed), (json) => decodesOrRejects(decode, json)),
      runs,
    );
  });
});

describe('HTTP API JSON text', () => {
  it('parseJson returns a value or a ProtocolError for any text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) =>
        decodesOrRejects((t) => parseJson(t as string, 'f'), text),
      ),
      { numRuns: fuzzRuns() },
    );
  });
});
