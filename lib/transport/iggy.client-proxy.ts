import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { Subject, type Observable } from 'rxjs';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { envelopeToMessage, type MessageTarget } from '../events/envelope-message.js';
import { createEnvelope, type EventEnvelope } from '../events/event-envelope.js';
import { SerializerRegistry } from '../events/serializer-registry.js';
import type { Serializer } from '../events/serializer.js';
import { ConnectorHandle } from './connector-handle.js';
import type { IggyStatus } from './iggy-transport.constants.js';
import { IggyRecord, type IggyRecordOptions } from './iggy-record.js';
import type { IggyClientOptions } from './interfaces/iggy-client-options.interface.js';
import { requestHeaders } from './reply-codec.js';
import { ReplyListener } from './reply-listener.js';
import { IggyMissingTenantError, IggyRequestTimeoutError } from './transport-errors.js';
import { TransportListeners } from './transport-support.js';

/** What `IggyClientProxy.on` listens to. */
export type IggyClientEvents = {
  /** A request could not be published or its reply not be read. */
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
export class IggyClientProxy extends ClientProxy<IggyClientEvents, IggyStatus> {
  /** This instance's id: the partition key of its replies. */
  readonly instanceId: string;
  private readonly logger = new Logger('IggyClientProxy');
  private readonly handle: ConnectorHandle;
  private readonly serializers: SerializerRegistry;
  private readonly listeners = new TransportListeners<IggyClientEvents>();
  private replies: ReplyListener | undefined;
  private connecting: Promise<void> | undefined;

  constructor(private readonly options: IggyClientOptions) {
    super();
    this.handle = ConnectorHandle.of(options.connector);
    this.serializers = options.serializers ?? new SerializerRegistry();
    this.instanceId = options.instanceId ?? randomUUID();
  }

  /** Resolves once the connector is up (connects an owned one; checks a shared one). */
  async connect(): Promise<IggyConnector> {
    this.connecting ??= this.handle.start('IggyClientProxy').then(
      () => this._status$.next('connected'),
      (err: unknown) => {
        this.connecting = undefined;
        this._status$.next('disconnected');
        throw err;
      },
    );
    await this.connecting;
    return this.handle.connector;
  }

  /** Stops reading replies (waiting requests then time out) and shuts an owned connector down. */
  async close(): Promise<void> {
    const replies = this.replies;
    this.replies = undefined;
    await replies?.close();
    this.connecting = undefined;
    await this.handle.stop();
    this._status$.next('disconnected');
  }

  /** The connector. */
  unwrap<T = IggyConnector>(): T {
    return this.handle.connector as T;
  }

  override on<K extends keyof IggyClientEvents>(event: K, callback: IggyClientEvents[K]): void {
    this.listeners.on(event, callback);
  }

  /** The envelope `emit`/`send` would publish for `pattern` and `data` (validated). */
  toEnvelope(pattern: unknown, data: unknown, metadata?: Record<string, string>): EventEnvelope {
    const type = this.normalizePattern(pattern as string);
    const [payload, meta]: [unknown, IggyRecordOptions] =
      data instanceof IggyRecord ? [data.payload, data.options] : [data, {}];
    const tenantId = meta.tenantId ?? tenantOf(payload) ?? this.options.defaultTenantId;
    if (tenantId === undefined) throw new IggyMissingTenantError(type);
    const headers = { ...metadata, ...meta.headers };
    return createEnvelope({ ...meta, tenantId, type, payload, headers });
  }

  /**
   * `ClientProxy.emit` without its operator chain (it runs once per event): the same hot observable,
   * started at once, that emits `dispatchEvent`'s result and completes (or fails), a late subscriber
   * seeing only the completion or the error.
   */
  override emit<TResult = unknown, TInput = unknown>(pattern: unknown, data: TInput): Observable<TResult> {
    if (pattern === null || pattern === undefined || data === null || data === undefined) {
      return super.emit(pattern, data);
    }
    const outcome = new Subject<TResult>();
    void this.connect()
      .then(() => this.dispatchEvent<TResult>(this.createPacket(pattern, data)))
      .then(
        (result) => {
          outcome.next(result);
          outcome.complete();
        },
        (err: unknown) => outcome.error(err),
      );
    return outcome.asObservable();
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const envelope = this.toEnvelope(packet.pattern, packet.data, packet.metadata);
    const target = this.target();
    const telemetry = this.options.telemetry;
    if (!telemetry) {
      await this.handle.connector.publish(envelopeToMessage(envelope, this.payloadSerializer(), target));
      return undefined as T;
    }
    const done = telemetry.sending(target, envelope);
    try {
      const message = envelopeToMessage(envelope, this.payloadSerializer(), target);
      await this.handle.connector.publish(message);
      done(undefined, message.payload.length);
    } catch (error) {
      done(error);
      throw error;
    }
    return undefined as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const requestId = randomUUID();
    const timeoutMs = this.options.timeoutMs ?? 5_000;
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
        const replyTo = this.options.replyTopic ?? 'replies';
        let bytes = 0;
        try {
          const message = envelopeToMessage(envelope, this.payloadSerializer(), target);
          bytes = message.payload.length;
          await this.handle.connector.publish(
            message.withHeaders([
              ...message.headers,
              ...requestHeaders({ requestId, replyTo, replyKey: this.instanceId, deadline }),
            ]),
          );
        } catch (err) {
          done?.(err);
          throw err;
        }
        done?.(undefined, bytes);
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
      topic: this.options.replyTopic ?? 'replies',
      partitions: this.options.replyPartitions ?? 16,
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
    const config = this.handle.connector.config;
    return {
      stream: this.options.stream ?? config?.streamName ?? 'rustok',
      topic: this.options.topic ?? config?.topicName ?? 'domain',
    };
  }
}

/** `data.tenantId` when it is a string. */
function tenantOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const tenantId = (data as { tenantId?: unknown }).tenantId;
  return typeof tenantId === 'string' ? tenantId : undefined;
}
