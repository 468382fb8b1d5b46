/*
 * The README's "Live dashboard" example as real code, booted on an in-memory embedded broker. Keep it in
 * step with its README counterpart (the README imports from 'nestjs-iggy' and gives no embedded options).
 */
import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IggyDashboardModule, IggyModule, type DashboardSnapshot } from '../../../lib/index.js';
import { memoryConfig } from '../module/iggy-test-kit.js';

// README: "Live dashboard"
@Module({
  imports: [
    IggyModule.forRoot(memoryConfig({ streamName: 'shop' })),
    IggyDashboardModule.forRoot({ path: 'iggy', token: process.env.IGGY_DASHBOARD_TOKEN }),
  ],
})
export class DashboardAppModule {} // the page: GET /iggy (under any global prefix)

describe('README: Live dashboard', () => {
  it('serves the page at /iggy and its snapshot, under a global prefix too', async () => {
    const app = await NestFactory.create(DashboardAppModule, { logger: false });
    app.setGlobalPrefix('ops');
    await app.listen(0, '127.0.0.1');
    try {
      const { port } = app.getHttpServer().address() as { port: number };
      const page = await fetch(`http://127.0.0.1:${port}/ops/iggy`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('src="/ops/iggy/dashboard.js"');
      const snapshot = (await (
        await fetch(`http://127.0.0.1:${port}/ops/iggy/snapshot`)
      ).json()) as DashboardSnapshot;
      expect(snapshot.streams.map((s) => s.name)).toEqual(['shop']);
    } finally {
      await app.close();
    }
  });
});
