import type { CreateEnvelopeInput } from '../events/event-envelope.js';

/** Envelope fields a publisher may set; the type comes from the pattern and the payload from `data`. */
export type IggyRecordOptions = Partial<Omit<CreateEnvelopeInput<unknown>, 'type' | 'payload'>>;

/**
 * Data with its envelope metadata, for `IggyClientProxy.emit/send` when the payload has no `tenantId` or
 * more must be set (actor, correlation, causation, headers, id, version):
 * `client.emit('order.created', new IggyRecord(order, { tenantId: 'acme', actorId: 'u-1' }))`.
 * The handler receives `payload`; the metadata is on the `IggyContext`.
 */
export class IggyRecord<T = unknown> {
  constructor(
    readonly payload: T,
    readonly options: IggyRecordOptions = {},
  ) {}
}
