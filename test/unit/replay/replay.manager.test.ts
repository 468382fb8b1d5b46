import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { lastValueFrom, toArray } from 'rxjs';
import type { EventEnvelope } from '../../../lib/events/event-envelope.js';
import { partitionForTenant } from '../../../lib/events/tenant-partitioner.js';
import { IggyEventHandler } from '../../../lib/handlers/index.js';
import { IggyEventContext } from '../../../lib/consumer/index.js';
import { ReplayManager } from '../../../lib/replay/replay.manager.js';
import { ReplayError, type ReplayProgress } from '../../../lib/replay/replay-options.js';
import {
  PARTITIONS,
  STREAM,
  TOPIC,
  createApp,
  event,
  groupLag,
  publish,
  sleep,
  startBroker,
  waitFor,
} from '../handlers/handlers-kit.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const live: string[] = [];
const replayed: string[] = [];

@Injectable()
class Projection {
  @IggyEventHandler('order.*', { group: 'projection' })
  on(e: EventEnvelope<{ n: number }>, ctx: IggyEventContext): void {
    (ctx.isReplay() ? replayed : live).push(`${e.tenantId}:${e.payload.n}`);
  }
}

/** Joined after the fact: starts at the end, so it has committed nothing. */
@Injectable()
class LateReport {
  readonly seen: string[] = [];
  @IggyEventHandler('order.*', { group: 'late', startFrom: 'end' })
  on(e: EventEnvelope, ctx: IggyEventContext): void {
    if (!ctx.isReplay()) this.seen.push(e.id);
  }
}

const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];

/** 6 tenants × 5 orders, consumed live by `projection` (committed). */
async function setup() {
  live.length = 0;
  replayed.length = 0;
  const connector = await startBroker();
  cleanups.push(() => connector.shutdown());
  const moduleRef = await createApp(connector, [Projection]);
  cleanups.push(() => moduleRef.close());
  const events = [];
  for (let n = 0; n < 5; n++)
    for (const tenantId of tenants) events.push(event({ tenantId, type: 'order.placed', payload: { n } }));
  await publish(connector, ...events);
  await waitFor(() => live.length === events.length);
  await waitFor(async () => (await groupLag(connector, 'projection')) === 0n);
  const offsets = async () =>
    (await connector.consumerLag(STREAM, TOPIC, { kind: 'group', name: 'projection' })).map(
      (p) => p.storedOffset,
    );
  return { connector, replay: moduleRef.get(ReplayManager), total: events.length, offsets };
}

describe('ReplayManager', () => {
  it('replays a topic from the beginning into a function, with progress, and ends', async () => {
    const { connector, replay, total, offsets } = await setup();
    const before = await offsets();
    const seen: string[] = [];
    const progress: ReplayProgress[] = [];
    const result = await replay.replay({
      handler: (e: EventEnvelope, ctx) => {
        expect(ctx.isReplay()).toBe(true);
        seen.push(e.id);
      },
      concurrency: 2,
      progressEvery: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(result).toMatchObject({ processed: total, handled: total, skipped: 0, failed: 0, aborted: false });
    expect(new Set(seen).size).toBe(total);
    const finals = progress.filter((p) => p.done);
    expect(finals.map((p) => p.partition).sort()).toEqual(
      result.partitions
        .filter((p) => p.total > 0)
        .map((p) => p.partition)
        .sort(),
    );
    for (const p of finals) expect(p.processed).toBe(p.total);
    expect(progress.some((p) => !p.done && p.processed < p.total)).toBe(true);
    expect(await offsets()).toEqual(before); // the group's offsets are untouched
    expect(live).toHaveLength(total); // and the live group saw nothing twice
    void connector;
  });

  it('replays one tenant from an offset or from a time into a registered group', async () => {
    const { connector, replay, offsets } = await setup();
    const before = await offsets();
    const r1 = await replay.replay({ group: 'projection', tenantId: 'acme' });
    expect(replayed).toEqual(['acme:0', 'acme:1', 'acme:2', 'acme:3', 'acme:4']);
    expect(r1.partitions.map((p) => p.partition)).toEqual([partitionForTenant('acme', PARTITIONS)]);
    expect(r1.handled).toBe(5);

    replayed.length = 0;
    const acmeOffsets: bigint[] = [];
    await replay.replay({ handler: (_e, ctx) => void acmeOffsets.push(ctx.getOffset()), tenantId: 'acme' });
    replayed.length = 0;
    await replay.replay({ group: 'projection', tenantId: 'acme', from: { offset: acmeOffsets[3]! } });
    expect(replayed).toEqual(['acme:3', 'acme:4']);

    // From a time: only what was published after it.
    const since = new Date();
    await sleep(5);
    await publish(connector, event({ tenantId: 'acme', type: 'order.placed', payload: { n: 5 } }));
    await waitFor(() => live.length === 31);
    replayed.length = 0;
    const r3 = await replay.replay({ group: 'projection', from: { timestamp: since } });
    expect(replayed).toEqual(['acme:5']);
    expect(r3.processed).toBe(1);
    await waitFor(async () => (await groupLag(connector, 'projection')) === 0n);
    const after = await offsets();
    expect(after.filter((o, i) => o !== before[i])).toHaveLength(1); // only the live consumption of n=5 moved one

    // From a time after every message: nothing read, and every partition says so.
    const future = await replay.replay({
      handler: () => undefined,
      from: { timestamp: new Date(Date.now() + 60_000) },
    });
    expect(future.processed).toBe(0);
    expect(future.partitions.map((p) => [p.total, p.done])).toEqual(
      Array.from({ length: PARTITIONS }, () => [0, true]),
    );
  });

  it('refuses a start it cannot read, naming the option and the value (a number is not a timestamp: µs or ms?)', async () => {
    const { replay } = await setup();
    const handler = () => undefined;
    for (const from of [
      { timestamp: 1_700_000_000_000 },
      { offset: -1n },
      { timestamp: new Date(NaN) },
      'end',
    ]) {
      await expect(replay.replay({ handler, from: from as never })).rejects.toThrow(
        /^replay: from must be 'beginning', \{ offset: bigint ≥ 0 \} or \{ timestamp: bigint \(µs since the epoch\) or Date \}, got /,
      );
    }
    await expect(replay.replay({ handler, from: { timestamp: 1_700_000_000_000 } as never })).rejects.toThrow(
      /got \{ timestamp: 1700000000000 \}$/,
    );
  });

  it('moves the group offsets only with commit: true', async () => {
    const connector = await startBroker();
    cleanups.push(() => connector.shutdown());
    const events = tenants.map((tenantId) => event({ tenantId, type: 'order.placed', payload: { n: 0 } }));
    await publish(connector, ...events);
    const moduleRef = await createApp(connector, [LateReport]); // joins after the events: commits nothing
    cleanups.push(() => moduleRef.close());
    const replay = moduleRef.get(ReplayManager);
    const stored = async () =>
      (await connector.consumerLag(STREAM, TOPIC, { kind: 'group', name: 'late' })).map(
        (p) => p.storedOffset,
      );
    expect(await stored()).toEqual(Array(PARTITIONS).fill(null));
    const r1 = await replay.replay({ group: 'late' });
    expect(r1.handled).toBe(events.length);
    expect(await stored()).toEqual(Array(PARTITIONS).fill(null));
    await replay.replay({ group: 'late', commit: true });
    const lags = await connector.consumerLag(STREAM, TOPIC, { kind: 'group', name: 'late' });
    for (const p of lags) expect(p.storedOffset).toBe(p.currentOffset);
    expect(moduleRef.get(LateReport).seen).toEqual([]); // live: nothing (it started at the end)
    await expect(replay.replay({ handler: () => undefined, commit: true })).rejects.toThrow(
      'needs a `group`',
    );
  });

  it('stops on a failure unless onError is skip; exposes progress as an Observable', async () => {
    const { replay, total } = await setup();
    const failing = (e: EventEnvelope<{ n: number }>) => {
      if (e.payload.n === 2) throw new Error('bad row');
    };
    await expect(replay.replay({ handler: failing as never })).rejects.toBeInstanceOf(ReplayError);
    const skipped = await replay.replay({ handler: failing as never, onError: 'skip' });
    expect(skipped.failed).toBe(tenants.length);
    expect(skipped.failures[0]!.error).toBeInstanceOf(Error);
    const updates = await lastValueFrom(
      replay.replay$({ handler: () => undefined, progressEvery: 1000 }).pipe(toArray()),
    );
    expect(updates.every((u) => u.done)).toBe(true);
    expect(updates.reduce((s, u) => s + u.processed, 0)).toBe(total);
  });
});
