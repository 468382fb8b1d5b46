import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { BrokerLogger } from '../broker-config.js';
import type { BrokerOverview } from '../broker-inspection.js';
import type { Broker } from '../broker.js';
import { listenOn, type ListenAddress } from '../listen.js';
import { SystemStats } from '../commands/system-stats.js';
import { DashboardFeed, DashboardHttp, DASHBOARD_FILES, type DashboardFile } from '../../dashboard/index.js';
import { BrokerDashboardSource } from './broker-dashboard-source.js';
import { BrokerMetrics } from './broker-metrics.js';
import { HttpAccess, parseAuthorization, type Denial, type RouteRight } from './http-access.js';
import { JwtIssuer } from './rest/jwt-issuer.js';
import { IggyRestApi } from './rest/rest-api.js';
import { toJson } from './json.js';

/** How the broker's HTTP stats API runs. */
export interface HttpServerOptions {
  /** Default 127.0.0.1 (loopback only). */
  host?: string;
  /** Default 3000 (the real server's); 0 picks a free port. */
  port?: number;
  /** Metrics to expose on /metrics (default: a new `BrokerMetrics` of the broker). */
  metrics?: BrokerMetrics;
  /** Default: the broker's logger. */
  logger?: BrokerLogger;
  /** More names the `Host` header may carry besides loopback names and the bound address. */
  allowedHosts?: readonly string[];
}

export const HttpServerDefaults = { host: '127.0.0.1', port: 3000 } as const;

/** Where the dashboard's files and data live (its page is `/` too; the real server has no such path). */
export const BROKER_DASHBOARD_PATH = '/dashboard';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
interface Route {
  right: RouteRight;
  handle: Handler;
  /** The dashboard's page, files and data: a token may come in the URL (`?token=`, for `EventSource`). */
  dashboard?: true;
}

/** Routes that are never the API's, whatever the token (the real server's open ones, and the dashboard's). */
const OWN_PATHS = new Set([
  '/ping',
  '/metrics',
  ...DASHBOARD_FILES.map((file) => BROKER_DASHBOARD_PATH + file),
  '/',
]);

/**
 * The broker's HTTP listener, behind `HttpAccess` (the Host header checked for every request): Iggy's HTTP
 * API (`IggyRestApi`: the real server's routes and answers, JWT logins; a request without a valid token
 * is a 401 before any route is looked up, as there) and beside it a read-only dashboard. `/streams` and
 * `/stats` are both: a GET with the API's JWT is the API's, any other GET the dashboard's. The dashboard
 * needs credentials off loopback (see `HttpAccess`):
 * - `GET /` → the live dashboard (`DashboardHttp`; its files, snapshot JSON and feed under `/dashboard/`),
 *   needing the read-streams right;
 * - `GET /ping` → `pong`;
 * - `GET /stats` → server statistics (the GetStats record) as JSON;
 * - `GET /streams` → streams with their topics, partitions (offsets, sizes, segments) and consumer groups
 *   (members, stored offsets and lag per partition) as JSON;
 * - `GET /metrics` → Prometheus text.
 * JSON uses snake_case keys and writes u64 values as exact numbers (see `toJson`).
 */
export class BrokerHttpServer {
  readonly metrics: BrokerMetrics;
  /** The dashboard (an application may give its feed a richer source: `dashboard.feed.useSource`). */
  readonly dashboard: DashboardHttp;
  private readonly server: http.Server;
  private readonly stats: SystemStats;
  private readonly logger: BrokerLogger;
  private readonly routes: ReadonlyMap<string, Route>;
  private readonly api: IggyRestApi;
  private readonly access: HttpAccess;
  private bound: ListenAddress | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly options: HttpServerOptions = {},
  ) {
    this.metrics = options.metrics ?? new BrokerMetrics(broker);
    this.stats = new SystemStats(broker.config.serverVersion);
    this.logger = options.logger ?? broker.config.logger;
    const jwt = new JwtIssuer();
    this.access = new HttpAccess(broker, {
      host: options.host ?? HttpServerDefaults.host,
      allowedHosts: options.allowedHosts,
      jwt,
    });
    this.dashboard = new DashboardHttp(new DashboardFeed(new BrokerDashboardSource(broker)), null);
    const route = (right: RouteRight, handle: Handler): Route => ({ right, handle });
    const dashboardRoute = (file: DashboardFile): Route => ({
      right: 'readStreams',
      handle: (req, res) => this.dashboard.serve(req, res, BROKER_DASHBOARD_PATH, file),
      dashboard: true,
    });
    this.routes = new Map<string, Route>([
      ['/', dashboardRoute('')],
      ...DASHBOARD_FILES.map((file): [string, Route] => [BROKER_DASHBOARD_PATH + file, dashboardRoute(file)]),
      ['/ping', route('none', (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'pong'))],
      ['/stats', route('readServers', (_req, res) => sendJson(res, this.serverStats()))],
      ['/streams', route('readStreams', (_req, res) => sendJson(res, this.broker.inspect().streams))],
      [
        '/metrics',
        route('readServers', async (_req, res) =>
          send(res, 200, this.metrics.contentType, await this.metrics.render()),
        ),
      ],
    ]);
    this.api = new IggyRestApi(broker, jwt);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('error', (error) => this.logger.error(`HTTP server: ${error.message}`));
  }

  /** Binds and starts serving; resolves with the bound address (the real port when 0 was asked). */
  async listen(): Promise<ListenAddress> {
    const host = this.options.host ?? HttpServerDefaults.host;
    const port = this.options.port ?? HttpServerDefaults.port;
    this.bound = await listenOn(this.server, 'http', host, port);
    return this.bound;
  }

  get address(): ListenAddress {
    if (!this.bound) throw new Error('the HTTP server is not listening');
    return this.bound;
  }

  /** Stops accepting and closes every connection (requests are short; nothing is left to finish). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.dashboard.close();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [rawPath, rawQuery] = (req.url ?? '/').split('?', 2);
    const path = rawPath!.replace(/\/+$/, '') || '/';
    const route = this.routes.get(path);
    const read = req.method === 'GET' || req.method === 'HEAD';
    const dashboard =
      route &&
      (OWN_PATHS.has(path) || (read && parseAuthorization(req.headers.authorization)?.kind !== 'jwt'));
    try {
      const urlToken = route?.dashboard ? new URLSearchParams(rawQuery ?? '').get('token') : null;
      const denied = await this.access.check(req, dashboard && read ? route.right : 'none', urlToken);
      if (denied) return this.deny(res, denied);
      if (!dashboard) return await this.api.handle(req, res, path, new URLSearchParams(rawQuery ?? ''));
      if (!read) {
        res.setHeader('Allow', 'GET, HEAD');
        return sendJson(res, { error: `${req.method} is not allowed on ${path}` }, 405);
      }
      await route.handle(req, res);
    } catch (error) {
      this.logger.error(
        `HTTP ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) sendJson(res, { error: 'internal error' }, 500);
      else res.destroy();
    }
  }

  private deny(res: ServerResponse, denied: Denial): void {
    for (const [name, value] of Object.entries(denied.headers ?? {})) res.setHeader(name, value);
    sendJson(res, { error: denied.error }, denied.status);
  }

  private serverStats(): unknown {
    const o = this.broker.inspect();
    return this.stats.collect({
      ...countsOf(o),
      clientsCount: o.clientsCount,
      readBytes: o.readBytes,
      writtenBytes: o.writtenBytes,
    });
  }
}

function countsOf(o: BrokerOverview) {
  let topicsCount = 0;
  let partitionsCount = 0;
  let segmentsCount = 0;
  let consumerGroupsCount = 0;
  let messagesCount = 0n;
  let messagesSizeBytes = 0n;
  for (const s of o.streams) {
    for (const t of s.topics) {
      topicsCount++;
      consumerGroupsCount += t.consumerGroups.length;
      for (const p of t.partitions) {
        partitionsCount++;
        segmentsCount += p.segmentsCount;
        messagesCount += p.messagesCount;
        messagesSizeBytes += p.sizeBytes;
      }
    }
  }
  return {
    streamsCount: o.streams.length,
    topicsCount,
    partitionsCount,
    segmentsCount,
    consumerGroupsCount,
    messagesCount,
    messagesSizeBytes,
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  send(res, status, 'application/json', toJson(value));
}
