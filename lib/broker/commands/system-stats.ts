import { readdirSync, statfsSync } from 'node:fs';
import os from 'node:os';
import type { ServerGeneration } from '../metadata/server-generation.js';
import type { Stats } from '../types.js';

/** What the broker counts itself; the rest of Stats comes from the process and the OS. */
export interface BrokerCounts {
  streamsCount: number;
  topicsCount: number;
  partitionsCount: number;
  segmentsCount: number;
  messagesCount: bigint;
  messagesSizeBytes: bigint;
  clientsCount: number;
  consumerGroupsCount: number;
  /** Message bytes returned by polls since start. */
  readBytes: bigint;
  /** Message bytes appended by sends since start. */
  writtenBytes: bigint;
}

interface CpuSample {
  atMs: number;
  process: NodeJS.CpuUsage;
  idle: number;
  total: number;
}

/**
 * Process and host figures for GetStats, from Node's process and os APIs. CPU usage is a percentage
 * over the interval since the previous call (since start for the first call), like the real server's
 * sysinfo refresh. read/written bytes are the broker's own message traffic (Node has no per-process
 * disk byte counters).
 */
export class SystemStats {
  private last: CpuSample = sample();

  /** `dataDir`: whose disk the 0.8 stats report (null, in memory: 0 bytes, as the server when it cannot tell). */
  constructor(
    private readonly serverVersion: string,
    private readonly dataDir: string | null = null,
  ) {}

  /** The stats as a server of `generation` reports them (0.8 adds threads count and disk space). */
  collect(counts: BrokerCounts, generation: ServerGeneration = '0.8'): Stats {
    const now = sample();
    const elapsedMicros = Math.max(1, (now.atMs - this.last.atMs) * 1000);
    const processMicros =
      now.process.user + now.process.system - (this.last.process.user + this.last.process.system);
    const totalTicks = now.total - this.last.total;
    const idleTicks = now.idle - this.last.idle;
    this.last = now;
    const uptimeMicros = BigInt(Math.round(process.uptime() * 1_000_000));
    return {
      processId: process.pid,
      cpuUsage: Math.max(0, (processMicros / elapsedMicros) * 100),
      totalCpuUsage: totalTicks > 0 ? Math.max(0, ((totalTicks - idleTicks) / totalTicks) * 100) : 0,
      memoryUsage: BigInt(process.memoryUsage.rss()),
      totalMemory: BigInt(os.totalmem()),
      availableMemory: BigInt(os.freemem()),
      runTime: uptimeMicros,
      startTime: BigInt(Date.now()) * 1000n - uptimeMicros,
      readBytes: counts.readBytes,
      writtenBytes: counts.writtenBytes,
      messagesSizeBytes: counts.messagesSizeBytes,
      streamsCount: counts.streamsCount,
      topicsCount: counts.topicsCount,
      partitionsCount: counts.partitionsCount,
      segmentsCount: counts.segmentsCount,
      messagesCount: counts.messagesCount,
      clientsCount: counts.clientsCount,
      consumerGroupsCount: counts.consumerGroupsCount,
      hostname: os.hostname(),
      osName: os.type(),
      osVersion: os.version(),
      kernelVersion: os.release(),
      iggyServerVersion: this.serverVersion,
      iggyServerSemver: numericVersion(this.serverVersion),
      cacheMetrics: [],
      ...(generation === '0.8'
        ? { threadsCount: threadsCount(), ...diskSpace(this.dataDir) }
        : { threadsCount: null, freeDiskSpace: null, totalDiskSpace: null }),
    };
  }
}

/** Threads of this process (Linux: /proc/self/task), 0 where the OS does not tell (as the server does). */
function threadsCount(): number {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return 0;
  }
}

/** Bytes available to this process and in total on the disk of `dir`; 0 when unknown. */
function diskSpace(dir: string | null): { freeDiskSpace: bigint; totalDiskSpace: bigint } {
  if (dir === null) return { freeDiskSpace: 0n, totalDiskSpace: 0n };
  try {
    const fs = statfsSync(dir, { bigint: true });
    return { freeDiskSpace: fs.bavail * fs.bsize, totalDiskSpace: fs.blocks * fs.bsize };
  } catch {
    return { freeDiskSpace: 0n, totalDiskSpace: 0n };
  }
}

/** The real server's numeric form of `major.minor.patch`: major · 1e6 + minor · 1e3 + patch (0.7.0 → 7000). */
export function numericVersion(version: string): number | null {
  const match = /^(\d+)\.(\d{1,3})\.(\d{1,3})/.exec(version);
  if (!match) return null;
  const value = Number(match[1]) * 1_000_000 + Number(match[2]) * 1000 + Number(match[3]);
  return value <= 0xffffffff ? value : null;
}

function sample(): CpuSample {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { atMs: performance.now(), process: process.cpuUsage(), idle, total };
}
