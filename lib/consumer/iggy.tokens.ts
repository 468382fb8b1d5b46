/** The connected `IggyConnector` (connected on module init, topology ensured). */
export const IGGY_CONNECTOR = Symbol('IGGY_CONNECTOR');
/** The resolved, validated `IggyModuleOptions` (defaults filled in). */
export const IGGY_OPTIONS = Symbol('IGGY_OPTIONS');
