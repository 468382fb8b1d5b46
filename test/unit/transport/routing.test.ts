import { describe, expect, it } from '@jest/globals';
import type { MessageHandler } from '@nestjs/microservices';
import type { MessageSubscriber, ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { OffsetCommitter } from '../../../lib/transport/offset-committer.js';
import { PartitionDispatcher } from '../../../lib/transport/partition-dispatcher.js';
import { compilePattern, isWildcardPattern } from '../../../lib/consumer/pattern-matcher.js';
import { RouteTable } from '../../../lib/transport/route-table.js';

describe('compilePattern', () => {
  it.each([
    ['order.created', 'order.created', true],
    ['order.created', 'order.updated', false],
    ['order.*', 'order.created', true],
    ['order.*', 'order.line.added', false],
    ['order.*', 'order', false],
    ['*.created', 'invoice.created', true],
    ['order.#', 'order', true],
    ['order.#', 'order.line.added', true],
    ['order.**', 'order.line.added', true],
    ['order.#.added', 'order.added', true],
    ['order.#.added', 'order.a.b.added', true],
    ['order.#.added', 'order.a.b.removed', false],
    ['#', 'anything.at.all', true],
    ['**', 'x', true],
  ])('%s against %s → %s', (pattern, type, expected) => {
    expect(compilePattern(pattern)(type)).toBe(expected);
  });

  it('tells wildcard patterns apart', () => {
    expect(['a.b', 'a.*', 'a.#', '**', 'a*b'].map(isWildcardPattern)).toEqual([
      false,
      true,
      true,
      true,
      false,
    ]);
  });
});

describe('RouteTable', () => {
  const handler = (isEventHandler: boolean): MessageHandler =>
    Object.assign(async () => undefined, { isEventHandler }) as MessageHandler;

  it('finds exact then wildcard event handlers, and one request handler', () => {
    const handlers = new Map<string, MessageHandler>([
      ['order.created', handler(true)],
      ['order.*', handler(true)],
      ['#', handler(true)],
      ['order.get', handler(false)],
      ['order.#', handler(false)],
    ]);
    const table = new RouteTable(handlers);
    expect(table.routes('order.created').events.map((r) => r.pattern)).toEqual([
      'order.created',
      'order.*',
      '#',
    ]);
    expect(table.routes('order.created').request?.pattern).toBe('order.#');
    expect(table.routes('order.get').request?.pattern).toBe('order.get');
    expect(table.routes('invoice.paid').events.map((r) => r.pattern)).toEqual(['#']);
    expect(table.routes('invoice.paid').request).toBeUndefined();
    handlers.set('invoice.*', handler(true));
    expect(table.routes('invoice.paid').events.map((r) => r.pattern)).toEqual(['#', 'invoice.*']);
  });
});

interface Msg {
  partition: number;
  n: number;
}

describe('PartitionDispatcher', () => {
  it('keeps order per partition, runs partitions in parallel up to the limit', async () => {
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const dispatcher = new PartitionDispatcher<Msg>(
      async (m) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 1 + ((m.n * 7) % 3)));
        log.push(`${m.partition}:${m.n}`);
        active--;
      },
      { concurrency: 2, maxBuffered: 8 },
    );
    for (let n = 0; n < 30; n++) await dispatcher.push({ partition: n % 4, n });
    await dispatcher.whenIdle();
    for (let p = 0; p < 4; p++) {
      const order = log.filter((l) => l.startsWith(`${p}:`)).map((l) => Number(l.split(':')[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
      expect(order).toHaveLength(p < 2 ? 8 : 7);
    }
    expect(maxActive).toBe(2);
  });

  it('stop() drops what has not started and lets the running ones finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const done: number[] = [];
    const dispatcher = new PartitionDispatcher<Msg>(
      async (m) => {
        await gate;
        done.push(m.n);
      },
      { concurrency: 1 },
    );
    await dispatcher.push({ partition: 0, n: 1 });
    await dispatcher.push({ partition: 0, n: 2 });
    await dispatcher.push({ partition: 1, n: 3 });
    expect(dispatcher.stop()).toBe(2);
    await dispatcher.push({ partition: 0, n: 4 });
    release();
    await dispatcher.whenIdle();
    expect(done).toEqual([1]);
    expect(dispatcher.size).toBe(0);
  });
});

describe('OffsetCommitter', () => {
  it('commits the newest handled offset per partition, never more than one at a time', async () => {
    const stored: string[] = [];
    let inFlight = 0;
    const subscriber = {
      commit: async (m: ReceivedMessage) => {
        inFlight++;
        expect(inFlight).toBe(1);
        await new Promise((r) => setTimeout(r, 5));
        stored.push(`${m.partition}@${m.offset}`);
        inFlight--;
      },
    } as unknown as MessageSubscriber;
    const committer = new OffsetCommitter(subscriber, () => undefined);
    const msg = (offset: bigint): ReceivedMessage => ({ partition: 0, offset }) as ReceivedMessage;
    for (const o of [0n, 1n, 2n, 3n]) committer.commit(msg(o));
    await committer.flush();
    expect(stored).toEqual(['0@0', '0@3']);
  });

  it('reports a failed commit and goes on', async () => {
    const errors: unknown[] = [];
    const subscriber = {
      commit: async () => {
        throw new Error('broker gone');
      },
    } as unknown as MessageSubscriber;
    const committer = new OffsetCommitter(subscriber, (err) => errors.push(err));
    committer.commit({ partition: 1, offset: 5n } as ReceivedMessage);
    await committer.flush();
    expect(String(errors[0])).toBe('Error: broker gone');
  });
});
