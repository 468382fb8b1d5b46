import { Inject, Injectable } from '@nestjs/common';
import type { IggyConnector } from '../connectors/iggy-connector.js';
import { envelopeToMessage } from '../events/envelope-message.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { JsonSerializer } from '../events/json-serializer.js';
import type { DeadLetterSink, FailedMessage } from '../consumer/dead-letter-sink.js';
import {
  resolveHandlerSettings,
  type DlqOptions,
  type HandlerSettingsInput,
} from '../handlers/handler-settings.js';
import { IGGY_CONNECTOR, IGGY_OPTIONS } from '../consumer/iggy.tokens.js';
import { deadLetterEnvelope } from './dead-letter.js';
import { DEFAULT_STREAM_NAME } from '../connectors/connector-config.js';

/** Writing a dead letter failed: the failed message must stay uncommitted (it is handled again later). */
export class DeadLetterWriteError extends Error {
  override readonly name = 'DeadLetterWriteError';

  constructor(
    readonly entry: Pick<FailedMessage, 'group' | 'handler' | 'message'>,
    readonly handlerError: unknown,
    cause: unknown,
  ) {
    const { stream, topic, partition, offset } = entry.message;
    super(
      `could not write the dead letter of ${stream}/${topic} partition ${partition} offset ${offset} ` +
        `(group '${entry.group}', ${entry.handler}): ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

/**
 * Writes dead letters to the DLQ topic (`dlq.topic`, in the connector's stream) as `iggy.dead_letter`
 * envelopes (JSON), keyed by the failed event's tenant. Used by the DLQ interceptor and, as the
 * handlers' `DeadLetterSink`, for messages no handler could be given.
 */
@Injectable()
export class DeadLetterWriter implements DeadLetterSink {
  private readonly dlq: DlqOptions;
  private readonly serializer = new JsonSerializer();

  constructor(
    @Inject(IGGY_CONNECTOR) private readonly connector: IggyConnector,
    @Inject(IGGY_OPTIONS) options: HandlerSettingsInput,
  ) {
    this.dlq = resolveHandlerSettings(options).dlq;
  }

  get enabled(): boolean {
    return this.dlq.enabled;
  }

  /** The stream and topic dead letters go to. */
  get target(): { stream: string; topic: string } {
    return { stream: this.connector.config?.streamName ?? DEFAULT_STREAM_NAME, topic: this.dlq.topic };
  }

  /** Writes the dead letter; resolves its id. Throws `DeadLetterWriteError`. */
  async deadLetter(entry: FailedMessage): Promise<string> {
    let envelope: EventEnvelope;
    try {
      envelope = deadLetterEnvelope(entry);
      await this.publish(envelope);
    } catch (error) {
      throw new DeadLetterWriteError(entry, entry.error, error);
    }
    return envelope.id;
  }

  /** Publishes an envelope (a dead letter or a resolution marker) to the DLQ topic. */
  async publish(envelope: EventEnvelope): Promise<void> {
    await this.connector.publish(envelopeToMessage(envelope, this.serializer, this.target));
  }
}
