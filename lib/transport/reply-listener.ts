import type { LoggerService } from '@nestjs/common';
import type { WritePacket } from '@nestjs/microservices';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import type { MessageSubscriber } from '../connectors/message-subscriber.js';
import type { SerializerRegistry } from '../events/serializer-registry.js';
import { partitionForKey } from '../protocol/messages/partition-key.js';
import { decodeReply, replyRequestId } from './reply-codec.js';
import { IggyTransportError } from './transport-errors.js';
import { describeError } from '../common/error-text.js';
import { WakeableDelay } from '../common/wakeable-delay.js';

export interface ReplyListenerSpec {
  stream: string;
  topic: string;
  /** Partitions of the reply topic when it has to be created. */
  partitions: number;
  /** The partition key of this instance's replies. */
  instanceId: string;
  serializers: SerializerRegistry;
  logger: LoggerService;
}

/** Replies expire after an hour: they are read within a request's timeout or never. */
const REPLY_EXPIRY_MICROS = 3_600_000_000n;
/** Poll interval while listening: it bounds the latency a reply adds. */
const POLL_INTERVAL_MS = 10;
/** With no request waiting this long, the subscription closes (it reopens on the next `send`). */
const IDLE_CLOSE_MS = 30_000;

/**
 * Reads this instance's replies: the reply topic's partition its instance id hashes to, from the end (only
 * replies published after it started), as a single consumer that stores no offsets. Instances that share a
 * partition each read it whole and keep only the replies whose request id they wait for, so no instance
 * takes another's reply. Opened on the first request; closed when idle.
 */
export class ReplyListener {
  private readonly pending = new Map<string, (packet: WritePacket) => void>();
  private subscriber: MessageSubscriber | undefined;
  private loop: Promise<void> | undefined;
  private opening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The pause before reading again after a failed read; cut short by `close`. */
  private readonly retryDelay = new WakeableDelay();

  constructor(
    private readonly connector: IggyConnector,
    private readonly spec: ReplyListenerSpec,
  ) {}

  /** Resolves once replies published from now on will be seen. */
  async ready(): Promise<void> {
    if (this.closing) await this.closing;
    this.opening ??= this.open().catch((err: unknown) => {
      this.opening = undefined;
      throw err;
    });
    return this.opening;
  }

  /** Routes the replies of `requestId` to `callback` until the last one; returns the unregister function. */
  register(requestId: string, callback: (packet: WritePacket) => void): () => void {
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.pending.set(requestId, callback);
    return () => {
      this.pending.delete(requestId);
      this.closeWhenIdle();
    };
  }

  /** Stops listening; the requests still waiting fail at once (a closing client: no reply can reach them). */
  async close(): Promise<void> {
    for (const [requestId, callback] of [...this.pending]) {
      callback({
        err: new IggyTransportError(`request ${requestId}: the client was closed before its reply came`),
        isDisposed: true,
      });
    }
    this.pending.clear();
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.closing ??= this.stop().finally(() => (this.closing = undefined));
    await this.closing;
  }

  private async open(): Promise<void> {
    const { stream, topic, partitions, instanceId } = this.spec;
    await this.connector.ensureTopic(stream, {
      name: topic,
      partitions,
      messageExpiryMicros: REPLY_EXPIRY_MICROS,
    });
    const info = await this.connector.getTopic(stream, topic);
    const count = info?.partitionsCount ?? partitions;
    const partition = partitionForKey(Buffer.from(instanceId, 'utf8'), count);
    const subscriber = await this.connector.subscribe(stream, topic, partition, {
      startFrom: 'end',
      consumerName: `nestjs-iggy-replies-${instanceId}`,
      pollIntervalMs: POLL_INTERVAL_MS,
    });
    this.subscriber = subscriber;
    this.loop = this.run(subscriber);
  }

  private async stop(): Promise<void> {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.opening = undefined;
    this.retryDelay.wake();
    await subscriber?.close().catch(() => undefined);
    await this.loop;
    this.loop = undefined;
  }

  private closeWhenIdle(): void {
    if (this.pending.size > 0 || this.idleTimer || !this.subscriber) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.pending.size === 0) void this.close();
    }, IDLE_CLOSE_MS);
    this.idleTimer.unref();
  }

  private async run(subscriber: MessageSubscriber): Promise<void> {
    for (;;) {
      let message;
      try {
        message = await subscriber.recv();
      } catch (err) {
        if (this.subscriber !== subscriber) return;
        this.spec.logger.error?.(`reading replies failed; retrying: ${describeError(err)}`);
        await this.retryDelay.sleep(200);
        continue;
      }
      if (message === null) return;
      const requestId = replyRequestId(message);
      const callback = requestId === undefined ? undefined : this.pending.get(requestId);
      if (!callback || requestId === undefined) continue;
      let packet: WritePacket;
      try {
        packet = decodeReply(message, this.spec.serializers);
      } catch (err) {
        packet = {
          err: { status: 'error', message: `undecodable reply: ${describeError(err)}` },
          isDisposed: true,
        };
      }
      if (packet.isDisposed) this.pending.delete(requestId);
      callback(packet);
    }
  }
}
