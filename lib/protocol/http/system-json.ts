import type {
  ClusterMetadata,
  ClusterNodeRoleValue,
  ClusterNodeStatusValue,
} from '../commands/system/get-cluster-metadata.js';
import { ClusterNodeRole, ClusterNodeStatus } from '../commands/system/get-cluster-metadata.js';
import type { Stats } from '../commands/system/get-stats.js';
import { byteSizeText } from './catalog-json.js';
import { JsonFields, lookup, readList } from './json-fields.js';

/* Server statistics and cluster metadata as Iggy's HTTP API writes them, both directions. */

const ROLES: Record<string, ClusterNodeRoleValue> = {
  leader: ClusterNodeRole.Leader,
  follower: ClusterNodeRole.Follower,
};

export function readClusterMetadata(f: JsonFields): ClusterMetadata {
  return {
    name: f.string('name'),
    nodes: readList(f.raw('nodes'), `${f.what}.nodes`, (n) => {
      const endpoints = n.object('endpoints');
      const status = n.string('status');
      const statuses = ClusterNodeStatus as Record<string, number>;
      const statusKey = Object.keys(statuses).find((k) => k.toLowerCase() === status.toLowerCase());
      return {
        name: n.string('name'),
        ip: n.string('ip'),
        endpoints: {
          tcp: endpoints.u32('tcp'),
          quic: endpoints.u32('quic'),
          http: endpoints.u32('http'),
          websocket: endpoints.u32('websocket'),
        },
        role: lookup(ROLES, n.string('role').toLowerCase()) ?? ClusterNodeRole.Leader,
        status: (statusKey ? statuses[statusKey] : ClusterNodeStatus.Unknown) as ClusterNodeStatusValue,
      };
    }),
  };
}

export function readStats(f: JsonFields): Stats {
  const text = (name: string) => (f.has(name) ? f.string(name) : '');
  const semver = f.has('iggy_server_semver') ? f.u32('iggy_server_semver') : 0;
  return {
    processId: f.u32('process_id'),
    cpuUsage: f.number('cpu_usage'),
    totalCpuUsage: f.number('total_cpu_usage'),
    memoryUsage: f.bytes('memory_usage'),
    totalMemory: f.bytes('total_memory'),
    availableMemory: f.bytes('available_memory'),
    runTime: f.big('run_time'),
    startTime: f.big('start_time'),
    readBytes: f.bytes('read_bytes'),
    writtenBytes: f.bytes('written_bytes'),
    messagesSizeBytes: f.bytes('messages_size_bytes'),
    streamsCount: f.u32('streams_count'),
    topicsCount: f.u32('topics_count'),
    partitionsCount: f.u32('partitions_count'),
    segmentsCount: f.u32('segments_count'),
    messagesCount: f.big('messages_count'),
    clientsCount: f.u32('clients_count'),
    consumerGroupsCount: f.u32('consumer_groups_count'),
    hostname: text('hostname'),
    osName: text('os_name'),
    osVersion: text('os_version'),
    kernelVersion: text('kernel_version'),
    iggyServerVersion: text('iggy_server_version'),
    iggyServerSemver: semver === 0 ? null : semver,
    cacheMetrics: [],
    threadsCount: f.has('threads_count') ? f.u32('threads_count') : null,
    freeDiskSpace: f.has('free_disk_space') ? f.bytes('free_disk_space') : null,
    totalDiskSpace: f.has('total_disk_space') ? f.bytes('total_disk_space') : null,
  };
}
export function statsJson(s: Stats): Record<string, unknown> {
  const json: Record<string, unknown> = {
    process_id: s.processId,
    cpu_usage: s.cpuUsage,
    total_cpu_usage: s.totalCpuUsage,
    memory_usage: byteSizeText(s.memoryUsage),
    total_memory: byteSizeText(s.totalMemory),
    available_memory: byteSizeText(s.availableMemory),
    run_time: s.runTime,
    start_time: s.startTime,
    read_bytes: byteSizeText(s.readBytes),
    written_bytes: byteSizeText(s.writtenBytes),
    messages_size_bytes: byteSizeText(s.messagesSizeBytes),
    streams_count: s.streamsCount,
    topics_count: s.topicsCount,
    partitions_count: s.partitionsCount,
    segments_count: s.segmentsCount,
    messages_count: s.messagesCount,
    clients_count: s.clientsCount,
    consumer_groups_count: s.consumerGroupsCount,
    hostname: s.hostname,
    os_name: s.osName,
    os_version: s.osVersion,
    kernel_version: s.kernelVersion,
    iggy_server_version: s.iggyServerVersion,
    iggy_server_semver: s.iggyServerSemver,
    cache_metrics: {},
  };
  if (s.threadsCount !== null) {
    json.threads_count = s.threadsCount;
    json.free_disk_space = byteSizeText(s.freeDiskSpace ?? 0n);
    json.total_disk_space = byteSizeText(s.totalDiskSpace ?? 0n);
  }
  return json;
}

const ROLE_NAMES: Record<number, string> = {
  [ClusterNodeRole.Leader]: 'leader',
  [ClusterNodeRole.Follower]: 'follower',
};

export function clusterMetadataJson(m: ClusterMetadata): Record<string, unknown> {
  const statusNames = Object.fromEntries(
    Object.entries(ClusterNodeStatus).map(([k, v]) => [v, k.toLowerCase()]),
  );
  return {
    name: m.name,
    nodes: m.nodes.map((n) => ({
      name: n.name,
      ip: n.ip,
      endpoints: n.endpoints,
      role: ROLE_NAMES[n.role],
      status: statusNames[n.status],
    })),
  };
}
