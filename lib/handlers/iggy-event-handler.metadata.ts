/** Metadata key of `@IggyEventHandler`. */
export const IGGY_EVENT_HANDLER_METADATA = 'nestjs-iggy:event-handler';
