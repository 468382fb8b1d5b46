import { describe, expect, it } from '@jest/globals';
import { CommandCode } from '../../../../lib/protocol/codes/command-codes.js';
import { loginUserCodec } from '../../../../lib/protocol/commands/session/index.js';
import { pollMessagesCodec } from '../../../../lib/protocol/commands/messages/index.js';
import { encodeRequestFrame } from '../../../../lib/protocol/framing.js';
import { ConsumerKind } from '../../../../lib/protocol/primitives/consumer.js';
import { Partitioning } from '../../../../lib/protocol/primitives/partitioning.js';
import { PollingStrategy } from '../../../../lib/protocol/primitives/polling-strategy.js';
import { RawSocket } from '../../../support/raw-socket.js';
import { ROOT, startTcpFixture } from './tcp-kit.js';

/** Answers to the slow client are ~1 MB each: 100 messages of 10 kB. */
const BIG_POLL_BYTES = 100 * 10_000;
/** ~300 MB of answers if the server kept serving a client that does not read. */
const SLOW_POLLS = 300;
const ROUNDS = 15;

async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 5_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once `read()` has not changed for `quietMs`; returns the value it settled at. */
async function settled(read: () => number, quietMs = 500, maxMs = 10_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  let last = read();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`still changing after ${maxMs} ms (at ${last})`);
    await new Promise((r) => setTimeout(r, 20));
    const now = read();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
  return last;
}

describe('BrokerTcpServer: a client that does not read its answers', () => {
  it('is held back on its own connection while another client keeps being served', async () => {
    /** Big polls served (only the slow client asks for them). */
    let slowServed = 0;
    const fx = await startTcpFixture({
      observer: { messagesPolled: (_count, bytes) => void (bytes >= BIG_POLL_BYTES && slowServed++) },
    });
    try {
      const root = await fx.client();
      const stream = await root.createStream({ name: 'fairness' });
      const topic = await root.createTopic({ streamId: stream.id, name: 'big', partitionsCount: 1 });
      const target = { streamId: stream.id, topicId: topic.id };
      const messages = Array.from({ length: 100 }, () => ({ payload: Buffer.alloc(10_000, 1) }));
      await root.sendMessages({ ...target, partitioning: Partitioning.partitionId(0), messages });

      // The slow client: logs in, stops reading, and pipelines many polls with big answers.
      const slow = await RawSocket.connect(fx.port);
      slow.write(encodeRequestFrame(CommandCode.LoginUser, loginUserCodec.encodeRequest(ROOT)));
      expect((await slow.next()).status).toBe(0);
      slow.socket.pause();
      const bigPoll = pollMessagesCodec.encodeRequest({
        ...target,
        consumer: { kind: ConsumerKind.Consumer, id: 1 },
        partitionId: 0,
        strategy: PollingStrategy.first(),
        count: 100,
        autoCommit: false,
      });
      slow.write(
        Buffer.concat(
          Array.from({ length: SLOW_POLLS }, () => encodeRequestFrame(CommandCode.PollMessages, bigPoll)),
        ),
      );
      const stuckAt = await settled(() => slowServed);
      expect(stuckAt).toBeGreaterThan(0);
      expect(stuckAt).toBeLessThan(50);

      // A well-behaved client, on the same partition: every request answered (a stall would time it out).
      const good = await fx.client({ credentials: ROOT, reconnect: false, requestTimeoutMs: 5_000 });
      for (let i = 0; i < ROUNDS; i++) {
        await good.ping();
        await good.sendMessages({
          ...target,
          partitioning: Partitioning.partitionId(0),
          messages: [{ payload: Buffer.from(`good-${i}`) }],
        });
        const polled = await good.pollMessages({
          ...target,
          consumer: { kind: ConsumerKind.Consumer, id: 2 },
          partitionId: 0,
          strategy: PollingStrategy.offset(BigInt(100 + i)),
          count: 1,
          autoCommit: false,
        });
        expect(polled.messages.map((m) => [m.offset, m.payload.toString()])).toEqual([
          [BigInt(100 + i), `good-${i}`],
        ]);
      }
      expect(await good.getStream({ streamId: stream.id })).toMatchObject({
        messagesCount: BigInt(100 + ROUNDS),
      });

      // Meanwhile the slow client stayed held back (about one answer in the socket), and was not dropped.
      expect(slowServed).toBeLessThan(50);
      expect(slow.isClosed).toBe(false);
      expect(await good.getClients()).toHaveLength(3);

      // Closed while its answers are stuck: the server lets go of it and carries on.
      slow.close();
      await eventually('the slow connection is gone', () => fx.server.connectionCount === 2);
      await eventually('its broker client is gone', async () => (await good.getClients()).length === 2);
      expect(slowServed).toBeLessThan(SLOW_POLLS);
      await good.ping();
      const late = await fx.client();
      await late.ping();
      expect(await late.getStream({ streamId: stream.id })).toMatchObject({
        messagesCount: BigInt(100 + ROUNDS),
      });
    } finally {
      await fx.stop();
    }
  });
});
