import type { IggyConnector } from '../../../lib/connectors/iggy-connector.js';
import { compilePattern } from '../../../lib/consumer/pattern-matcher.js';
import { RouteTable, type Route } from '../../../lib/consumer/route-table.js';
import type { MessageSubscriber, ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { envelopeToMessage } from '../../../lib/events/envelope-message.js';
import { createEnvelope } from '../../../lib/events/event-envelope.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { received } from '../events/wire.js';

/** A bare message of `partition` at `offset` (enough for lanes and commits). */
export function msg(partition: number, offset: bigint): ReceivedMessage {
  return {
    stream: 's',
    topic: 't',
    partition,
    offset,
    timestamp: 0n,
    id: 0n,
    payload: Buffer.alloc(0),
    headers: [],
  };
}

/** A promise with its resolve function. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Polls `check` until it holds (or throws after `timeoutMs`). */
export async function waitFor(check: () => boolean, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** An envelope message of `type` (tenant `acme`) at `partition`/`offset`, as a subscriber hands it over. */
export function eventAt(partition: number, offset: bigint, type = 'job.run'): ReceivedMessage {
  const request = envelopeToMessage(
    createEnvelope({ tenantId: 'acme', type, payload: { offset: String(offset) } }),
    json,
    {
      stream: 's',
      topic: 't',
    },
  );
  return received(request, { partition, offset });
}

const json = new JsonSerializer();

/** A group subscription fed by the test: `feed(batch)`; records commits (`partition@offset`) and polls. */
export class FakeSubscription implements MessageSubscriber {
  readonly commits: string[] = [];
  polls = 0;
  private readonly batches: ReceivedMessage[][] = [];
  private wake: (() => void) | undefined;
  private closed = false;

  feed(...batch: ReceivedMessage[]): void {
    this.batches.push(batch);
    this.wake?.();
  }

  async recvBatch(): Promise<ReceivedMessage[] | null> {
    this.polls++;
    while (!this.closed && this.batches.length === 0) {
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    return this.closed ? null : this.batches.shift()!;
  }

  async recv(): Promise<ReceivedMessage | null> {
    throw new Error('the runtime reads batches');
  }

  async commit(message: ReceivedMessage): Promise<void> {
    this.commits.push(`${message.partition}@${message.offset}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ReceivedMessage, void, undefined> {
    yield* [];
  }

  /** A connector whose `subscribeGroup` hands this subscription out. */
  connector(): IggyConnector {
    return {
      subscribeGroup: async () => this,
      consumerLag: async () => [],
    } as unknown as IggyConnector;
  }
}

/** The route table of one unguarded event handler `Jobs.run` on `job.*`. */
export function jobRoutes(invoke: Route['invoke']): RouteTable {
  return new RouteTable([
    {
      name: 'Jobs.run',
      pattern: 'job.*',
      matches: compilePattern('job.*'),
      kind: 'event',
      guarded: false,
      invoke,
    },
  ]);
}
