/*
 * The brokers of one `bench:nest` run: nats-server, redis-server and rabbitmq-server started once for the
 * whole run (when installed), a fresh `iggy-embedded` for each run of its case, and the real Iggy server
 * named by IGGY_SERVER_ADDR (a fresh stream per run, deleted afterwards).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { IggyClient } from '../../lib/client/index.js';
import {
  isUnavailable,
  startIggyEmbedded,
  startNats,
  startRabbit,
  startRedis,
  type BrokerProcess,
  type Started,
} from '../support/broker-processes.js';
import type { BrokerKind, Endpoints } from './cases.js';

/** A broker for one run of a case: where it is, and what to do after the run. */
export interface Lease {
  at: Omit<Endpoints, 'dataDir'>;
  /** Peak RSS of a broker process started for this run alone. */
  peakRssBytes?(): number | undefined;
  release(): Promise<void>;
}

const SHARED = ['nats-server', 'redis-server', 'rabbitmq-server'] as const;
type SharedKind = (typeof SHARED)[number];

export class Brokers {
  private readonly shared = new Map<SharedKind, Started>();

  private constructor(
    private readonly dir: string,
    private readonly iggyCli: string,
  ) {}

  /** Starts the shared brokers `kinds` needs (concurrently, before anything is measured). */
  static async start(kinds: readonly BrokerKind[], dir: string, iggyCli: string): Promise<Brokers> {
    const brokers = new Brokers(dir, iggyCli);
    const starters: Record<SharedKind, () => Promise<Started>> = {
      'nats-server': startNats,
      'redis-server': () => startRedis(brokers.subdir('redis')),
      'rabbitmq-server': () => startRabbit(brokers.subdir('rabbitmq')),
    };
    const wanted = SHARED.filter((kind) => kinds.includes(kind));
    const started = await Promise.all(wanted.map((kind) => starters[kind]()));
    wanted.forEach((kind, i) => brokers.shared.set(kind, started[i]!));
    return brokers;
  }

  /** One line per shared broker: where it listens, or why it is skipped. */
  describe(): string[] {
    return [...this.shared].map(([kind, s]) => (isUnavailable(s) ? s.skipped : `${kind} on ${s.address}`));
  }

  /** Peak RSS of each shared broker over the whole run so far. */
  sharedPeaks(): Record<string, number | undefined> {
    return Object.fromEntries(
      [...this.shared].flatMap(([kind, s]) => (isUnavailable(s) ? [] : [[kind, s.peakRssBytes()]])),
    );
  }

  /** The broker a run of a case of `kind` uses, or why there is none. */
  async lease(kind: BrokerKind, runName: string): Promise<Lease | { skipped: string }> {
    if (kind === 'in-process') return { at: {}, release: async () => {} };
    if (kind === 'iggy-server') return realServer(runName);
    if (kind === 'iggy-embedded') {
      const started = await startIggyEmbedded(this.iggyCli, this.subdir(`iggy-embedded-${runName}`));
      if (isUnavailable(started)) return started;
      return {
        at: { address: started.address },
        peakRssBytes: () => started.peakRssBytes(),
        release: () => started.stop(),
      };
    }
    const started = this.shared.get(kind);
    if (!started) return { skipped: `${kind} not started` };
    if (isUnavailable(started)) return started;
    return { at: { address: started.address }, release: async () => {} };
  }

  async stop(): Promise<void> {
    const running = [...this.shared.values()].filter((s): s is BrokerProcess => !isUnavailable(s));
    await Promise.all(running.map((s) => s.stop()));
    this.shared.clear();
  }

  private subdir(name: string): string {
    const dir = join(this.dir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }
}

/** IGGY_SERVER_ADDR's server, a stream of this run alone, deleted on release. */
function realServer(runName: string): Lease | { skipped: string } {
  const address = process.env.IGGY_SERVER_ADDR;
  if (!address) return { skipped: 'IGGY_SERVER_ADDR not set, skipped' };
  const username = process.env.IGGY_SERVER_USERNAME ?? 'iggy';
  const password = process.env.IGGY_SERVER_PASSWORD ?? 'iggy';
  const streamName = `bench-nest-${process.pid}-${runName}`;
  return {
    at: { address, username, password, streamName },
    release: async () => {
      const client = new IggyClient({ addresses: [address], credentials: { username, password } });
      try {
        await client.connect();
        await client.deleteStream({ streamId: streamName });
      } catch (error) {
        console.log(`  (could not delete stream ${streamName} on ${address}: ${(error as Error).message})`);
      } finally {
        await client.close().catch(() => {});
      }
    },
  };
}
