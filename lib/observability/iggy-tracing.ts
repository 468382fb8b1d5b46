import type { Context, Span, TracerProvider } from '@opentelemetry/api';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import { ENVELOPE_HEADER_PREFIX } from '../events/envelope-validation.js';
import { messageIdToUuid } from '../protocol/messages/message-id.js';
import { Header, HeaderKind, type UserHeaders } from '../protocol/primitives/user-headers.js';
import { messageHeaderGetter } from './message-trace-headers.js';
import { loadOpenTelemetry, type OtelApi } from './opentelemetry-loader.js';

/** The instrumentation scope of every span this library starts. */
export const TRACER_NAME = 'nestjs-iggy';

/** Where a producer span goes. */
export interface TraceTarget {
  stream: string;
  topic: string;
}

/** What the consumer knows of the message it processes, for the span's attributes. */
export interface ConsumeTrace {
  group: string;
  message: ReceivedMessage;
}

/** Ends a span: with the error it failed with, or none. */
export type EndSpan = (error?: unknown) => void;

const SPAN_KIND_PRODUCER = 3;
const SPAN_KIND_CONSUMER = 4;
const STATUS_ERROR = 2;

/**
 * OpenTelemetry tracing through Iggy, over `@opentelemetry/api` when the app has it. Nothing is done
 * while no tracer provider is registered (`enabled` is false): no span, no header. With one, producers
 * start a `send <topic>` span (kind producer) under the active context and put it into the envelope's
 * headers with the app's propagator (W3C `traceparent`/`tracestate` by default); the consumer starts a
 * `process <topic>` span (kind consumer) per message, a child of the context its headers carry, and runs
 * the handlers inside it, with the messaging semantic conventions (`messaging.system = iggy`).
 */
export class IggyTracing {
  private readonly noopProvider: TracerProvider;

  private constructor(private readonly api: OtelApi) {
    this.noopProvider = new api.ProxyTracerProvider().getDelegate();
  }

  /** The tracing of this process, or undefined when `@opentelemetry/api` is not installed. */
  static async load(): Promise<IggyTracing | undefined> {
    const api = await loadOpenTelemetry();
    return api && new IggyTracing(api);
  }

  /** Whether a tracer provider is registered (checked on every message: it may be registered later). */
  get enabled(): boolean {
    const provider = this.api.trace.getTracerProvider();
    return (
      !(provider instanceof this.api.ProxyTracerProvider) || provider.getDelegate() !== this.noopProvider
    );
  }

  /**
   * Adds the active context to `headers` without a span of its own (an outbox row: its relay publishes
   * it later, in that trace). Does nothing when tracing is off or no span is active.
   */
  injectActive(headers: Record<string, string>): void {
    if (!this.enabled) return;
    const { api } = this;
    const active = api.context.active();
    if (api.trace.getSpan(active)) api.propagation.inject(active, headers);
  }

  /**
   * Starts a `send <topic>` producer span under the active context and puts it into the envelope's
   * `headers`; undefined when tracing is off.
   */
  startProducer(
    target: TraceTarget,
    eventType: string,
    headers: Record<string, string>,
  ): EndSpan | undefined {
    if (!this.enabled) return undefined;
    const { api } = this;
    const { span, context } = this.producerSpan(target, eventType, api.context.active());
    api.propagation.inject(context, headers);
    return (error) => this.end(span, error);
  }

  /**
   * The relay's publish of a message written earlier (an outbox row): a `send <topic>` producer span
   * continuing the trace its headers carry, put into its headers in place of that context. Undefined when
   * tracing is off or the message carries no trace.
   */
  startRelayed(
    target: TraceTarget,
    eventType: string,
    headers: UserHeaders,
  ): { headers: UserHeaders; end: EndSpan } | undefined {
    if (!this.enabled) return undefined;
    const { api } = this;
    const parent = api.propagation.extract(api.ROOT_CONTEXT, headers, messageHeaderGetter);
    if (!api.trace.getSpan(parent)) return undefined;
    const { span, context } = this.producerSpan(target, eventType, parent);
    const fields: Record<string, string> = {};
    api.propagation.inject(context, fields);
    const replaced = new Set(Object.keys(fields).map((name) => ENVELOPE_HEADER_PREFIX + name));
    const kept = headers.filter((h) => !(h.key.kind === HeaderKind.String && replaced.has(h.key.value)));
    for (const [name, value] of Object.entries(fields)) {
      kept.push({ key: Header.string(ENVELOPE_HEADER_PREFIX + name), value: Header.string(value) });
    }
    return { headers: kept, end: (error) => this.end(span, error) };
  }

  private producerSpan(
    target: TraceTarget,
    eventType: string,
    base: Context,
  ): { span: Span; context: Context } {
    const { api } = this;
    const span = this.tracer().startSpan(
      `send ${target.topic}`,
      {
        kind: SPAN_KIND_PRODUCER,
        attributes: {
          ...messagingAttributes('send', target),
          'messaging.iggy.event.type': eventType,
        },
      },
      base,
    );
    return { span, context: api.trace.setSpan(base, span) };
  }

  /**
   * Runs `process` inside a `process <topic>` consumer span, the child of the context the message
   * carries; the span records the outcome `process` resolves (`messaging.iggy.outcome`) or its error.
   * Without tracing it only calls `process`.
   */
  async consume<T extends string>(trace: ConsumeTrace, process: (span: SpanNotes) => Promise<T>): Promise<T> {
    if (!this.enabled) return process(NO_NOTES);
    const { api } = this;
    const { message, group } = trace;
    const parent = api.propagation.extract(api.ROOT_CONTEXT, message.headers, messageHeaderGetter);
    const span = this.tracer().startSpan(
      `process ${message.topic}`,
      {
        kind: SPAN_KIND_CONSUMER,
        attributes: {
          ...messagingAttributes('process', message),
          'messaging.destination.partition.id': String(message.partition),
          'messaging.consumer.group.name': group,
          'messaging.message.id': messageIdToUuid(message.id),
          'messaging.iggy.message.offset': Number(message.offset),
        },
      },
      parent,
    );
    const notes = new SpanNotes(span);
    try {
      const outcome = await api.context.with(api.trace.setSpan(parent, span), () => process(notes));
      span.setAttribute('messaging.iggy.outcome', outcome);
      this.end(span);
      return outcome;
    } catch (error) {
      this.end(span, error);
      throw error;
    }
  }

  /** Notes on the span active here (a handler's retry, inside `consume`); nothing when there is none. */
  active(): SpanNotes {
    if (!this.enabled) return NO_NOTES;
    const span = this.api.trace.getActiveSpan();
    return span ? new SpanNotes(span) : NO_NOTES;
  }

  private tracer() {
    return this.api.trace.getTracer(TRACER_NAME);
  }

  private end(span: Span, error?: unknown): void {
    if (error !== undefined) {
      span.recordException(asException(error));
      span.setStatus({ code: STATUS_ERROR, message: messageOf(error) });
    }
    span.end();
  }
}

/** The part of a span `SpanNotes` writes to (kept apart from `@opentelemetry/api`'s types). */
interface NotedSpan {
  setAttribute(key: string, value: string): unknown;
  addEvent(name: string, attributes: Record<string, string | number>): unknown;
  recordException(exception: Error | string): void;
}

/** What happened to a message while its consumer span was open: events on the span. */
export class SpanNotes {
  constructor(private readonly span: NotedSpan | undefined) {}

  /** The event's type, once known. */
  eventType(type: string): void {
    this.span?.setAttribute('messaging.iggy.event.type', type);
  }

  /** A handler's call took `attempts` tries (the DLQ interceptor's retries) before it ended. */
  retried(handler: string, attempts: number): void {
    this.span?.addEvent('retried', {
      'messaging.iggy.handler': handler,
      'messaging.iggy.attempts': attempts,
    });
  }

  /** A handler's call (or the unreadable message) went to the dead-letter topic. */
  deadLettered(handler: string, deadLetterId: string | undefined, error: unknown): void {
    if (!this.span) return;
    this.span.recordException(asException(error));
    this.span.addEvent('dead-lettered', {
      'messaging.iggy.handler': handler,
      ...(deadLetterId !== undefined && { 'messaging.iggy.dead_letter.id': deadLetterId }),
    });
  }

  /** A handler failed for good (the message is not committed; it comes again). */
  failed(handler: string, error: unknown): void {
    if (!this.span) return;
    this.span.recordException(asException(error));
    this.span.addEvent('handler-failed', { 'messaging.iggy.handler': handler });
  }
}

const NO_NOTES = new SpanNotes(undefined);

/** The messaging semantic conventions' attributes of every span: the operation and where it goes. */
function messagingAttributes(operation: 'send' | 'process', where: TraceTarget): Record<string, string> {
  return {
    'messaging.system': 'iggy',
    'messaging.operation.type': operation,
    'messaging.operation.name': operation,
    'messaging.destination.name': where.topic,
    'messaging.iggy.stream': where.stream,
  };
}

/** `recordException` takes an Error or a string. */
function asException(error: unknown): Error | string {
  return error instanceof Error ? error : messageOf(error);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}
