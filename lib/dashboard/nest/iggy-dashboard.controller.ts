import { Controller, Get, Inject, Req, Res, type Type } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardFile, DashboardHttp } from '../dashboard-http.js';
import { IGGY_DASHBOARD_HTTP } from './iggy-dashboard.constants.js';

/** Express hands Node's request and response (extended); Fastify wraps them (`raw`). */
type Wrapped<T> = T & { raw?: T; originalUrl?: string };

/**
 * The dashboard's controller at `path` (a class per mount: Nest reads a controller's path from its
 * decorator). Each route hands Node's request and response to `DashboardHttp`.
 */
export function createDashboardController(path: string): Type<unknown> {
  @Controller(path)
  class IggyDashboardController {
    constructor(@Inject(IGGY_DASHBOARD_HTTP) private readonly http: DashboardHttp) {}

    @Get()
    page(@Req() req: Wrapped<IncomingMessage>, @Res() res: Wrapped<ServerResponse>): Promise<void> {
      return this.serve(req, res, '');
    }

    @Get('dashboard.js')
    script(@Req() req: Wrapped<IncomingMessage>, @Res() res: Wrapped<ServerResponse>): Promise<void> {
      return this.serve(req, res, '/dashboard.js');
    }

    @Get('dashboard.css')
    style(@Req() req: Wrapped<IncomingMessage>, @Res() res: Wrapped<ServerResponse>): Promise<void> {
      return this.serve(req, res, '/dashboard.css');
    }

    @Get('snapshot')
    snapshot(@Req() req: Wrapped<IncomingMessage>, @Res() res: Wrapped<ServerResponse>): Promise<void> {
      return this.serve(req, res, '/snapshot');
    }

    @Get('events')
    events(@Req() req: Wrapped<IncomingMessage>, @Res() res: Wrapped<ServerResponse>): Promise<void> {
      return this.serve(req, res, '/events');
    }

    /** The mount's path as the browser sees it (global prefix included) is the request's, less the file. */
    private serve(
      req: Wrapped<IncomingMessage>,
      res: Wrapped<ServerResponse>,
      file: DashboardFile,
    ): Promise<void> {
      const request = req.raw ?? req;
      const url = req.originalUrl ?? request.url ?? '/';
      const path = new URL(url, 'http://x').pathname.replace(/\/+$/, '');
      const base = path.slice(0, path.length - file.length);
      return this.http.serve(request, res.raw ?? res, base, file);
    }
  }
  return IggyDashboardController;
}
