import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardFeed } from './dashboard-feed.js';
import { dashboardClient, type DashboardClientConfig } from './page/dashboard-client.js';
import { dashboardPage } from './page/dashboard-page.js';
import { DASHBOARD_CSS } from './page/dashboard-style.js';

/** The dashboard's own paths, under its base. */
export const DASHBOARD_FILES = ['', '/dashboard.js', '/dashboard.css', '/snapshot', '/events'] as const;
export type DashboardFile = (typeof DASHBOARD_FILES)[number];

/** Nothing is loaded from anywhere but the dashboard itself; no inline script or style. */
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** What guards the dashboard where its listener has no gate of its own: null lets the request on. */
export interface DashboardGate {
  check(
    req: IncomingMessage,
  ): Promise<{ status: number; error: string; headers?: Record<string, string> } | null>;
}

/** A slow page whose unsent events pass this is skipped until it catches up (memory stays bounded). */
const MAX_UNSENT_BYTES = 1024 * 1024;

/**
 * Serves the dashboard on plain `node:http` requests (the broker's listener, or an app's through its
 * controller): the page, its script and style sheet, the snapshot as JSON and the server-sent feed of
 * snapshots, each behind `access` when there is one (else behind the listener's own gate).
 */
export class DashboardHttp {
  private readonly streams = new Set<ServerResponse>();

  constructor(
    readonly feed: DashboardFeed,
    private readonly access: DashboardGate | null,
  ) {}

  /**
   * Answers a request for `file` of the dashboard mounted at `base` (`/dashboard`, `/ops/iggy`, ...,
   * as the browser sees it).
   */
  async serve(req: IncomingMessage, res: ServerResponse, base: string, file: DashboardFile): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendJson(res, 405, { error: `${req.method} is not allowed here` });
      return;
    }
    const denied = await this.access?.check(req);
    if (denied) {
      for (const [name, value] of Object.entries(denied.headers ?? {})) res.setHeader(name, value);
      sendJson(res, denied.status, { error: denied.error });
      return;
    }
    const query = tokenQuery(req);
    switch (file) {
      case '':
        send(res, 200, 'text/html; charset=utf-8', dashboardPage({ base, query }));
        return;
      case '/dashboard.js':
        send(
          res,
          200,
          'text/javascript; charset=utf-8',
          clientScript({ base, query, refreshMs: this.feed.intervalMs }),
        );
        return;
      case '/dashboard.css':
        send(res, 200, 'text/css; charset=utf-8', DASHBOARD_CSS);
        return;
      case '/snapshot':
        try {
          send(res, 200, 'application/json', await this.feed.current());
        } catch (error) {
          sendJson(res, 503, { error: error instanceof Error ? error.message : String(error) });
        }
        return;
      case '/events':
        this.follow(req, res);
        return;
    }
  }

  /** Ends every open feed (before the listener closes: an open feed would keep it waiting). */
  close(): void {
    for (const res of this.streams) res.end();
    this.streams.clear();
    this.feed.close();
  }

  private follow(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    res.write('retry: 3000\n\n');
    this.streams.add(res);
    const write = (text: string): void => {
      if (!res.writableEnded && !res.destroyed && res.writableLength < MAX_UNSENT_BYTES) res.write(text);
    };
    const unsubscribe = this.feed.subscribe({
      snapshot: (json) => write(`data: ${json}\n\n`),
      problem: (error) => write(`event: problem\ndata: ${JSON.stringify({ error })}\n\n`),
    });
    res.on('close', () => {
      unsubscribe();
      this.streams.delete(res);
    });
  }
}

/** The script as served: the client function's source, called with its config. */
function clientScript(config: DashboardClientConfig): string {
  return `(${dashboardClient.toString()})(${JSON.stringify(config)});\n`;
}

/** `?token=...` when the request carried its token in the URL (the page's requests repeat it). */
function tokenQuery(req: IncomingMessage): string {
  const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return token ? `?token=${encodeURIComponent(token)}` : '';
}

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(res.req?.method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}
