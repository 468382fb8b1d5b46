/** How `IggyDashboardModule` serves the dashboard in an application. */
export interface IggyDashboardOptions {
  /** Where the dashboard is mounted in the app (default `iggy`: `GET /iggy`, under any global prefix). */
  path?: string;
  /**
   * A token the dashboard accepts (`Authorization: Bearer <token>`, or `?token=<token>` in the page's
   * URL). Off loopback the dashboard needs credentials: this token, or, on the embedded broker, one of
   * its users (Basic user:password, or a Bearer personal access token).
   */
  token?: string;
  /** Host names besides loopback ones an open (loopback) dashboard answers to. */
  allowedHosts?: string[];
  /** Ask for credentials on loopback too: set it when a reverse proxy in front makes loopback public. */
  alwaysRequireCredentials?: boolean;
  /** How often the page gets a new snapshot, in ms (default 1000). */
  refreshMs?: number;
  /**
   * Show the application's view (its groups' counters, dead letters, outbox) on the embedded broker's
   * HTTP listener too (`/`, when `embedded.httpPort` is set). Default true.
   */
  brokerListener?: boolean;
}
