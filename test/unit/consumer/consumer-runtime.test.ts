import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ConsumerRuntime, type ConsumerSpec } from '../../../lib/consumer/consumer-runtime.js';
import type { IggyContext } from '../../../lib/consumer/iggy.context.js';
import type { Route } from '../../../lib/consumer/route-table.js';
import { SerializerRegistry } from '../../../lib/events/serializer-registry.js';
import { FakeSubscription, jobRoutes, deferred, eventAt, sleep, waitFor } from './consumer-kit.js';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const retry = { attempts: 3, initialDelayMs: 5, maxDelayMs: 20, multiplier: 2, jitter: 0 };

const running: ConsumerRuntime[] = [];
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});

type Handler = (ctx: IggyContext) => Promise<void> | void;

/**
 * How the route calls the handler: as a promise always (Nest's pipeline), or as it returns (the direct
 * path: a handler that finishes at once is dispatched, handled and committed with no promise on the way).
 */
const INVOKES: [string, (handler: Handler) => Route['invoke']][] = [
  ['handlers called as promises', (handler) => async (_envelope, ctx) => handler(ctx)],
  ['handlers called as they return', (handler) => (_envelope, ctx) => handler(ctx)],
];
let invokeOf = INVOKES[0]![1];

/** A runtime over `subscription` whose one handler (`job.*`) is `handler`. */
async function start(
  subscription: FakeSubscription,
  handler: Handler,
  spec: Partial<ConsumerSpec> = {},
): Promise<ConsumerRuntime> {
  const runtime = new ConsumerRuntime(
    subscription.connector(),
    {
      stream: 's',
      topic: 't',
      group: 'g',
      routes: jobRoutes(invokeOf(handler)),
      serializers: new SerializerRegistry(),
      concurrency: 4,
      shutdownTimeoutMs: 2_000,
      retry,
      commit: { every: 1_000, intervalMs: 60_000 },
      ...spec,
    },
    quiet,
  );
  running.push(runtime);
  await runtime.start();
  return runtime;
}

describe.each(INVOKES)('ConsumerRuntime, %s', (_shape, invoke) => {
  beforeEach(() => {
    invokeOf = invoke;
  });

  it('a message failing for good stalls its partition, tried again with backoff; the others go on', async () => {
    const subscription = new FakeSubscription();
    const handled: string[] = [];
    let failing = true;
    const runtime = await start(subscription, (ctx) => {
      const at = `${ctx.getPartition()}@${ctx.getOffset()}`;
      if (at === '0@0' && failing) throw new Error('store down');
      handled.push(at);
    });
    subscription.feed(eventAt(0, 0n), eventAt(0, 1n));
    subscription.feed(eventAt(1, 0n));
    await waitFor(() => handled.includes('1@0') && (runtime.stalled()[0]?.failures ?? 0) >= 2);
    expect(runtime.stalled()).toEqual([
      expect.objectContaining({ partition: 0, offset: 0n, error: 'Error: store down' }),
    ]);
    expect(JSON.parse(JSON.stringify(runtime.stalled()[0]))).toMatchObject({ partition: 0, offset: '0' });
    expect(handled).toEqual(['1@0']); // nothing after the failing message of partition 0

    failing = false;
    await waitFor(() => handled.length === 3);
    expect(handled).toEqual(['1@0', '0@0', '0@1']);
    expect(runtime.stalled()).toEqual([]);
    await runtime.stop();
    expect(subscription.commits.sort()).toEqual(['0@1', '1@0']);
    expect(runtime.status()).toMatchObject({ state: 'stopped', handled: 3, skipped: 0 });
  });

  it('stop() takes no longer than shutdownTimeoutMs; a handler past it is never committed, even when it ends later', async () => {
    const subscription = new FakeSubscription();
    const release = deferred();
    const finished: string[] = [];
    const runtime = await start(
      subscription,
      async (ctx) => {
        if (ctx.getOffset() === 1n) await release.promise;
        finished.push(`${ctx.getPartition()}@${ctx.getOffset()}`);
      },
      { shutdownTimeoutMs: 150 },
    );
    subscription.feed(eventAt(0, 0n), eventAt(0, 1n), eventAt(0, 2n));
    await waitFor(() => finished.length === 1);
    const began = Date.now();
    await runtime.stop();
    const elapsed = Date.now() - began;
    expect(elapsed).toBeGreaterThanOrEqual(145);
    expect(elapsed).toBeLessThan(1_000);
    expect(subscription.commits).toEqual(['0@0']);
    release.resolve();
    await waitFor(() => finished.length === 2);
    await sleep(20);
    expect(finished).toEqual(['0@0', '0@1']); // 2 was dropped at stop
    expect(subscription.commits).toEqual(['0@0']);
  });

  it('commits in the background: every N messages, and at stop what is left', async () => {
    const subscription = new FakeSubscription();
    const runtime = await start(subscription, () => undefined, { commit: { every: 3, intervalMs: 60_000 } });
    subscription.feed(...[0n, 1n, 2n, 3n].map((o) => eventAt(5, o)));
    await waitFor(() => runtime.status().handled === 4);
    expect(subscription.commits).toEqual(['5@2']);
    await runtime.stop();
    expect(subscription.commits).toEqual(['5@2', '5@3']);
    expect(runtime.status().partitions).toEqual([
      { partition: 5, queued: 0, inFlight: false, lastHandledOffset: 3n, lastCommittedOffset: 3n },
    ]);
  });

  it('lets the event loop turn while it works through a backlog that never waits on I/O', async () => {
    const subscription = new FakeSubscription();
    const busy = (ms: number) => {
      for (const until = performance.now() + ms; performance.now() < until;);
    };
    const runtime = await start(subscription, () => busy(0.1), { concurrency: 1 });
    for (let b = 0; b < 40; b++) {
      subscription.feed(...Array.from({ length: 100 }, (_, i) => eventAt(0, BigInt(b * 100 + i))));
    }
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    await waitFor(() => runtime.status().handled === 4_000);
    clearInterval(timer);
    expect(turns).toBeGreaterThanOrEqual(10); // 400 ms of handlers: a turn every 10 ms at least
  });

  it('polls no further batch while maxBuffered messages wait', async () => {
    const subscription = new FakeSubscription();
    const gate = deferred();
    const runtime = await start(subscription, () => gate.promise, { maxBuffered: 3, concurrency: 1 });
    for (let b = 0n; b < 4n; b++) subscription.feed(eventAt(0, 2n * b), eventAt(0, 2n * b + 1n));
    await sleep(30);
    expect(subscription.polls).toBe(2); // two batches taken (4 messages ≥ 3): no poll until there is room
    gate.resolve();
    await waitFor(() => runtime.status().handled === 8);
  });

  it('asks for the next batch before it handles the one it got (the poll overlaps the handlers)', async () => {
    const subscription = new FakeSubscription();
    const pollsSeen: number[] = [];
    const runtime = await start(subscription, () => void pollsSeen.push(subscription.polls));
    subscription.feed(eventAt(0, 0n), eventAt(0, 1n));
    await waitFor(() => runtime.status().handled === 2);
    expect(pollsSeen).toEqual([2, 2]);
    subscription.feed(eventAt(0, 2n));
    await waitFor(() => runtime.status().handled === 3);
    expect(pollsSeen[2]).toBe(3);
  });

  it('counts skipped and unmatched events, and reports its handlers', async () => {
    const subscription = new FakeSubscription();
    const runtime = await start(subscription, () => undefined);
    subscription.feed(eventAt(0, 0n, 'job.run'), eventAt(0, 1n, 'jobs.run'));
    await waitFor(() => runtime.status().skipped === 1);
    expect(runtime.status()).toMatchObject({
      group: 'g',
      handlers: [{ name: 'Jobs.run', pattern: 'job.*' }],
      state: 'running',
      handled: 1,
      skipped: 1,
      unmatched: 1,
    });
  });
});
