import { BaseRpcContext } from '@nestjs/microservices';
import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventEnvelope } from '../events/event-envelope.js';

/** The request part of a message that expects a reply (`send`); absent for events (`emit`). */
export interface IggyRequestInfo {
  requestId: string;
  /** The reply topic. */
  replyTo: string;
  /** The requester's instance id, the partition key of its replies. */
  replyKey: string;
  /** When the requester stops waiting (ms since the epoch); `undefined` when it did not say. */
  deadline?: number;
}

export type IggyContextArgs = [
  message: ReceivedMessage,
  envelope: EventEnvelope,
  pattern: string,
  request: IggyRequestInfo | undefined,
];

/**
 * The context of an `@EventPattern`/`@MessagePattern` handler served by `IggyServer` (`@Ctx() ctx:
 * IggyContext`): where the message sits, its envelope and tenant, and the request it answers if any.
 */
export class IggyContext extends BaseRpcContext<IggyContextArgs> {
  constructor(args: IggyContextArgs) {
    super(args);
  }

  /** The message as received (payload bytes, every user header, offset, timestamp...). */
  getMessage(): ReceivedMessage {
    return this.args[0];
  }

  getStream(): string {
    return this.args[0].stream;
  }

  getTopic(): string {
    return this.args[0].topic;
  }

  /** 0-based partition. */
  getPartition(): number {
    return this.args[0].partition;
  }

  getOffset(): bigint {
    return this.args[0].offset;
  }

  /** When the server appended the message, µs since the epoch. */
  getTimestamp(): bigint {
    return this.args[0].timestamp;
  }

  /** The whole envelope (id, type, tenant, actor, correlation, headers, the decoded payload). */
  getEnvelope<T = unknown>(): EventEnvelope<T> {
    return this.args[1] as EventEnvelope<T>;
  }

  getTenantId(): string {
    return this.args[1].tenantId;
  }

  /** The envelope's event type (what the pattern matched). */
  getEventType(): string {
    return this.args[1].type;
  }

  /** The handler pattern that matched (`order.*` for a wildcard handler). */
  getPattern(): string {
    return this.args[2];
  }

  /** The envelope's own headers (`envelope.headers`). */
  getHeaders(): Record<string, string> {
    return this.args[1].headers;
  }

  /** Nest's packet metadata (set by a client's dispatch hook): the envelope's headers. */
  getMetadata(): Record<string, string> {
    return this.args[1].headers;
  }

  /** The request this message is, when it came from `send`; `undefined` for an event. */
  getRequest(): IggyRequestInfo | undefined {
    return this.args[3];
  }
}
