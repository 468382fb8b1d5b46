import type { ReceivedMessage } from '../connectors/message-subscriber.js';
import type { EventMeta } from '../events/envelope-headers.js';
import type { EventEnvelope } from '../events/event-envelope.js';
import { HeaderKind, type HeaderEntry } from '../protocol/primitives/user-headers.js';
import { IggyReplyHeader } from './consumer.constants.js';
import type { SkipReason } from './consumer-observer.js';
import type { IggyRequestInfo } from './iggy.context.js';
import type { Route } from './route-table.js';

/**
 * One message on its way through the dispatcher: what its headers said (read once), the handlers it
 * goes to, its decoded envelope, and how many of them succeeded so far (kept across the tries of a
 * message whose handling failed: a later try calls only the rest).
 */
export class Delivery {
  meta: EventMeta | undefined;
  request: IggyRequestInfo | undefined;
  envelope: EventEnvelope | undefined;
  /** Set once routed: the handlers to call, in order. */
  targets: readonly Route[] | undefined;
  /** Handlers of `targets` that succeeded (a prefix: they run one after the other). */
  done = 0;
  /** The handler a redriven event is meant for. */
  redriveHandler: string | undefined;
  /** Whether the idempotency guard records the event id once the handlers succeeded. */
  recordId = false;
  /** Why no handler of the group took it (when dispatched as `skipped` or `dropped`). */
  skipped: SkipReason | undefined;

  constructor(readonly message: ReceivedMessage) {}
}

/**
 * The request part of a message's headers (`reply_to`, `reply_key`, `request_id`, `reply_deadline`), from
 * the entries `readEventMeta` left aside; `undefined` for an event. A later duplicate wins.
 */
export function readRequestInfo(entries: readonly HeaderEntry[]): IggyRequestInfo | undefined {
  let requestId: string | undefined;
  let replyTo: string | undefined;
  let replyKey: string | undefined;
  let deadline: string | undefined;
  for (const { key, value } of entries) {
    if (key.kind !== HeaderKind.String) continue;
    const text = value.kind === HeaderKind.String && value.value.length > 0 ? value.value : undefined;
    switch (key.value) {
      case IggyReplyHeader.requestId:
        requestId = text;
        break;
      case IggyReplyHeader.replyTo:
        replyTo = text;
        break;
      case IggyReplyHeader.replyKey:
        replyKey = text;
        break;
      case IggyReplyHeader.deadline:
        deadline = text;
    }
  }
  if (!requestId || !replyTo || !replyKey) return undefined;
  const info: IggyRequestInfo = { requestId, replyTo, replyKey };
  const ms = Number(deadline);
  if (deadline !== undefined && Number.isSafeInteger(ms)) info.deadline = ms;
  return info;
}
