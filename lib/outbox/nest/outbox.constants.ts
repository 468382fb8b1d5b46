/** The resolved `IggyOutboxOptions`. */
export const IGGY_OUTBOX_OPTIONS = Symbol('IGGY_OUTBOX_OPTIONS');
/** The `OutboxStore` (schema ensured when `ensureSchema` is on). */
export const IGGY_OUTBOX_STORE = Symbol('IGGY_OUTBOX_STORE');
