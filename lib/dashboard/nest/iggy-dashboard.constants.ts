/** The `IggyDashboardOptions` given to `IggyDashboardModule.forRoot`. */
export const IGGY_DASHBOARD_OPTIONS = Symbol('IGGY_DASHBOARD_OPTIONS');
/** The application's `DashboardSource` (`AppDashboardSource`). */
export const IGGY_DASHBOARD_SOURCE = Symbol('IGGY_DASHBOARD_SOURCE');
/** The `DashboardHttp` the controller serves. */
export const IGGY_DASHBOARD_HTTP = Symbol('IGGY_DASHBOARD_HTTP');
