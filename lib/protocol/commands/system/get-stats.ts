import type { CommandCodec } from '../../command-codec.js';
import { CommandCode } from '../../codes/command-codes.js';
import type { BinaryReader } from '../../primitives/binary-reader.js';
import type { BinaryWriter } from '../../primitives/binary-writer.js';
import { decodePayload, emptyPayload, encodePayload, expectEmpty } from '../payload.js';

/** Cache hits and misses of one partition. */
export interface CacheMetricsEntry {
  streamId: number;
  topicId: number;
  partitionId: number;
  hits: bigint;
  misses: bigint;
  /** f32 on the wire. */
  hitRatio: number;
}

/**
 * Server and process statistics (GetStats response). Sizes in bytes, times in microseconds. Later
 * servers appended fields: each group is read only when the payload goes on (0.7 ends after the cache
 * metrics, 0.8 adds threads and disk space).
 */
export interface Stats {
  processId: number;
  /** f32: the server process's CPU usage. */
  cpuUsage: number;
  /** f32: the whole machine's CPU usage. */
  totalCpuUsage: number;
  memoryUsage: bigint;
  totalMemory: bigint;
  availableMemory: bigint;
  /** How long the server has run, µs. */
  runTime: bigint;
  /** When the server started, µs since the epoch. */
  startTime: bigint;
  readBytes: bigint;
  writtenBytes: bigint;
  messagesSizeBytes: bigint;
  streamsCount: number;
  topicsCount: number;
  partitionsCount: number;
  segmentsCount: number;
  messagesCount: bigint;
  clientsCount: number;
  consumerGroupsCount: number;
  hostname: string;
  osName: string;
  osVersion: string;
  /** Empty when an older server left it out. */
  kernelVersion: string;
  /** Empty when an older server left it out. */
  iggyServerVersion: string;
  /** major·1 000 000 + minor·1 000 + patch; null when absent or 0. */
  iggyServerSemver: number | null;
  cacheMetrics: CacheMetricsEntry[];
  /** Threads of the server process (server 0.8 on); null from a 0.7 server, whose layout ends before it. */
  threadsCount: number | null;
  /** Bytes free on the disk of the server's data directory (server 0.8 on; null before). */
  freeDiskSpace: bigint | null;
  /** Bytes on that disk (server 0.8 on; null before). */
  totalDiskSpace: bigint | null;
}

function writeStats(w: BinaryWriter, s: Stats): void {
  w.u32(s.processId).f32(s.cpuUsage).f32(s.totalCpuUsage);
  w.u64(s.memoryUsage).u64(s.totalMemory).u64(s.availableMemory);
  w.u64(s.runTime).u64(s.startTime);
  w.u64(s.readBytes).u64(s.writtenBytes).u64(s.messagesSizeBytes);
  w.u32(s.streamsCount).u32(s.topicsCount).u32(s.partitionsCount).u32(s.segmentsCount);
  w.u64(s.messagesCount);
  w.u32(s.clientsCount).u32(s.consumerGroupsCount);
  w.str32(s.hostname).str32(s.osName).str32(s.osVersion).str32(s.kernelVersion).str32(s.iggyServerVersion);
  // The server omits the semver when it has none; 0 keeps the layout unambiguous and reads back as null.
  w.u32(s.iggyServerSemver ?? 0);
  w.u32(s.cacheMetrics.length);
  for (const m of s.cacheMetrics) {
    w.u32(m.streamId).u32(m.topicId).u32(m.partitionId).u64(m.hits).u64(m.misses).f32(m.hitRatio);
  }
  // Server 0.8 appends these 20 bytes; a 0.7 layout (threadsCount null) ends with the cache metrics.
  if (s.threadsCount !== null) {
    w.u32(s.threadsCount)
      .u64(s.freeDiskSpace ?? 0n)
      .u64(s.totalDiskSpace ?? 0n);
  }
}

function readStats(r: BinaryReader): Stats {
  const fixed = {
    processId: r.u32('process id'),
    cpuUsage: r.f32('cpu usage'),
    totalCpuUsage: r.f32('total cpu usage'),
    memoryUsage: r.u64('memory usage'),
    totalMemory: r.u64('total memory'),
    availableMemory: r.u64('available memory'),
    runTime: r.u64('run time'),
    startTime: r.u64('start time'),
    readBytes: r.u64('read bytes'),
    writtenBytes: r.u64('written bytes'),
    messagesSizeBytes: r.u64('messages size bytes'),
    streamsCount: r.u32('streams count'),
    topicsCount: r.u32('topics count'),
    partitionsCount: r.u32('partitions count'),
    segmentsCount: r.u32('segments count'),
    messagesCount: r.u64('messages count'),
    clientsCount: r.u32('clients count'),
    consumerGroupsCount: r.u32('consumer groups count'),
    hostname: r.str32('hostname'),
    osName: r.str32('os name'),
    osVersion: r.str32('os version'),
  };
  // Later fields were appended over releases: each is present only if the payload goes on.
  const kernelVersion = r.remaining > 0 ? r.str32('kernel version') : '';
  const iggyServerVersion = r.remaining > 0 ? r.str32('server version') : '';
  const semver = r.remaining > 0 ? r.u32('server semver') : 0;
  const cacheMetrics: CacheMetricsEntry[] = [];
  let threadsCount: number | null = null;
  let freeDiskSpace: bigint | null = null;
  let totalDiskSpace: bigint | null = null;
  if (r.remaining > 0) {
    const count = r.u32('cache metrics count');
    // 32 bytes per entry: a lying count fails on the first missing entry, never allocates ahead.
    for (let i = 0; i < count; i++) {
      cacheMetrics.push({
        streamId: r.u32('cache metrics stream id'),
        topicId: r.u32('cache metrics topic id'),
        partitionId: r.u32('cache metrics partition id'),
        hits: r.u64('cache hits'),
        misses: r.u64('cache misses'),
        hitRatio: r.f32('cache hit ratio'),
      });
    }
    // The length tells 0.7 from 0.8: the 0.8 trailer follows the metrics, a 0.7 reply ends here.
    if (r.remaining > 0) {
      threadsCount = r.u32('threads count');
      freeDiskSpace = r.u64('free disk space');
      totalDiskSpace = r.u64('total disk space');
    }
  }
  return {
    ...fixed,
    kernelVersion,
    iggyServerVersion,
    iggyServerSemver: semver === 0 ? null : semver,
    cacheMetrics,
    threadsCount,
    freeDiskSpace,
    totalDiskSpace,
  };
}

/** GetStats (10): empty request; the response is `Stats`. */
export const getStatsCodec: CommandCodec<void, Stats> = {
  name: 'GetStats',
  code: CommandCode.GetStats,
  encodeRequest: () => emptyPayload(),
  decodeRequest: (payload) => expectEmpty(payload, 'GetStats request'),
  encodeResponse: (stats) => encodePayload((w) => writeStats(w, stats), 160),
  decodeResponse: (payload) => decodePayload(payload, 'GetStats response', readStats),
};
