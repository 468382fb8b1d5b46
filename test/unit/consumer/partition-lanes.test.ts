import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { EventLoopTurns } from '../../../lib/common/event-loop-turns.js';
import { PartitionLanes } from '../../../lib/consumer/partition-lanes.js';
import { SubscribedMessage } from '../../../lib/connectors/subscribed-message.js';
import { deferred, msg, sleep, waitFor } from './consumer-kit.js';

describe('PartitionLanes: the one scheduler', () => {
  it('keeps offset order per partition and runs partitions in parallel up to the limit', async () => {
    const log: string[] = [];
    let active = 0;
    let maxActive = 0;
    const lanes = new PartitionLanes(2, async (m) => {
      active++;
      maxActive = Math.max(maxActive, active);
      for (let hops = Number(m.offset % 3n); hops >= 0; hops--) await new Promise((r) => setImmediate(r));
      log.push(`${m.partition}:${m.offset}`);
      active--;
      return true;
    });
    for (let n = 0; n < 40; n++) lanes.push(msg(n % 4, BigInt(Math.floor(n / 4))));
    await waitFor(() => log.length === 40);
    for (let p = 0; p < 4; p++) {
      const offsets = log.filter((l) => l.startsWith(`${p}:`)).map((l) => Number(l.split(':')[1]));
      expect(offsets).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
    expect(maxActive).toBe(2);
    expect(lanes.buffered).toBe(0);
  });

  it('pushAll tells of each message taken before a handler that finishes at once runs it', () => {
    const events: string[] = [];
    const lanes = new PartitionLanes(2, (m) => {
      events.push(`handled ${m.partition}:${m.offset}`);
      return true;
    });
    lanes.pushAll([msg(0, 0n), msg(0, 1n), msg(1, 0n), msg(0, 1n)], (m) =>
      events.push(`taken ${m.partition}:${m.offset}`),
    );
    expect(events).toEqual([
      'taken 0:0',
      'taken 0:1',
      'taken 1:0', // the repeated 0:1 is not taken
      'handled 0:0',
      'handled 0:1',
      'handled 1:0',
    ]);
    expect(lanes.buffered).toBe(0);
  });

  it('a busy partition gives its slot up after a turn when another waits (fairness)', async () => {
    const order: number[] = [];
    const lanes = new PartitionLanes(
      1,
      async (m) => {
        order.push(m.partition);
        await sleep(0);
        return true;
      },
      new EventLoopTurns(),
      4,
    );
    for (let o = 0n; o < 20n; o++) lanes.push(msg(0, o));
    lanes.push(msg(1, 0n));
    await waitFor(() => order.length === 21);
    expect(order.indexOf(1)).toBeLessThanOrEqual(4);
  });

  it('bounds what is buffered: waitForRoom holds until handlers make room', async () => {
    const gate = deferred();
    const lanes = new PartitionLanes(1, async () => {
      await gate.promise;
      return true;
    });
    for (let o = 0n; o < 5n; o++) lanes.push(msg(0, o));
    let roomy = false;
    const waiting = lanes.waitForRoom(3).then(() => (roomy = true));
    await sleep(20);
    expect(roomy).toBe(false);
    gate.resolve();
    await waiting;
    expect(lanes.buffered).toBeLessThan(3);
  });

  it('drops a redelivered offset it already queued or handled', async () => {
    const seen: bigint[] = [];
    const lanes = new PartitionLanes(1, async (m) => {
      seen.push(m.offset);
      return true;
    });
    expect([0n, 1n, 2n].map((o) => lanes.push(msg(0, o)))).toEqual([true, true, true]);
    await waitFor(() => seen.length === 3);
    expect(lanes.push(msg(0, 1n))).toBe(false);
    expect(lanes.push(msg(0, 3n))).toBe(true);
    await waitFor(() => seen.length === 4);
    expect(seen).toEqual([0n, 1n, 2n, 3n]);
  });

  it('takes the offsets from the start again after its partition was found cut (new messages, not redeliveries)', async () => {
    const seen: string[] = [];
    const lanes = new PartitionLanes(1, async (m) => {
      seen.push(`${m.offset}:${m.payload.toString()}`);
      return true;
    });
    const polled = (offset: bigint, text: string, cuts: number) =>
      new SubscribedMessage('s', 't', 0, offset, 0n, 0n, Buffer.from(text), Buffer.alloc(0), 0, cuts);
    expect([0n, 1n, 2n].map((o) => lanes.push(polled(o, `old${o}`, 0)))).toEqual([true, true, true]);
    await waitFor(() => seen.length === 3);
    expect(lanes.push(polled(1n, 'old1', 0))).toBe(false); // a redelivery
    expect(lanes.push(polled(0n, 'new0', 1))).toBe(true); // the server lost 0..2: these are new
    expect(lanes.push(polled(1n, 'new1', 1))).toBe(true);
    expect(lanes.push(polled(1n, 'new1', 1))).toBe(false); // and a redelivery of those is dropped again
    await waitFor(() => seen.length === 5);
    expect(seen).toEqual(['0:old0', '1:old1', '2:old2', '0:new0', '1:new1']);
  });

  it('stop() drops what has not started; the handlers running finish; idleBy says when they did', async () => {
    const gate = deferred();
    const done: string[] = [];
    const lanes = new PartitionLanes(1, async (m: ReceivedMessage) => {
      await gate.promise;
      done.push(`${m.partition}:${m.offset}`);
      return true;
    });
    lanes.push(msg(0, 1n));
    lanes.push(msg(0, 2n));
    lanes.push(msg(1, 3n));
    await sleep(5);
    expect(lanes.stop()).toBe(2);
    expect(lanes.push(msg(0, 4n))).toBe(false);
    expect(await lanes.idleBy(Date.now() + 30)).toBe(false);
    gate.resolve();
    expect(await lanes.idleBy(Date.now() + 1_000)).toBe(true);
    expect(done).toEqual(['0:1']);
    expect(lanes.buffered).toBe(0);
  });

  it('a message that is not done (the consumer stopped) holds its lane', async () => {
    let calls = 0;
    const lanes = new PartitionLanes(2, async (m) => {
      calls++;
      return m.offset !== 1n;
    });
    for (const o of [0n, 1n, 2n]) lanes.push(msg(0, o));
    await sleep(20);
    expect(calls).toBe(2);
    expect(lanes.status()).toEqual([{ partition: 0, queued: 2, inFlight: false, lastHandledOffset: 0n }]);
  });
});
