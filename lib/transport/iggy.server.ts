import { Logger, type INestApplicationContext } from '@nestjs/common';
import {
  Server,
  type CustomTransportStrategy,
  type MessageHandler,
  type WritePacket,
} from '@nestjs/microservices';
import { finalize, isObservable, lastValueFrom } from 'rxjs';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import type { MessageSubscriber, ReceivedMessage } from '../connectors/message-subscriber.js';
import { readEventMeta, type EventMeta } from '../events/envelope-headers.js';
import { messageToEnvelope } from '../events/envelope-message.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import type { Serializer } from '../events/serializer.js';
import { ConnectorHandle } from './connector-handle.js';
import { IGGY_DEAD_LETTER_SINK, type DeadLetterSink } from '../consumer/dead-letter-sink.js';
import { IggyContext, type IggyDelivery, type IggyRequestInfo } from './iggy.context.js';
import {
  IGGY_TRANSPORT,
  REDRIVE_GROUP_HEADER,
  REDRIVE_HANDLER_HEADER,
  type IggyStatus,
} from './iggy-transport.constants.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
import type { IggyServerEvents } from './interfaces/iggy-server-events.interface.js';
import type {
  IggyServerModuleDefaults,
  IggyServerOptions,
} from './interfaces/iggy-server-options.interface.js';
import { OffsetCommitter } from './offset-committer.js';
import { PartitionDispatcher } from './partition-dispatcher.js';
import { PartitionStalls, type StalledPartition } from '../consumer/redelivery.js';
import { ServerDeadLetters } from './server-dead-letters.js';
import { encodeReply, readRequestInfo } from './reply-codec.js';
import { defaultRetryOptions } from '../consumer/retry-options.js';
import { RouteTable, type Route } from './route-table.js';
import { TransportListeners, describeError, runHooked, sleepUnless, tryGet } from './transport-support.js';
import { IggyTransportError } from './transport-errors.js';

const DEFAULT_GROUP = 'nestjs-iggy-server';

/**
 * A Nest microservice transport over Iggy. It reads the domain topic as a consumer group and hands each
 * event envelope to the `@EventPattern`/`@MessagePattern` handlers whose pattern matches its type (exact,
 * `order.*`, `order.#`), read from the message headers (no payload decode to route), through Nest's
 * pipeline (guards, pipes, interceptors, exception filters). One partition at a time in order, partitions
 * in parallel. A request (`send`) is answered on the reply topic, then committed, error or not (the caller
 * has its answer); a request no handler here knows is left to the other services.
 *
 * Events are at-least-once, as with `@IggyEventHandler`: an offset is committed only after the handlers
 * succeeded or the message was written to the DLQ. The module's `IggyDlqInterceptor` retries a failing
 * `@EventPattern` call and dead-letters it (one mechanism for both paths); a call it did not own (a guard
 * refused the event, or the interceptor does not reach this server) is dead-lettered here through the
 * module's `DeadLetterSink`. When the DLQ is off or cannot be written, the message's partition stalls and
 * the message is delivered again with the retry backoff until it passes; the other partitions go on.
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
  private subscriber: MessageSubscriber | undefined;
  private dispatcher: PartitionDispatcher<ReceivedMessage> | undefined;
  private committer: OffsetCommitter | undefined;
  private sink: DeadLetterSink | undefined;
  private deadLetters: ServerDeadLetters;
  private stalls = new PartitionStalls(defaultRetryOptions);
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private stopping = false;
  private commitsClosed = false;
  private readonly stopSignal = new AbortController();
  private readonly listeners = new TransportListeners<IggyServerEvents>();
  private readonly routes = new RouteTable(this.messageHandlers);

  constructor(private readonly options: IggyServerOptions = {}) {
    super();
    this.serializers = options.serializers ?? new SerializerRegistry();
    if (options.connector) this.handle = ConnectorHandle.of(options.connector);
    this.deadLetters = new ServerDeadLetters(undefined, this.group, this.logger);
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
   * serialization, serializers) from `app`. For `NestFactory.createMicroservice(AppModule, { strategy })`,
   * call it on the returned app before `listen()`.
   */
  attach(app: INestApplicationContext): this {
    this.handle = ConnectorHandle.of(app.get<IggyConnector>(IGGY_CONNECTOR, { strict: false }));
    this.defaults = tryGet<IggyServerModuleDefaults>(app, IGGY_OPTIONS) ?? {};
    this.sink = tryGet<DeadLetterSink>(app, IGGY_DEAD_LETTER_SINK);
    if (!this.options.serializers) {
      this.serializers = tryGet<SerializerRegistry>(app, SerializerRegistry) ?? this.serializers;
    }
    return this;
  }

  /** Nest's lookup, with wildcards: the exact pattern, else the request or first event handler that matches. */
  override getHandlerByPattern(pattern: string): MessageHandler | null {
    const exact = super.getHandlerByPattern(pattern);
    if (exact) return exact;
    const routes = this.routes.routes(this.getRouteFromPattern(pattern));
    return routes.request?.handler ?? routes.events[0]?.handler ?? null;
  }

  on<K extends keyof IggyServerEvents>(event: K, callback: IggyServerEvents[K]): void {
    this.listeners.on(event, callback);
  }

  /** Partitions waiting on a message whose handler keeps failing (the DLQ is off or cannot be written). */
  stalled(): StalledPartition[] {
    return this.stalls.list();
  }

  /** The connector (after `listen`). */
  unwrap<T = IggyConnector>(): T {
    if (!this.handle || !this.subscriber) {
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
      this._status$.next('disconnected');
      callback(err);
      return;
    }
    callback();
  }

  /** Stops polling, waits for the handlers in flight (up to the shutdown timeout), commits, then closes. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private get group(): string {
    return this.options.group ?? DEFAULT_GROUP;
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
    if (this.subscriber) return;
    this._status$.next('connecting');
    await this.handle.start('IggyServer');
    const config = this.connector.config;
    const stream = this.options.stream ?? config?.streamName ?? 'rustok';
    const topic = this.options.topic ?? config?.topicName ?? 'domain';
    const group = this.group;
    const batchSize = this.options.batchSize ?? 100;
    const concurrency = this.options.concurrency ?? this.defaults.handlers?.concurrency ?? 4;
    this.stalls = new PartitionStalls(this.defaults.retry ?? defaultRetryOptions);
    this.deadLetters = new ServerDeadLetters(this.sink, group, this.logger);
    this.subscriber = await this.connector.subscribeGroup(stream, topic, group, {
      startFrom: this.options.startFrom ?? 'committed',
      batchSize,
      pollIntervalMs: this.options.pollIntervalMs ?? 20,
    });
    this.committer = new OffsetCommitter(this.subscriber, (err, m) =>
      this.transportError(`commit of partition ${m.partition} offset ${m.offset} failed`, err),
    );
    this.dispatcher = new PartitionDispatcher((m) => this.process(m), {
      concurrency,
      maxBuffered: Math.max(2 * batchSize, 4 * concurrency),
    });
    this.loop = this.pollLoop(this.subscriber, this.dispatcher);
    this._status$.next('connected');
    this.logger.log(`listening to '${stream}/${topic}' as group '${group}'`);
  }

  private async pollLoop(
    subscriber: MessageSubscriber,
    dispatcher: PartitionDispatcher<ReceivedMessage>,
  ): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let message: ReceivedMessage | null;
      try {
        message = await subscriber.recv();
      } catch (err) {
        if (this.stopping) break;
        failures++;
        this._status$.next('reconnecting');
        this.transportError('polling failed; retrying', err);
        await sleepUnless(Math.min(5_000, 100 * 2 ** failures), this.stopSignal.signal);
        continue;
      }
      if (message === null || this.stopping) break;
      if (failures > 0) {
        failures = 0;
        this._status$.next('connected');
      }
      await dispatcher.push(message);
    }
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    if (this.dispatcher && this.subscriber && this.committer) {
      const dropped = this.dispatcher.stop();
      const timeoutMs = this.options.shutdownTimeoutMs ?? this.defaults.handlers?.shutdownTimeoutMs ?? 10_000;
      const busy = this.dispatcher.activePartitions;
      if (!(await this.dispatcher.whenIdleWithin(timeoutMs))) {
        this.logger.warn(
          `close: handlers of ${busy} partition(s) still running after ${timeoutMs} ms; closing without ` +
            'committing them (their messages will be delivered again)',
        );
      }
      this.commitsClosed = true;
      await this.committer.flush();
      await this.subscriber
        .close()
        .catch((err: unknown) => this.transportError('closing the subscription failed', err));
      await this.loop;
      if (dropped > 0) this.logger.log(`close: ${dropped} fetched message(s) left unhandled and uncommitted`);
    }
    await this.handle?.stop();
    this._status$.next('disconnected');
  }

  /**
   * One message: route, decode, handle, then mark it for commit. While a handler fails for good (and the
   * message could not be dead-lettered) it is not committed: its partition waits and it is tried again
   * with the retry backoff, until it passes or the server closes. Never throws.
   */
  private async process(message: ReceivedMessage): Promise<void> {
    const done = new Set<string>();
    const handled = await this.stalls.untilHandled(message, () => this.route(message, done), {
      signal: this.stopSignal.signal,
      stopped: () => this.stopping,
      onFailure: (stall, delay) =>
        this.logger.error(
          `partition ${stall.partition} offset ${stall.offset} of '${message.topic}' failed ` +
            `(${stall.failures}x, not committed, retrying in ${delay} ms): ${stall.error}`,
        ),
    });
    if (handled && !this.commitsClosed) this.committer?.commit(message);
  }

  /**
   * Routes one message to its handlers. Resolves once it may be committed; throws while it may not (an
   * event handler failed for good, or its dead letter could not be written). `done` keeps the event
   * patterns already handled across the tries of one message.
   */
  private async route(message: ReceivedMessage, done: Set<string>): Promise<void> {
    let event: EventMeta;
    try {
      event = readEventMeta(message);
    } catch (err) {
      return this.deadLetters.unreadable(message, undefined, '(routing)', err);
    }
    const request = readRequestInfo(message);
    const routes = this.routes.routes(event.type);
    if (request && routes.request) {
      if (request.deadline !== undefined && Date.now() > request.deadline) {
        this.logger.debug?.(
          `skipping request ${request.requestId} ('${event.type}'): its requester stopped waiting`,
        );
        return;
      }
      try {
        await this.answer(message, routes.request, request);
      } catch (err) {
        this.transportError(
          `request at partition ${message.partition} offset ${message.offset} answered with an error`,
          err,
        );
      }
      return;
    }
    const redriveGroup = event.headers[REDRIVE_GROUP_HEADER];
    if (redriveGroup !== undefined && redriveGroup !== this.group) return; // redriven for another group
    const redriveHandler = redriveGroup === undefined ? undefined : event.headers[REDRIVE_HANDLER_HEADER];
    let targets = routes.events.filter((r) => !done.has(r.pattern));
    if (redriveHandler !== undefined && targets.some((r) => r.pattern === redriveHandler)) {
      targets = targets.filter((r) => r.pattern === redriveHandler);
    }
    if (targets.length === 0) return;
    let envelope: EventEnvelope;
    try {
      envelope = messageToEnvelope(message, this.serializers);
    } catch (err) {
      return this.deadLetters.unreadable(message, event, targets.map((r) => r.pattern).join(','), err);
    }
    for (const route of targets) {
      const delivery: IggyDelivery = { group: this.group };
      if (redriveHandler !== undefined) delivery.redriveHandler = redriveHandler;
      const context = new IggyContext([message, envelope, route.pattern, request], delivery);
      try {
        await this.runEvent(route, envelope, context);
      } catch (filtered) {
        // Nest's exception filters hand plain RPC data back; the interceptor kept the real error.
        const err = context.getLastError() ?? filtered;
        this.listeners.emit('handlerError', err, context);
        await this.deadLetters.unowned(err, context, event);
      }
      done.add(route.pattern);
    }
  }

  private runEvent(route: Route, envelope: EventEnvelope, context: IggyContext): Promise<void> {
    return runHooked(
      (ctx, fn) => this.runWithProcessingHooks(ctx, fn),
      context,
      async (runEndHook) => {
        const result: unknown = await route.handler(envelope.payload, context);
        if (isObservable(result))
          await lastValueFrom(result.pipe(finalize(runEndHook)), { defaultValue: undefined });
        else runEndHook();
      },
    );
  }

  /** Runs a request handler and publishes its replies; resolves once the last reply is published. */
  private async answer(message: ReceivedMessage, route: Route, request: IggyRequestInfo): Promise<void> {
    let envelope: EventEnvelope;
    try {
      envelope = messageToEnvelope(message, this.serializers);
    } catch (err) {
      await this.reply(message, request, {
        err: { status: 'error', message: describeError(err) },
        isDisposed: true,
      });
      throw err;
    }
    const context = new IggyContext([message, envelope, route.pattern, request]);
    await new Promise<void>((resolve) => {
      let done = false;
      const respond = async (packet: WritePacket): Promise<void> => {
        await this.reply(message, request, packet);
        if (packet.isDisposed && !done) {
          done = true;
          resolve();
        }
      };
      runHooked(
        (ctx, fn) => this.runWithProcessingHooks(ctx, fn),
        context,
        async (runEndHook) => {
          const response$ = this.transformToObservable(await route.handler(envelope.payload, context));
          this.send(response$.pipe(finalize(runEndHook)), respond);
        },
      ).catch((err: unknown) => respond({ err, isDisposed: true }));
    });
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
