import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { describeError } from '../common/error-text.js';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { validEnvelopeToMessage, type MessageTarget } from '../events/envelope-message.js';
import { createEnvelope, type EventEnvelope } from '../events/event-envelope.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import { validateTenantId } from '../events/tenant-partitioner.js';
import type { Serializer } from '../events/serializer.js';
import { observePublish, type PublishDone } from '../observability/producer-telemetry.js';
import { ConnectorHandle } from './connector-handle.js';
import { Emitted } from './emitted.js';
import { REQUEST_REPLY_DEFAULTS, type IggyStatus } from './iggy-transport.constants.js';
import { IggyRecord, type IggyRecordOptions } from './iggy-record.js';
import type { IggyClientProxyOptions } from './interfaces/iggy-client-proxy-options.interface.js';
import { requestHeaders } from './reply-codec.js';
import { packetOf } from './nest-compat.js';
import { ReplyListener } from './reply-listener.js';
import {
  moduleClientOptionsOf,
  sharedClientOptions,
  type SharedClientOptions,
} from './shared-client-options.js';
import { IggyMissingTenantError, IggyRequestTimeoutError, IggyTransportError } from './transport-errors.js';
import { TransportListeners } from './transport-support.js';
import { ThrottledLog } from '../common/throttled-log.js';
import { defaultDestination } from '../connectors/connector-config.js';

/** What `IggyClientProxy.on` listens to. */
export type IggyClientProxyEvents = {
  /**
   * A request could not be published or its reply not be read; or an event could not be published and
   * nothing had subscribed to its `emit` observable (it is also logged).
   */
  error: (error: unknown) => void;
};

/**
 * A Nest `ClientProxy` over Iggy (injectable as `IggyClientProxy` or `IGGY_CLIENT`).
 *
 * `emit(pattern, data)` publishes an event envelope (type = the pattern) to the domain topic, partitioned
 * by tenant: the tenant is `data.tenantId`, or `new IggyRecord(data, { tenantId, ... })`'s, or the
 * configured `defaultTenantId`; with none, the observable fails with `IggyMissingTenantError`. The
 * handler receives `data` (an `IggyRecord`'s payload). `send(pattern, data)` publishes the same envelope as
 * a request (headers `request_id`, `reply_to`, `reply_key`) and emits the handler's replies, read from this
 * instance's partition of the reply topic; no reply within `timeoutMs` fails with `IggyRequestTimeoutError`.
 * Packet metadata (`setOnDispatchHook`) travels as envelope headers.
 */
// Status `string` in the base type (narrowed by `status` below): Nest's `ClientsModule` takes
// `customClass: Type<ClientProxy>`, whose status subject is of `string`.
export class IggyClientProxy extends ClientProxy<IggyClientProxyEvents> {
  /** This instance's id: the partition key of its replies. */
  readonly instanceId: string;
  private readonly logger = new Logger('IggyClientProxy');
  /** Set by the constructor, or by `connect()` from the `IggyModule`'s when no connector was given. */
  private handle!: ConnectorHandle;
  private serializers: SerializerRegistry;
  private options: IggyClientProxyOptions;
  private readonly listeners = new TransportListeners<IggyClientProxyEvents>();
  private replies: ReplyListener | undefined;
  private connecting: Promise<void> | undefined;
  /** The connector is up (set once `connect` resolved; cleared by `close`). */
  private ready = false;
  /** Emits waiting for `connect`: a later emit must not overtake them. */
  private awaitingConnect = 0;
  /** The module's client options were merged under the given ones (`adopt`). */
  private adopted = false;

  /**
   * Without `connector` (as `ClientsModule.register([{ name, customClass: IggyClientProxy, options }])`
   * makes it) the client uses the app's `IggyModule`: its connector, and its options under the given ones.
   */
  constructor(options: IggyClientProxyOptions = {}) {
    super();
    this.options = options;
    if (options.connector) this.handle = ConnectorHandle.of(options.connector);
    this.serializers = options.serializers ?? new SerializerRegistry();
    this.instanceId = options.instanceId ?? randomUUID();
  }

  /** `connecting`, `connected`, `reconnecting`, `disconnected`. */
  override get status(): Observable<IggyStatus> {
    return super.status as Observable<IggyStatus>;
  }

  /** Resolves once the connector is up (connects an owned one; checks a shared one). */
  async connect(): Promise<IggyConnector> {
    this.connecting ??= this.connectorHandle()
      .start('IggyClientProxy')
      .then(
        () => {
          this.ready = true;
          this._status$.next('connected');
        },
        (err: unknown) => {
          this.connecting = undefined;
          this._status$.next('disconnected');
          throw err;
        },
      );
    await this.connecting;
    return this.handle.connector;
  }

  /** Stops reading replies (waiting requests fail with `IggyTransportError`) and shuts an owned connector down. */
  async close(): Promise<void> {
    const replies = this.replies;
    this.replies = undefined;
    await replies?.close();
    this.connecting = undefined;
    this.ready = false;
    await this.handle?.stop();
    this._status$.next('disconnected');
    this.unobservedLog.flush();
  }

  /** The connector. */
  unwrap<T = IggyConnector>(): T {
    if (!this.handle)
      throw new IggyTransportError('IggyClientProxy: call connect() first (it has no connector yet)');
    return this.handle.connector as T;
  }

  /**
   * The connector's handle. Without a connector of its own, the module's; with a module's connector
   * (`ClientsModule.registerAsync` injecting `IGGY_CONNECTOR`), that module's client options too
   * (default tenant, metrics, reply topic...), under the given ones.
   */
  private connectorHandle(): ConnectorHandle {
    if (this.handle) {
      if (!this.adopted) {
        const module = moduleClientOptionsOf(this.handle.connector);
        if (module) this.adopt(module);
      }
      return this.handle;
    }
    const shared = sharedClientOptions();
    this.adopt(shared);
    this.handle = ConnectorHandle.of(shared.connector);
    return this.handle;
  }

  private adopt(module: SharedClientOptions): void {
    this.adopted = true;
    const given = Object.fromEntries(Object.entries(this.options).filter(([, v]) => v !== undefined));
    if (!this.options.serializers && module.serializers) this.serializers = module.serializers;
    this.options = { ...module, ...given, connector: module.connector };
  }

  override on<K extends keyof IggyClientProxyEvents>(event: K, callback: IggyClientProxyEvents[K]): void {
    this.listeners.on(event, callback);
  }

  /** The envelope `emit`/`send` would publish for `pattern` and `data` (validated). */
  toEnvelope(pattern: unknown, data: unknown, metadata?: Record<string, string>): EventEnvelope {
    const type = this.normalizePattern(pattern as string);
    const [payload, meta]: [unknown, IggyRecordOptions] =
      data instanceof IggyRecord ? [data.payload, data.options] : [data, {}];
    if (meta.tenantId !== undefined) validateTenantId(meta.tenantId);
    const tenantId = meta.tenantId ?? tenantOf(payload) ?? this.options.defaultTenantId;
    if (tenantId === undefined) throw new IggyMissingTenantError(type);
    const headers = { ...metadata, ...meta.headers };
    return createEnvelope({ ...meta, tenantId, type, payload, headers });
  }

  /**
   * `ClientProxy.emit` without its operator chain (it runs once per event): the same hot observable
   * (`Emitted`), started at once, that emits `dispatchEvent`'s result and completes (or fails), a late
   * subscriber seeing only the completion or the error.
   */
  override emit<TResult = unknown, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    if (pattern === null || pattern === undefined || data === null || data === undefined) {
      return super.emit(pattern, data);
    }
    let published: Promise<TResult>;
    if (this.ready && this.awaitingConnect === 0) {
      // Connected: published in call order right away (no promise hop that a later emit could overtake).
      published = this.dispatchEvent<TResult>(packetOf(this, pattern, data));
    } else {
      this.awaitingConnect++;
      published = this.connect().then(
        () => {
          this.awaitingConnect--;
          return this.dispatchEvent<TResult>(packetOf(this, pattern, data));
        },
        (err: unknown) => {
          this.awaitingConnect--;
          throw err;
        },
      );
    }
    return new Emitted(published, this.unobservedEmitFailure);
  }

  private readonly unobservedLog = new ThrottledLog<unknown>(
    1_000,
    (error) =>
      this.logger.error(
        `an emit failed and nothing subscribed to its observable, so the event was not published: ${describeError(error)}`,
      ),
    (count, last) =>
      this.logger.error(
        `${count} more emit(s) failed with nothing subscribed to their observables, so those events were not published; the last: ${describeError(last)}`,
      ),
  );
  /**
   * An `emit` failed with nothing subscribed to its observable: told to the error listeners, and logged
   * rather than lost in silence (a burst of them as a count, so a broker that is down does not flood the log).
   */
  private readonly unobservedEmitFailure = (error: unknown): void => {
    this.listeners.emit('error', error);
    this.unobservedLog.note(error);
  };

  /** Publishes the event's envelope; resolves once its batch is acknowledged (never throws synchronously). */
  protected dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    let done: PublishDone | undefined;
    try {
      const envelope = this.toEnvelope(packet.pattern, packet.data, packet.metadata);
      const target = this.target();
      done = this.options.telemetry?.sending(target, envelope);
      const message = validEnvelopeToMessage(envelope, this.payloadSerializer(), target);
      // `publish` resolves with undefined: what an event's observable emits.
      const published = this.handle.connector.publish(message);
      return (done ? observePublish(published, done) : published) as Promise<unknown> as Promise<T>;
    } catch (err) {
      done?.(err);
      return Promise.reject(err);
    }
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const requestId = randomUUID();
    const timeoutMs = this.options.timeoutMs ?? REQUEST_REPLY_DEFAULTS.timeoutMs;
    const pattern = this.normalizePattern(packet.pattern);
    let finished = false;
    let unregister: (() => void) | undefined;
    const telemetry = this.options.telemetry;
    const finish = (reply: WritePacket): void => {
      if (finished) return;
      if (telemetry && !(reply.err instanceof IggyRequestTimeoutError)) {
        if (reply.err !== undefined || reply.response !== undefined) telemetry.reply(pattern, !reply.err);
      }
      if (reply.isDisposed || reply.err) {
        finished = true;
        clearTimeout(timer);
        unregister?.();
      }
      callback(reply);
    };
    const deadline = Date.now() + timeoutMs;
    const timer = setTimeout(() => {
      if (!finished) telemetry?.timeout(pattern);
      finish({ err: new IggyRequestTimeoutError(pattern, timeoutMs, requestId), isDisposed: true });
    }, timeoutMs);
    void (async () => {
      try {
        const envelope = this.toEnvelope(packet.pattern, packet.data, packet.metadata);
        const replies = this.replyListener();
        unregister = replies.register(requestId, finish);
        await replies.ready();
        if (finished) return;
        const target = this.target();
        const done = telemetry?.sending(target, envelope);
        const replyTo = this.options.replyTopic ?? REQUEST_REPLY_DEFAULTS.replyTopic;
        let published: Promise<void>;
        try {
          const message = validEnvelopeToMessage(envelope, this.payloadSerializer(), target);
          published = this.handle.connector.publish(
            message.withMoreHeaders(
              requestHeaders({ requestId, replyTo, replyKey: this.instanceId, deadline }),
            ),
          );
        } catch (err) {
          done?.(err);
          throw err;
        }
        await (done ? observePublish(published, done) : published);
        telemetry?.request(pattern);
      } catch (err) {
        this.listeners.emit('error', err);
        finish({ err, isDisposed: true });
      }
    })();
    return () => {
      finished = true;
      clearTimeout(timer);
      unregister?.();
    };
  }

  private replyListener(): ReplyListener {
    this.replies ??= new ReplyListener(this.handle.connector, {
      stream: this.target().stream,
      topic: this.options.replyTopic ?? REQUEST_REPLY_DEFAULTS.replyTopic,
      partitions: this.options.replyPartitions ?? REQUEST_REPLY_DEFAULTS.partitions,
      instanceId: this.instanceId,
      serializers: this.serializers,
      logger: this.logger,
    });
    return this.replies;
  }

  private payloadSerializer(): Serializer {
    const format = this.options.serialization ?? 'json';
    return this.serializers.byFormat(format) ?? this.serializers.default;
  }

  private target(): MessageTarget {
    const destination = defaultDestination(this.handle.connector);
    return {
      stream: this.options.stream ?? destination.stream,
      topic: this.options.topic ?? destination.topic,
    };
  }
}

/** `data.tenantId`; an `EnvelopeValidationError` when it is there and not a string (`tenantId: 42`). */
function tenantOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const tenantId = (data as { tenantId?: unknown }).tenantId;
  if (tenantId === undefined || tenantId === null) return undefined;
  validateTenantId(tenantId);
  return tenantId;
}
