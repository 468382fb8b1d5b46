import { existsSync } from 'node:fs';
import { describe, it } from '@jest/globals';
import puppeteer, { type Browser } from 'puppeteer-core';
import { tempDir } from './app-process.js';

/** Debian's Chromium (`apt-get install chromium`), or the one `CHROMIUM` names. */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * `describe` for suites that drive a real browser: without Chromium they fail in CI (`CI=true`) and are
 * skipped locally, with a message saying why.
 */
export function describeWithChromium(name: string, body: () => void): void {
  if (existsSync(CHROMIUM)) {
    describe(name, body);
    return;
  }
  const why = `Chromium is not installed (no ${CHROMIUM})`;
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${why}: .ci/run installs it with apt-get install -y chromium`);
      });
    });
    return;
  }
  console.warn(`skipping '${name}': ${why}`);
  describe.skip(name, body);
}

/** Headless Chromium with a fresh profile, reaching nothing but the pages it is sent to. */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--user-data-dir=${tempDir('nestjs-iggy-chromium-')}`,
    ],
  });
}
