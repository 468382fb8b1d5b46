/** The connected `IggyConnector` (connected on module init, topology ensured). */
export const IGGY_CONNECTOR = Symbol('IGGY_CONNECTOR');
/** The resolved, validated `IggyModuleOptions` (defaults filled in). */
export const IGGY_OPTIONS = Symbol('IGGY_OPTIONS');
/** The `IggyClientProxy` (also injectable by class). */
export const IGGY_CLIENT = 'IGGY_CLIENT';
/** Metadata key of `@IggyEventHandler`. */
export const IGGY_EVENT_HANDLER_METADATA = 'nestjs-iggy:event-handler';
