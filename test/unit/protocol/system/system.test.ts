import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  ClusterNodeRole,
  ClusterNodeStatus,
  getClusterMetadataCodec,
  type ClusterMetadata,
} from '../../../../lib/protocol/commands/system/get-cluster-metadata.js';
import {
  getSnapshotCodec,
  SnapshotCompression,
  SnapshotType,
  type GetSnapshotRequest,
} from '../../../../lib/protocol/commands/system/get-snapshot.js';
import { getStatsCodec, type Stats } from '../../../../lib/protocol/commands/system/get-stats.js';
import { pingCodec } from '../../../../lib/protocol/commands/system/ping.js';
import { ProtocolError } from '../../../../lib/protocol/protocol-error.js';
import { f32, le, text, u16, u32, u64 } from './fixtures.js';

const stats: Stats = {
  processId: 4242,
  cpuUsage: 12.5,
  totalCpuUsage: 50.25,
  memoryUsage: 1_000_000n,
  totalMemory: 16_000_000_000n,
  availableMemory: 8_000_000_000n,
  runTime: 3_600_000_000n,
  startTime: 1_700_000_000_000_000n,
  readBytes: 111n,
  writtenBytes: 222n,
  messagesSizeBytes: 333n,
  streamsCount: 2,
  topicsCount: 3,
  partitionsCount: 24,
  segmentsCount: 25,
  messagesCount: 1000n,
  clientsCount: 4,
  consumerGroupsCount: 1,
  hostname: 'host',
  osName: 'Linux',
  osVersion: '6.1',
  kernelVersion: '6.1.0-18',
  iggyServerVersion: '0.7.0',
  iggyServerSemver: 7000,
  cacheMetrics: [{ streamId: 1, topicId: 2, partitionId: 0, hits: 10n, misses: 5n, hitRatio: 0.5 }],
  threadsCount: null,
  freeDiskSpace: null,
  totalDiskSpace: null,
};
/** The same stats as a 0.8 server sends them: threads and disk space after the cache metrics. */
const stats08: Stats = {
  ...stats,
  iggyServerVersion: '0.8.0',
  iggyServerSemver: 8000,
  threadsCount: 17,
  freeDiskSpace: 50_000_000_000n,
  totalDiskSpace: 250_000_000_000n,
};

/** The fixed 108-byte head of the stats layout (mapper.rs map_stats), then hostname, os name, os version. */
const statsHead = le.cat(
  le.u32(4242),
  le.f32(12.5),
  le.f32(50.25),
  le.u64(1_000_000n),
  le.u64(16_000_000_000n),
  le.u64(8_000_000_000n),
  le.u64(3_600_000_000n),
  le.u64(1_700_000_000_000_000n),
  le.u64(111n),
  le.u64(222n),
  le.u64(333n),
  le.u32(2),
  le.u32(3),
  le.u32(24),
  le.u32(25),
  le.u64(1000n),
  le.u32(4),
  le.u32(1),
  le.str32('host'),
  le.str32('Linux'),
  le.str32('6.1'),
);

const statsArb: fc.Arbitrary<Stats> = fc.record({
  processId: u32,
  cpuUsage: f32,
  totalCpuUsage: f32,
  memoryUsage: u64,
  totalMemory: u64,
  availableMemory: u64,
  runTime: u64,
  startTime: u64,
  readBytes: u64,
  writtenBytes: u64,
  messagesSizeBytes: u64,
  streamsCount: u32,
  topicsCount: u32,
  partitionsCount: u32,
  segmentsCount: u32,
  messagesCount: u64,
  clientsCount: u32,
  consumerGroupsCount: u32,
  hostname: text(),
  osName: text(),
  osVersion: text(),
  kernelVersion: text(),
  iggyServerVersion: text(),
  iggyServerSemver: fc.option(fc.integer({ min: 1, max: 0xffffffff })),
  cacheMetrics: fc.array(
    fc.record({ streamId: u32, topicId: u32, partitionId: u32, hits: u64, misses: u64, hitRatio: f32 }),
    { maxLength: 3 },
  ),
  threadsCount: fc.constant(null),
  freeDiskSpace: fc.constant(null),
  totalDiskSpace: fc.constant(null),
});
/** 0.7 layouts (no trailer) and 0.8 ones (threads and disk space). */
const anyStatsArb: fc.Arbitrary<Stats> = fc.oneof(
  statsArb,
  fc.tuple(statsArb, u32, u64, u64).map(([s, threadsCount, freeDiskSpace, totalDiskSpace]) => ({
    ...s,
    threadsCount,
    freeDiskSpace,
    totalDiskSpace,
  })),
);

describe('Ping', () => {
  it('is empty both ways and rejects any payload', () => {
    expect(pingCodec.code).toBe(1);
    expect(pingCodec.encodeRequest()).toHaveLength(0);
    expect(pingCodec.encodeResponse()).toHaveLength(0);
    expect(() => pingCodec.decodeRequest(Buffer.alloc(0))).not.toThrow();
    expect(() => pingCodec.decodeResponse(Buffer.alloc(0))).not.toThrow();
    expect(() => pingCodec.decodeRequest(Buffer.from([0]))).toThrow(ProtocolError);
  });
});

describe('GetStats', () => {
  it('has an empty request', () => {
    expect(getStatsCodec.encodeRequest()).toHaveLength(0);
    expect(() => getStatsCodec.decodeRequest(Buffer.from([1]))).toThrow(ProtocolError);
  });

  it('encodes the response in the server layout: head, kernel, version, semver, cache metrics', () => {
    const expected = le.cat(
      statsHead,
      le.str32('6.1.0-18'),
      le.str32('0.7.0'),
      le.u32(7000),
      le.u32(1),
      le.u32(1),
      le.u32(2),
      le.u32(0),
      le.u64(10n),
      le.u64(5n),
      le.f32(0.5),
    );
    expect(statsHead.subarray(0, 108)).toHaveLength(108);
    expect(getStatsCodec.encodeResponse(stats).toString('hex')).toBe(expected.toString('hex'));
    expect(getStatsCodec.decodeResponse(expected)).toEqual(stats);
  });

  it('encodes and reads the 0.8 layout: the 0.7 one, then threads count u32, free and total disk u64', () => {
    const bytes07 = getStatsCodec.encodeResponse({ ...stats08, threadsCount: null });
    const expected = le.cat(bytes07, le.u32(17), le.u64(50_000_000_000n), le.u64(250_000_000_000n));
    expect(getStatsCodec.encodeResponse(stats08).toString('hex')).toBe(expected.toString('hex'));
    expect(getStatsCodec.decodeResponse(expected)).toEqual(stats08);
    expect(getStatsCodec.decodeResponse(bytes07)).toEqual({
      ...stats08,
      threadsCount: null,
      freeDiskSpace: null,
      totalDiskSpace: null,
    });
  });

  it('rejects a 0.8 trailer cut short or followed by more bytes', () => {
    const full = getStatsCodec.encodeResponse(stats08);
    for (const cut of [1, 8, 19]) {
      expect(() => getStatsCodec.decodeResponse(full.subarray(0, full.length - cut))).toThrow(ProtocolError);
    }
    expect(() => getStatsCodec.decodeResponse(le.cat(full, le.u8(0)))).toThrow(ProtocolError);
  });

  it('reads an older server layout that stops after the os version', () => {
    expect(getStatsCodec.decodeResponse(statsHead)).toEqual({
      ...stats,
      kernelVersion: '',
      iggyServerVersion: '',
      iggyServerSemver: null,
      cacheMetrics: [],
    });
  });

  it('reads a layout with version strings but no semver nor metrics, and semver 0 as null', () => {
    const noSemver = le.cat(statsHead, le.str32('k'), le.str32('v'));
    expect(getStatsCodec.decodeResponse(noSemver)).toMatchObject({
      kernelVersion: 'k',
      iggyServerVersion: 'v',
      iggyServerSemver: null,
    });
    const zeroSemver = le.cat(noSemver, le.u32(0), le.u32(0));
    expect(getStatsCodec.decodeResponse(zeroSemver)).toMatchObject({
      iggyServerSemver: null,
      cacheMetrics: [],
    });
  });

  it('writes a missing semver as 0 so the metrics count stays where readers expect it', () => {
    const bytes = getStatsCodec.encodeResponse({ ...stats, iggyServerSemver: null, cacheMetrics: [] });
    expect(bytes.subarray(bytes.length - 8).toString('hex')).toBe('0000000000000000');
  });

  it('rejects a cache metrics count that overruns the payload, and stray trailing bytes', () => {
    const lying = le.cat(statsHead, le.str32(''), le.str32(''), le.u32(0), le.u32(1000));
    expect(() => getStatsCodec.decodeResponse(lying)).toThrow(ProtocolError);
    const stray = le.cat(getStatsCodec.encodeResponse(stats), le.u8(0));
    expect(() => getStatsCodec.decodeResponse(stray)).toThrow(ProtocolError);
  });

  it('round-trips any stats, 0.7 and 0.8 layouts', () => {
    fc.assert(
      fc.property(anyStatsArb, (s) => {
        expect(getStatsCodec.decodeResponse(getStatsCodec.encodeResponse(s))).toEqual(s);
      }),
    );
  });
});

describe('GetSnapshot', () => {
  it('encodes compression, type count and types', () => {
    const req: GetSnapshotRequest = {
      compression: SnapshotCompression.Deflated,
      types: [SnapshotType.ProcessList, SnapshotType.All],
    };
    const bytes = getSnapshotCodec.encodeRequest(req);
    expect(bytes.toString('hex')).toBe('02020264');
    expect(getSnapshotCodec.decodeRequest(bytes)).toEqual(req);
  });

  it('rejects unknown compression and snapshot type codes', () => {
    expect(() => getSnapshotCodec.decodeRequest(Buffer.from([7, 0]))).toThrow(ProtocolError);
    expect(() => getSnapshotCodec.decodeRequest(Buffer.from([1, 1, 7]))).toThrow(ProtocolError);
    expect(() => getSnapshotCodec.decodeRequest(Buffer.from([1, 2, 1]))).toThrow(ProtocolError);
    expect(() => getSnapshotCodec.encodeRequest({ compression: 9 as never, types: [] })).toThrow(
      ProtocolError,
    );
  });

  it('round-trips requests and passes the archive bytes through', () => {
    const compression = fc.constantFrom(...Object.values(SnapshotCompression));
    const type = fc.constantFrom(...Object.values(SnapshotType));
    fc.assert(
      fc.property(fc.record({ compression, types: fc.array(type, { maxLength: 10 }) }), (req) => {
        expect(getSnapshotCodec.decodeRequest(getSnapshotCodec.encodeRequest(req))).toEqual(req);
      }),
    );
    const zip = Buffer.from('504b0304', 'hex');
    expect(getSnapshotCodec.decodeResponse(getSnapshotCodec.encodeResponse(zip))).toEqual(zip);
  });
});

describe('GetClusterMetadata', () => {
  const metadata: ClusterMetadata = {
    name: 'iggy-cluster',
    nodes: [
      {
        name: 'node-1',
        ip: '127.0.0.1',
        endpoints: { tcp: 8090, quic: 8080, http: 3000, websocket: 8092 },
        role: ClusterNodeRole.Leader,
        status: ClusterNodeStatus.Healthy,
      },
    ],
  };

  it('encodes the response as name, node count, nodes (name, ip, 4 ports, role, status)', () => {
    const expected = le.cat(
      le.str32('iggy-cluster'),
      le.u32(1),
      le.str32('node-1'),
      le.str32('127.0.0.1'),
      le.u16(8090),
      le.u16(8080),
      le.u16(3000),
      le.u16(8092),
      le.u8(0),
      le.u8(0),
    );
    expect(getClusterMetadataCodec.encodeResponse(metadata).toString('hex')).toBe(expected.toString('hex'));
    expect(getClusterMetadataCodec.decodeResponse(expected)).toEqual(metadata);
    expect(getClusterMetadataCodec.encodeRequest()).toHaveLength(0);
  });

  it('rejects unknown roles and statuses', () => {
    const bytes = getClusterMetadataCodec.encodeResponse(metadata);
    const badRole = Buffer.from(bytes);
    badRole[badRole.length - 2] = 2;
    expect(() => getClusterMetadataCodec.decodeResponse(badRole)).toThrow(ProtocolError);
    const badStatus = Buffer.from(bytes);
    badStatus[badStatus.length - 1] = 6;
    expect(() => getClusterMetadataCodec.decodeResponse(badStatus)).toThrow(ProtocolError);
  });

  it('round-trips any metadata', () => {
    const node = fc.record({
      name: text(),
      ip: text(),
      endpoints: fc.record({ tcp: u16, quic: u16, http: u16, websocket: u16 }),
      role: fc.constantFrom(...Object.values(ClusterNodeRole)),
      status: fc.constantFrom(...Object.values(ClusterNodeStatus)),
    });
    fc.assert(
      fc.property(fc.record({ name: text(), nodes: fc.array(node, { maxLength: 3 }) }), (m) => {
        expect(getClusterMetadataCodec.decodeResponse(getClusterMetadataCodec.encodeResponse(m))).toEqual(m);
      }),
    );
  });
});
