import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.TALLY_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '..', 'screenshots');

/** Whether the browser tests can run; when not, says so loudly (and CI must fail, not skip). */
export function chromiumMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `BROWSER TESTS NOT RUN: no Chromium at ${CHROMIUM} (apt-get install chromium, or set TALLY_CHROMIUM)`;
  console.error(`\n${'!'.repeat(why.length)}\n${why}\n${'!'.repeat(why.length)}\n`);
  return why;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 15_000,
  });
}

/** A full-page screenshot under test/e2e/screenshots/ (gitignored) for a reviewer to look at. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Reloads (or re-runs) until read() gives the expected value; bounded. */
export async function until<T>(what: string, read: () => Promise<T>, expected: T, ms = 20_000, refresh?: () => Promise<unknown>): Promise<void> {
  const end = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (last === expected) return;
    } catch {
      // the page is (re)loading
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: expected ${String(expected)}, last ${String(last)}`);
    await new Promise((r) => setTimeout(r, 300));
    if (refresh) await refresh();
  }
}
