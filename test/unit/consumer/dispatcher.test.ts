import { describe, expect, it } from '@jest/globals';
import type { ReceivedMessage } from '../../../lib/connectors/message-subscriber.js';
import { REDRIVE_GROUP_HEADER, REDRIVE_HANDLER_HEADER } from '../../../lib/consumer/consumer.constants.js';
import { DeadLetterFallback } from '../../../lib/consumer/dead-letter-fallback.js';
import type { DeadLetterSink, FailedMessage } from '../../../lib/consumer/dead-letter-sink.js';
import { Delivery } from '../../../lib/consumer/delivery.js';
import { Dispatcher, type DispatcherSpec } from '../../../lib/consumer/dispatcher.js';
import { IdempotencyGuard } from '../../../lib/consumer/idempotency/idempotency-guard.js';
import { MemoryIdempotencyStore } from '../../../lib/consumer/idempotency/memory-idempotency-store.js';
import type { IggyContext } from '../../../lib/consumer/iggy.context.js';
import { compilePattern } from '../../../lib/consumer/pattern-matcher.js';
import { RouteTable, type Route } from '../../../lib/consumer/route-table.js';
import { envelopeToMessage } from '../../../lib/events/envelope-message.js';
import { createEnvelope, type EventEnvelope } from '../../../lib/events/event-envelope.js';
import { JsonSerializer } from '../../../lib/events/json-serializer.js';
import { SerializerRegistry } from '../../../lib/events/serializer-registry.js';
import { requestHeaders } from '../../../lib/transport/reply-codec.js';
import { received } from '../events/wire.js';

const json = new JsonSerializer();

/** What the routes were called with. */
interface Call {
  route: string;
  envelope: EventEnvelope;
  context: IggyContext;
}

function route(
  name: string,
  pattern: string,
  calls: Call[],
  options: Partial<Pick<Route, 'kind' | 'guarded'>> & { fail?: (ctx: IggyContext) => unknown } = {},
): Route {
  return {
    name,
    pattern,
    matches: compilePattern(pattern),
    kind: options.kind ?? 'event',
    guarded: options.guarded ?? true,
    invoke: async (envelope, context) => {
      calls.push({ route: name, envelope, context });
      const failure = options.fail?.(context);
      if (failure !== undefined) throw failure;
    },
  };
}

function message(
  type: string,
  options: { headers?: Record<string, string>; id?: string; payload?: Buffer; request?: boolean } = {},
): ReceivedMessage {
  let request = envelopeToMessage(
    createEnvelope({
      tenantId: 'acme',
      type,
      payload: { n: 1 },
      headers: options.headers ?? {},
      ...(options.id && { id: options.id }),
    }),
    json,
    { stream: 's', topic: 't' },
  );
  if (options.request) {
    request = request.withHeaders([
      ...request.headers,
      ...requestHeaders({ requestId: 'r-1', replyTo: 'replies', replyKey: 'me' }),
    ]);
  }
  return received(request, { partition: 2, offset: 5n, payload: options.payload });
}

class Sink implements DeadLetterSink {
  readonly written: FailedMessage[] = [];
  constructor(readonly enabled = true) {}
  async deadLetter(entry: FailedMessage): Promise<string> {
    this.written.push(entry);
    return `dl-${this.written.length}`;
  }
}

const logs: string[] = [];
const logger = {
  log: (m: string) => logs.push(`log ${m}`),
  warn: (m: string) => logs.push(`warn ${m}`),
  error: (m: string) => logs.push(`error ${m}`),
  debug: (m: string) => logs.push(`debug ${m}`),
};

function dispatcher(routes: Route[], spec: Partial<DispatcherSpec> = {}): Dispatcher {
  return new Dispatcher({
    group: 'g',
    routes: new RouteTable(routes),
    serializers: new SerializerRegistry(),
    mode: 'consume',
    deadLetters: new DeadLetterFallback(new Sink(false), 'g', logger),
    logger,
    ...spec,
  });
}

const dispatch = (d: Dispatcher, m: ReceivedMessage) => d.dispatch(new Delivery(m));

describe('Dispatcher', () => {
  it('routes by exact and wildcard patterns, in order; each handler of a shared message gets its own envelope', async () => {
    const calls: Call[] = [];
    const d = dispatcher([
      route('A.exact', 'order.created', calls),
      route('A.star', 'order.*', calls),
      route('A.hash', 'order.#', calls),
      route('A.other', 'invoice.*', calls),
    ]);
    expect(await dispatch(d, message('order.created'))).toBe('handled');
    expect(calls.map((c) => c.route)).toEqual(['A.exact', 'A.star', 'A.hash']);
    expect(new Set(calls.map((c) => c.envelope)).size).toBe(3);
    const ctx = calls[0]!.context;
    expect([ctx.getGroup(), ctx.getHandlerName(), ctx.getPattern(), ctx.getOffset()]).toEqual([
      'g',
      'A.exact',
      'order.created',
      5n,
    ]);
    expect(ctx.getDelivery()).toEqual({ group: 'g' });
    expect(await dispatch(d, message('order.line.added'))).toBe('handled');
    expect(calls.at(-1)!.route).toBe('A.hash');
    expect(d.counts).toMatchObject({ handled: 2, skipped: 0 });
  });

  it('skips and counts an event matching no pattern; says so once per type, as a warning when it looks like a typo', async () => {
    const calls: Call[] = [];
    logs.length = 0;
    const d = dispatcher([route('B.on', 'order.creatd', calls), route('B.all', 'invoice.*', calls)]);
    for (let i = 0; i < 3; i++) expect(await dispatch(d, message('order.created'))).toBe('skipped');
    await dispatch(d, message('payment.received'));
    await dispatch(d, message('payment.received'));
    expect(calls).toEqual([]);
    expect(d.counts).toMatchObject({ skipped: 5, unmatched: 5 });
    expect(logs.filter((l) => !l.startsWith('log'))).toEqual([
      "warn event type 'order.created' matches no handler pattern of this group (order.creatd, invoice.*); " +
        "such events are skipped and committed (said once per type): did you mean 'order.creatd'?",
      "debug event type 'payment.received' matches no handler pattern of this group (order.creatd, invoice.*); " +
        'such events are skipped and committed (said once per type)',
    ]);
  });

  it('a redriven event: other groups skip it; in its group only the named handler runs', async () => {
    const calls: Call[] = [];
    const d = dispatcher([route('C.one', 'order.*', calls), route('C.two', 'order.*', calls)]);
    const forOther = message('order.paid', { headers: { [REDRIVE_GROUP_HEADER]: 'other' } });
    expect(await dispatch(d, forOther)).toBe('skipped');
    const forTwo = message('order.paid', {
      headers: { [REDRIVE_GROUP_HEADER]: 'g', [REDRIVE_HANDLER_HEADER]: 'C.two' },
    });
    expect(await dispatch(d, forTwo)).toBe('handled');
    expect(calls.map((c) => c.route)).toEqual(['C.two']);
    expect(calls[0]!.context.getDelivery()).toEqual({ group: 'g', redriveHandler: 'C.two' });
    // A handler name no route has: every matching handler is called, told which one it is for.
    const forGone = message('order.paid', {
      headers: { [REDRIVE_GROUP_HEADER]: 'g', [REDRIVE_HANDLER_HEADER]: 'Gone.method' },
    });
    await dispatch(d, forGone);
    expect(calls.slice(1).map((c) => c.context.getBinding().redriveHandler)).toEqual([
      'Gone.method',
      'Gone.method',
    ]);
  });

  it('a handler group skips requests; a server answers them with its request handler', async () => {
    const calls: Call[] = [];
    const group = dispatcher([route('D.on', 'quote.#', calls)]);
    expect(await dispatch(group, message('quote.ask', { request: true }))).toBe('skipped');
    expect(calls).toEqual([]);

    const failures: unknown[] = [];
    const server = dispatcher(
      [route('quote.ask', 'quote.ask', calls, { kind: 'request' }), route('quote.#', 'quote.#', calls)],
      { requests: { refuse: async () => undefined, failed: (e) => void failures.push(e) } },
    );
    expect(await dispatch(server, message('quote.ask', { request: true }))).toBe('handled');
    expect(calls.map((c) => c.route)).toEqual(['quote.ask']);
    expect(calls[0]!.context.getRequest()).toMatchObject({ requestId: 'r-1', replyTo: 'replies' });
    expect(calls[0]!.context.getDelivery()).toBeUndefined(); // not the DLQ interceptor's
    // A request only an event handler matches is handled as an event.
    expect(await dispatch(server, message('quote.other', { request: true }))).toBe('handled');
    expect(calls.at(-1)!.route).toBe('quote.#');
    expect(failures).toEqual([]);
  });

  it('the idempotency guard skips a handled id for guarded handlers and records it after success only', async () => {
    const calls: Call[] = [];
    const store = new MemoryIdempotencyStore(100);
    let failing = true;
    const d = dispatcher(
      [
        route('E.guarded', 'pay.*', calls, { fail: () => (failing ? new Error('down') : undefined) }),
        route('E.free', 'pay.*', calls, { guarded: false }),
      ],
      { guard: new IdempotencyGuard(store, 'g', () => undefined) },
    );
    const m = message('pay.done');
    const delivery = new Delivery(m);
    await expect(d.dispatch(delivery)).rejects.toThrow('down'); // no DLQ: it throws, nothing recorded
    expect(store.has('g', delivery.meta!.id)).toBe(false);
    failing = false;
    expect(await d.dispatch(delivery)).toBe('handled'); // the same delivery tried again
    expect(store.has('g', delivery.meta!.id)).toBe(true);
    expect(calls.map((c) => c.route)).toEqual(['E.guarded', 'E.guarded', 'E.free']);
    calls.length = 0;
    expect(await dispatch(d, m)).toBe('handled'); // a copy: only the unguarded handler
    expect(calls.map((c) => c.route)).toEqual(['E.free']);
  });

  it('a failed call: claimed by an interceptor it throws; unowned it is dead-lettered; without a DLQ it throws', async () => {
    const calls: Call[] = [];
    const sink = new Sink();
    const errors: unknown[] = [];
    const claimed = route('F.claimed', 'x.*', calls, {
      fail: (ctx) => (ctx.claimRetries(), new Error('after retries')),
    });
    const unowned = route('F.unowned', 'y.*', calls, { fail: () => new Error('guard said no') });
    const d = dispatcher([claimed, unowned], {
      deadLetters: new DeadLetterFallback(sink, 'g', logger),
      onHandlerError: (e) => errors.push(e),
    });
    await expect(dispatch(d, message('x.a'))).rejects.toThrow('after retries');
    expect(await dispatch(d, message('y.a'))).toBe('handled');
    expect(sink.written).toEqual([
      expect.objectContaining({ group: 'g', handler: 'F.unowned', attempts: 1 }),
    ]);
    expect(calls.at(-1)!.context.getDeadLetterId()).toBe('dl-1');
    expect(d.counts.deadLettered).toBe(1);
    expect(errors).toHaveLength(2);
    const noDlq = dispatcher([unowned]);
    await expect(dispatch(noDlq, message('y.a'))).rejects.toThrow('guard said no');
  });

  it('an unreadable message is dead-lettered, or dropped without a DLQ; a replay throws', async () => {
    const calls: Call[] = [];
    const sink = new Sink();
    const routes = [route('G.a', 'z.*', calls), route('G.b', 'z.#', calls)];
    const d = dispatcher(routes, { deadLetters: new DeadLetterFallback(sink, 'g', logger) });
    const noHeaders = { ...message('z.a'), headers: [] };
    const badPayload = message('z.a', { payload: Buffer.from('{not json') });
    expect(await dispatch(d, noHeaders)).toBe('dead-lettered');
    expect(await dispatch(d, badPayload)).toBe('dead-lettered');
    expect(sink.written.map((w) => [w.handler, w.attempts])).toEqual([
      ['(routing)', 0],
      ['G.a,G.b', 0],
    ]);
    expect(await dispatch(dispatcher(routes), badPayload)).toBe('dropped');
    const replay = dispatcher(routes, { mode: 'replay', deadLetters: undefined });
    await expect(dispatch(replay, badPayload)).rejects.toThrow(/event .* \(z\.a\)/);
    expect(calls).toEqual([]);
  });
});
