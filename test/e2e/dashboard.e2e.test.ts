import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Page } from 'puppeteer-core';
import { cleanUp, eventually, SampleAppProcess, tempDir } from '../support/app-process.js';
import { ensureBuilt, repoRoot } from '../support/build-once.js';
import { describeWithChromium, launchChromium } from '../support/chromium.js';
import { order } from './e2e-kit.js';

/** What the page shows, read from its `data-*` attributes (the figures' raw values). */
interface Shown {
  takenAt: string;
  status: string;
  kpi: Record<string, number | null>;
  /** `stream/topic/partition` → messages and bytes. */
  partitions: Record<string, { messages: number; sizeBytes: number }>;
  /** `stream/topic/group/partition` → lag. */
  groupLag: Record<string, number>;
  deadLetters: Record<string, { count: number; lastError: string }>;
  outbox: { pending: number | null; relayState: string | null };
}

/** `/streams` as the broker answers it (the parts compared). */
interface JsonStream {
  name: string;
  topics: {
    name: string;
    partitions: { id: number; messages_count: number; size_bytes: number }[];
    consumer_groups: { name: string; offsets: { partition_id: number; lag: number }[] }[];
  }[];
}

interface HealthBody {
  details: {
    iggy: { groups: { group: string; topic: string; partitions: { partition: number; lag: number }[] }[] };
  };
}

function read(page: Page): Promise<Shown> {
  return page.evaluate((): Shown => {
    const value = (el: Element | null): number | null => {
      const text = (el as HTMLElement | null)?.dataset.value;
      return text === undefined || text === '' ? null : Number(text);
    };
    const field = (row: Element, name: string): Element | null => row.querySelector(`[data-field="${name}"]`);
    const shown: Shown = {
      takenAt: document.getElementById('app')!.dataset.takenAt ?? '',
      status: document.getElementById('status')!.dataset.state ?? '',
      kpi: {},
      partitions: {},
      groupLag: {},
      deadLetters: {},
      outbox: { pending: null, relayState: null },
    };
    for (const el of document.querySelectorAll<HTMLElement>('[data-kpi]')) {
      shown.kpi[el.dataset.kpi!] = value(field(el, el.dataset.kpi!));
    }
    for (const row of document.querySelectorAll<HTMLElement>('tr[data-partition]')) {
      shown.partitions[row.dataset.partition!] = {
        messages: value(field(row, 'messages'))!,
        sizeBytes: value(field(row, 'sizeBytes'))!,
      };
    }
    for (const row of document.querySelectorAll<HTMLElement>('tr[data-group-partition]')) {
      shown.groupLag[row.dataset.groupPartition!] = value(field(row, 'lag'))!;
    }
    for (const row of document.querySelectorAll<HTMLElement>('tr[data-dead-letter]')) {
      shown.deadLetters[row.dataset.deadLetter!] = {
        count: value(field(row, 'count'))!,
        lastError: (field(row, 'lastError') as HTMLElement).dataset.value ?? '',
      };
    }
    const outbox = document.querySelector('[data-outbox]');
    if (outbox) {
      shown.outbox = {
        pending: value(field(outbox, 'pending')),
        relayState: field(outbox, 'relayState')?.textContent ?? null,
      };
    }
    return shown;
  });
}

/** `/streams` as `stream/topic/partition` → messages and bytes, and `stream/topic/group/partition` → lag. */
function flatten(streams: JsonStream[]) {
  const partitions: Shown['partitions'] = {};
  const groupLag: Shown['groupLag'] = {};
  for (const s of streams) {
    for (const t of s.topics) {
      for (const p of t.partitions) {
        partitions[`${s.name}/${t.name}/${p.id}`] = { messages: p.messages_count, sizeBytes: p.size_bytes };
      }
      for (const g of t.consumer_groups) {
        for (const o of g.offsets) groupLag[`${s.name}/${t.name}/${g.name}/${o.partition_id}`] = o.lag;
      }
    }
  }
  return { partitions, groupLag };
}

/** The app's own view of its handler groups' lag (`ConsumerGroupManager.lag()` in `/health`). */
function healthLag(body: HealthBody): Record<string, number> {
  const lag: Record<string, number> = {};
  for (const g of body.details.iggy.groups) {
    for (const p of g.partitions) lag[`shop/${g.topic}/${g.group}/${p.partition}`] = p.lag;
  }
  return lag;
}

/** Only the app's handler groups (the ones `/health` reports). */
function handlerGroupsOf(lag: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(lag).filter(([key]) => /\/(billing|notifications)\/\d+$/.test(key)),
  );
}

/** Throws, saying what differs, unless `shown` and `expected` hold the same keys and values. */
function expectSame(what: string, shown: Record<string, unknown>, expected: Record<string, unknown>): void {
  const differing = [...new Set([...Object.keys(shown), ...Object.keys(expected)])]
    .filter((key) => JSON.stringify(shown[key]) !== JSON.stringify(expected[key]))
    .map((key) => `${key}: page ${JSON.stringify(shown[key])}, expected ${JSON.stringify(expected[key])}`);
  if (differing.length > 0) throw new Error(`${what} differ: ${differing.slice(0, 5).join('; ')}`);
}

/** Throws with `text` unless `condition`. */
function check(condition: boolean, text: string): void {
  if (!condition) throw new Error(text);
}

/** Screenshots go to docs/ with UPDATE_SCREENSHOTS=1 (for the README), else to a temporary folder. */
function screenshotPath(name: string): `${string}.png` {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? join(repoRoot, 'docs') : tempDir('nestjs-iggy-shots-');
  mkdirSync(dir, { recursive: true });
  return join(dir, name) as `${string}.png`;
}

describeWithChromium('the dashboard in a real browser', () => {
  beforeAll(ensureBuilt, 180_000);
  afterAll(cleanUp);

  it("follows the sample app live: numbers move, and match /streams and the groups' lag", async () => {
    const app = await SampleAppProcess.start({
      IGGY_DATA_DIR: join(tempDir(), 'iggy'),
      IGGY_TCP_PORT: 'none',
      IGGY_HTTP_PORT: '0',
      IGGY_RETRY_ATTEMPTS: '2',
      IGGY_RETRY_INITIAL_DELAY_MS: '10',
      IGGY_RETRY_MAX_DELAY_MS: '20',
    });
    const broker = `http://127.0.0.1:${app.info.brokerHttp}`;
    const json = async <T>(url: string): Promise<T> => (await fetch(url)).json() as Promise<T>;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
      page.on('request', (request) => {
        if (!request.url().startsWith(`${broker}/`) && !request.url().startsWith('data:')) {
          problems.push(`request outside the broker: ${request.url()}`);
        }
      });
      await page.setViewport({ width: 1280, height: 900 });
      await page.goto(`${broker}/`);
      await page.waitForSelector('#status[data-state="live"]', { timeout: 10_000 });
      const before = await read(page);
      expect(Object.keys(before.partitions).some((key) => key.startsWith('shop/domain/'))).toBe(true);

      // Orders flow: five tenants, and one poison order billing dead-letters.
      let placed = 0;
      let flowing = true;
      expect((await app.post('/orders', order('acme', 'poison-1', { poison: true }))).status).toBe(201);
      const flow = (async () => {
        const tenants = ['acme', 'globex', 'initech', 'umbrella', 'hooli'];
        while (flowing) {
          const reply = await app.post('/orders', order(tenants[placed % 5]!, `order-${placed}`));
          expect(reply.status).toBe(201);
          placed++;
        }
      })();

      // The numbers move: more messages from one snapshot to the next, a throughput above 0.
      const moving = await eventually(
        'the page showing messages arriving',
        async () => {
          const shown = await read(page);
          return (
            (shown.kpi.messagesPerSecond ?? 0) > 0 && shown.kpi.messages! > before.kpi.messages! && shown
          );
        },
        15_000,
        200,
      );
      const later = await eventually(
        'a later snapshot with more messages',
        async () => {
          const shown = await read(page);
          return shown.takenAt !== moving.takenAt && shown.kpi.messages! > moving.kpi.messages! && shown;
        },
        10_000,
        200,
      );
      expect(later.status).toBe('live');
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // a few seconds of history for the sparkline
      await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });
      flowing = false;
      await flow;
      expect(placed).toBeGreaterThan(20);

      // A slow order holds billing on one partition: its lag stands still, and the page shows the same
      // lag as the broker (/streams) and the app's own groups (/health).
      expect((await app.post('/orders', order('slowpoke', 'slow-1', { processingMs: 6_000 }))).status).toBe(
        201,
      );
      for (let i = 2; i <= 4; i++)
        expect((await app.post('/orders', order('slowpoke', `slow-${i}`))).status).toBe(201);
      const held = await eventually(
        'billing held up, the same lag on the page, in /streams and in /health',
        async () => {
          const shown = await read(page);
          const onBroker = handlerGroupsOf(flatten(await json<JsonStream[]>(`${broker}/streams`)).groupLag);
          const inApp = healthLag(await json<HealthBody>(app.url('/health')));
          expectSame('page and /streams lag', handlerGroupsOf(shown.groupLag), onBroker);
          expectSame('/streams and /health lag', onBroker, inApp);
          const billing = Object.entries(onBroker).filter(([key]) => key.includes('/billing/'));
          return billing.some(([, lag]) => lag >= 3) && shown;
        },
        6_000,
        200,
      );
      expect(held.kpi.lag).toBeGreaterThanOrEqual(3);

      // Once everything is handled the page equals /streams figure for figure.
      await eventually(
        'the page and /streams equal, every group caught up, the dead letter and the outbox shown',
        async () => {
          const shown = await read(page);
          const onBroker = flatten(await json<JsonStream[]>(`${broker}/streams`));
          expectSame('partitions', shown.partitions, onBroker.partitions);
          expectSame('group lag', shown.groupLag, onBroker.groupLag);
          const totalMessages = Object.values(onBroker.partitions).reduce((n, p) => n + p.messages, 0);
          check(
            shown.kpi.messages === totalMessages,
            `messages ${shown.kpi.messages}, expected ${totalMessages}`,
          );
          check(shown.kpi.lag === 0, `lag ${shown.kpi.lag}`);
          check(
            shown.deadLetters['billing/order.created']?.count === 1,
            `dead letters ${JSON.stringify(shown.deadLetters)}`,
          );
          check(shown.outbox.pending === 0, `outbox ${JSON.stringify(shown.outbox)}`);
          return true;
        },
        20_000,
        250,
      );
      const settled = await read(page);
      expect(settled.deadLetters['billing/order.created']!.lastError).toContain(
        'rejected poison order poison-1',
      );
      expect(settled.kpi.deadLetters).toBe(1);
      expect(settled.outbox.relayState).toMatch(/^relay (active|idle)$/);
      expect(settled.kpi.messages).toBeGreaterThanOrEqual(2 * (placed + 5)); // orders and their invoices

      // On a phone: one column, nothing wider than the screen.
      await page.setViewport({
        width: 390,
        height: 844,
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
      });
      await page.waitForFunction(() => document.documentElement.scrollWidth <= window.innerWidth, {
        timeout: 5_000,
      });
      await page.screenshot({ path: screenshotPath('dashboard-phone.png') });

      // The app serves the same view on its own port (for remote-mode apps, the only one).
      const mounted = await browser.newPage();
      await mounted.goto(app.url('/iggy'));
      await mounted.waitForSelector('#status[data-state="live"]', { timeout: 10_000 });
      expect((await read(mounted)).partitions).toEqual(settled.partitions);
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
      await app.stop();
    }
  }, 90_000);
});
