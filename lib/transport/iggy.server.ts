import { Logger, type INestApplicationContext } from '@nestjs/common';
import {
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
  type WritePacket,
} from '@nestjs/microservices';
import { finalize, isObservable, lastValueFrom } from 'rxjs';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { IggyTelemetry } from '../observability/iggy-telemetry.js';
import { IGGY_TELEMETRY } from '../observability/observability.constants.js';
import { ConsumerRuntime, type GroupStatus } from '../consumer/consumer-runtime.js';
import { IGGY_DEAD_LETTER_SINK, type DeadLetterSink } from '../consumer/dead-letter-sink.js';
import type { IggyContext, IggyRequestInfo } from '../consumer/iggy.context.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
import type { StalledPartition } from '../consumer/partition-stalls.js';
import { compilePattern } from '../consumer/pattern-matcher.js';
import { defaultRetryOptions } from '../consumer/retry-options.js';
import { RouteTable, type Route } from '../consumer/route-table.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import type { Serializer } from '../events/serializer.js';
import { ConnectorHandle } from './connector-handle.js';
import { IGGY_TRANSPORT, type IggyStatus } from './iggy-transport.constants.js';
import type { IggyServerEvents } from './interfaces/iggy-server-events.interface.js';
import type {
  IggyServerModuleDefaults,
  IggyServerOptions,
} from './interfaces/iggy-server-options.interface.js';
import { encodeReply } from './reply-codec.js';
import { RequestAnswer } from './request-answer.js';
import { TransportListeners, runHooked, tryGet } from './transport-support.js';
import { IggyTransportError } from './transport-errors.js';
import { defaultDestination } from '../connectors/connector-config.js';
import { withJsonView } from '../events/json-view.js';
import { describeError } from '../common/error-text.js';

const DEFAULT_GROUP = 'nestjs-iggy-server';

const UNOWNED_HINT =
  'a handler failed and no IggyDlqInterceptor owned the call, so it is dead-lettered without retries. ' +
  'Unless a guard refused the event, the global interceptors of the app do not reach this server: ' +
  'connect it with app.connectMicroservice({ strategy }, { inheritAppConfig: true })';

/**
 * A Nest microservice transport over Iggy: the `@EventPattern`/`@MessagePattern` face of the consumer
 * runtime that also runs the `@IggyEventHandler` groups. It reads the domain topic as a consumer group and
 * hands each event envelope to the handlers whose pattern matches its type (exact, `order.*`, `order.#`),
 * read from the message headers, through Nest's pipeline (guards, pipes, interceptors, exception filters).
 * Partitions in order, in parallel up to `concurrency`. A request (`send`) is answered on the reply topic,
 * then committed, error or not (the caller has its answer); a request no handler here knows is left to
 * the other services.
 *
 * Events are at-least-once, as with `@IggyEventHandler`: an offset is committed (in the background, in
 * batches) only after the handlers succeeded or the message was written to the DLQ. The module's
 * `IggyDlqInterceptor` retries a failing `@EventPattern` call and dead-letters it; a call it did not own
 * (a guard refused the event, or the interceptor does not reach this server) is dead-lettered at once
 * through the module's `DeadLetterSink`. When the DLQ is off or cannot be written, the message's
 * partition stalls and the message is delivered again with the retry backoff until it passes.
 *
 * `app.connectMicroservice({ strategy: IggyServer.fromApp(app, { group: 'billing' }) }, { inheritAppConfig:
 * true })` shares the module's connector, DLQ and global interceptor (without `inheritAppConfig` Nest keeps
 * the app's global interceptors from a hybrid microservice: failed events are then dead-lettered without
 * retries); `new IggyServer({ connector: { mode: 'remote', ... } })` brings its own connector.
 */
export class IggyServer extends Server<IggyServerEvents, IggyStatus> implements CustomTransportStrategy {
  override transportId = IGGY_TRANSPORT;
  override readonly propagatesEventHandlerErrors = true;
  protected override readonly logger = new Logger('IggyServer');

  private handle: ConnectorHandle | undefined;
  private defaults: Partial<IggyServerModuleDefaults> = {};
  private serializers: SerializerRegistry;
  private sink: DeadLetterSink | undefined;
  private telemetry: IggyTelemetry | undefined;
  private runtime: ConsumerRuntime | undefined;
  private closing: Promise<void> | undefined;
  private readonly listeners = new TransportListeners<IggyServerEvents>();
  private routeTable: RouteTable | undefined;
  /** Requests being answered. */
  private readonly answers = new Set<RequestAnswer>();

  constructor(private readonly options: IggyServerOptions = {}) {
    super();
    this.serializers = options.serializers ?? new SerializerRegistry();
    if (options.connector) this.handle = ConnectorHandle.of(options.connector);
  }

  /** A server on the connector (and defaults) of the `IggyModule` of `app`. */
  static fromApp(
    app: INestApplicationContext,
    options: Omit<IggyServerOptions, 'connector'> = {},
  ): IggyServer {
    return new IggyServer(options).attach(app);
  }

  /**
   * Uses the module's connector (`IGGY_CONNECTOR`) and takes its defaults (concurrency, shutdown timeout,
   * commits, retry backoff, serialization, serializers) from `app`. For `NestFactory.createMicroservice(
   * AppModule, { strategy })`, call it on the returned app before `listen()`.
   */
  attach(app: INestApplicationContext): this {
    this.handle = ConnectorHandle.of(app.get<IggyConnector>(IGGY_CONNECTOR, { strict: false }));
    this.defaults = tryGet<IggyServerModuleDefaults>(app, IGGY_OPTIONS) ?? {};
    this.sink = tryGet<DeadLetterSink>(app, IGGY_DEAD_LETTER_SINK);
    this.telemetry = tryGet<IggyTelemetry | null>(app, IGGY_TELEMETRY) ?? undefined;
    if (!this.options.serializers) {
      this.serializers = tryGet<SerializerRegistry>(app, SerializerRegistry) ?? this.serializers;
    }
    return this;
  }

  /** Nest's lookup, with wildcards: the exact pattern, else the request or first event handler that matches. */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    const exact = super.getHandlerByPattern(pattern);
    if (exact) return exact;
    const routes = this.routes().match(this.getRouteFromPattern(pattern));
    const route = routes.request ?? routes.events[0];
    return route ? (this.messageHandlers.get(route.pattern) ?? null) : null;
  }

  on<K extends keyof IggyServerEvents>(event: K, callback: IggyServerEvents[K]): void {
    this.listeners.on(event, callback);
  }

  /** Partitions waiting on a message whose handler keeps failing (the DLQ is off or cannot be written). */
  stalled(): StalledPartition[] {
    return (this.runtime?.stalled() ?? []).map(withJsonView);
  }

  /** The server's consumer group: state, counters, partitions (after `listen`). */
  consumerStatus(): GroupStatus | undefined {
    const status = this.runtime?.status();
    return status && withJsonView(status);
  }

  /** The connector (after `listen`). */
  unwrap<T = IggyConnector>(): T {
    if (!this.handle || !this.runtime) {
      throw new IggyTransportError(
        'IggyServer is not listening: call listen() (or app.startAllMicroservices()) first',
      );
    }
    return this.handle.connector as T;
  }

  async listen(callback: (err?: unknown, ...info: unknown[]) => void): Promise<void> {
    try {
      await this.start();
    } catch (err) {
      this.runtime = undefined;
      this._status$.next('disconnected');
      callback(err);
      return;
    }
    callback();
  }

  /** Stops polling, waits for the handlers in flight and commits (within the shutdown timeout), then closes. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private get connector(): IggyConnector {
    return (this.handle as ConnectorHandle).connector;
  }

  private async start(): Promise<void> {
    if (!this.handle) {
      throw new IggyTransportError(
        'IggyServer has no connector: pass { connector } in its options, or attach it to the app ' +
          '(IggyServer.fromApp(app, options) or server.attach(app)) so it uses the IggyModule connector',
      );
    }
    if (this.runtime) return;
    this._status$.next('connecting');
    await this.handle.start('IggyServer');
    const destination = defaultDestination(this.connector);
    const { options, defaults } = this;
    const stream = options.stream ?? destination.stream;
    const topic = options.topic ?? destination.topic;
    const group = options.group ?? DEFAULT_GROUP;
    this.runtime = new ConsumerRuntime(
      this.connector,
      {
        stream,
        topic,
        group,
        observer: this.telemetry?.consumer({ stream, topic, group }),
        routes: this.routes(),
        serializers: this.serializers,
        startFrom: options.startFrom ?? 'committed',
        batchSize: options.batchSize ?? 100,
        pollIntervalMs: options.pollIntervalMs ?? 20,
        concurrency: options.concurrency ?? defaults.handlers?.concurrency ?? 4,
        shutdownTimeoutMs: options.shutdownTimeoutMs ?? defaults.handlers?.shutdownTimeoutMs ?? 10_000,
        retry: defaults.retry ?? defaultRetryOptions,
        commit: {
          every: options.commitEvery ?? defaults.handlers?.commitEvery,
          intervalMs: options.commitIntervalMs ?? defaults.handlers?.commitIntervalMs,
        },
        sink: this.sink,
        unownedHint: UNOWNED_HINT,
        requests: {
          refuse: (message, request, error) =>
            this.reply(message, request, {
              err: { status: 'error', message: describeError(error) },
              isDisposed: true,
            }),
          failed: (error, message) =>
            this.transportError(
              `request at partition ${message.partition} offset ${message.offset} answered with an error`,
              error,
            ),
        },
      },
      this.logger,
      {
        onHandlerError: (error, context) => this.listeners.emit('handlerError', error, context),
        onPollError: (error) => {
          this._status$.next('reconnecting');
          this.listeners.emit('error', error);
        },
        onPollRecovered: () => this._status$.next('connected'),
        onCommitError: (error) => this.listeners.emit('error', error),
      },
    );
    try {
      await this.runtime.start();
    } catch (err) {
      await this.handle.stop().catch(() => undefined);
      throw err;
    }
    this._status$.next('connected');
  }

  private async shutdown(): Promise<void> {
    await this.runtime?.stop();
    // Answers still streaming after the drain (a stream that never ends, and no requester deadline).
    for (const answer of [...this.answers]) answer.stop('the server is shutting down');
    await this.handle?.stop();
    this._status$.next('disconnected');
  }

  /** The handlers Nest registered, as routes: `@EventPattern` ones are events, `@MessagePattern` ones answer requests. */
  private routes(): RouteTable {
    if (this.routeTable?.routes.length !== this.messageHandlers.size) {
      const routes = [...this.messageHandlers].map(([pattern, handler]) => this.route(pattern, handler));
      this.routeTable = new RouteTable(routes);
    }
    return this.routeTable;
  }

  private route(pattern: string, handler: MessageHandler): Route {
    const event = handler.isEventHandler === true;
    return {
      name: pattern,
      pattern,
      matches: compilePattern(pattern),
      kind: event ? 'event' : 'request',
      guarded: false,
      invoke: event
        ? (envelope, context) => this.runEvent(handler, envelope, context)
        : (envelope, context) => this.answer(handler, envelope, context),
    };
  }

  private runEvent(handler: MessageHandler, envelope: EventEnvelope, context: IggyContext): Promise<void> {
    return runHooked(this, context, async (runEndHook) => {
      const result: unknown = await handler(envelope.payload, context);
      if (isObservable(result)) {
        await lastValueFrom(result.pipe(finalize(runEndHook)), { defaultValue: undefined });
      } else runEndHook();
    });
  }

  /**
   * Runs a request handler and publishes its replies; resolves once the last reply is published, or once
   * the answer is stopped (its requester's deadline, shutdown: see `RequestAnswer`).
   */
  private answer(handler: MessageHandler, envelope: EventEnvelope, context: IggyContext): Promise<void> {
    const message = context.getMessage();
    const request = context.getRequest()!;
    const answer = new RequestAnswer(request.deadline, (why) =>
      this.logger.warn(
        `stopped answering request ${request.requestId} ('${envelope.type}', partition ${message.partition} ` +
          `offset ${message.offset}): ${why}`,
      ),
    );
    this.answers.add(answer);
    void answer.finished.then(() => this.answers.delete(answer));
    const respond = async (packet: WritePacket): Promise<void> => {
      if (answer.isDone) return;
      await this.reply(message, request, packet);
      if (packet.isDisposed) answer.end();
    };
    runHooked(this, context, async (runEndHook) => {
      const response$ = this.transformToObservable(await handler(envelope.payload, context));
      answer.attach(this.send(response$.pipe(finalize(runEndHook)), respond));
    }).catch((err: unknown) => respond({ err, isDisposed: true }));
    return answer.finished;
  }

  private async reply(
    message: ReceivedMessage,
    request: IggyRequestInfo,
    packet: WritePacket,
  ): Promise<void> {
    try {
      await this.connector.publish(encodeReply(packet, request, message.stream, this.replySerializer()));
    } catch (err) {
      this.transportError(`reply to request ${request.requestId} on '${request.replyTo}' failed`, err);
    }
  }

  private replySerializer(): Serializer {
    const format = this.options.serialization ?? this.defaults.serialization ?? 'json';
    return this.serializers.byFormat(format) ?? this.serializers.default;
  }

  private transportError(what: string, err: unknown): void {
    this.logger.error(`${what}: ${describeError(err)}`);
    this.listeners.emit('error', err);
  }
}
