import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { BrokerLogger } from '../broker-config.js';
import type { BrokerOverview } from '../broker-inspection.js';
import type { Broker } from '../broker.js';
import { listenOn, type ListenAddress } from '../listen.js';
import { SystemStats } from '../state/system-stats.js';
import { DashboardAccess, DashboardFeed, DashboardHttp, DASHBOARD_FILES } from '../../dashboard/index.js';
import { BrokerDashboardSource } from './broker-dashboard-source.js';
import { BrokerMetrics } from './broker-metrics.js';
import { brokerUserCheck } from './broker-user-check.js';
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
}

export const HttpServerDefaults = { host: '127.0.0.1', port: 3000 } as const;

/** Where the dashboard's files and data live (its page is `/` too). */
export const BROKER_DASHBOARD_PATH = '/dashboard';

type Route = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * A read-only HTTP face of the broker (no authentication but the dashboard's: keep it on loopback):
 * - `GET /` → the live dashboard (`DashboardHttp`; its files, snapshot JSON and feed under
 *   `/dashboard/`), open on loopback, behind the broker's users on any other address;
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
  private bound: ListenAddress | null = null;

  constructor(
    private readonly broker: Broker,
    private readonly options: HttpServerOptions = {},
  ) {
    this.metrics = options.metrics ?? new BrokerMetrics(broker);
    this.stats = new SystemStats(broker.config.serverVersion);
    this.logger = options.logger ?? broker.config.logger;
    const host = options.host ?? HttpServerDefaults.host;
    this.dashboard = new DashboardHttp(
      new DashboardFeed(new BrokerDashboardSource(broker)),
      new DashboardAccess({ boundHost: () => host, users: brokerUserCheck(broker) }),
    );
    const dashboardRoute =
      (file: (typeof DASHBOARD_FILES)[number]): Route =>
      (req, res) =>
        this.dashboard.serve(req, res, BROKER_DASHBOARD_PATH, file);
    this.routes = new Map<string, Route>([
      ['/', dashboardRoute('')],
      ...DASHBOARD_FILES.map((file): [string, Route] => [BROKER_DASHBOARD_PATH + file, dashboardRoute(file)]),
      ['/ping', (_req, res) => send(res, 200, 'text/plain; charset=utf-8', 'pong')],
      ['/stats', (_req, res) => sendJson(res, this.serverStats())],
      ['/streams', (_req, res) => sendJson(res, this.broker.inspect().streams)],
      [
        '/metrics',
        async (_req, res) => send(res, 200, this.metrics.contentType, await this.metrics.render()),
      ],
    ]);
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
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '') || '/';
    const route = this.routes.get(path);
    if (!route) {
      sendJson(res, { error: `no route ${path}` }, 404);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, { error: `${req.method} is not allowed on ${path}` }, 405);
      return;
    }
    try {
      await route(req, res);
    } catch (error) {
      this.logger.error(
        `HTTP ${path}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) sendJson(res, { error: 'internal error' }, 500);
      else res.destroy();
    }
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
