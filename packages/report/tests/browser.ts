// Headless Chromium for the browser tests, through playwright-core: a fresh profile per launch,
// every request that is not the report's own file refused (and remembered, so a test can say
// the page fetched nothing).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../src/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export const chromiumMissing: string | undefined = fs.existsSync(CHROMIUM_PATH)
  ? undefined
  : `${CHROMIUM_PATH} not found; install it with: apt-get install -y chromium`;

/** Screenshots and PDFs of the tests (gitignored). */
export const ARTIFACTS = path.join(__dirname, '..', 'test-artifacts');

export interface Browser {
  readonly context: BrowserContext;
  /** URLs the pages asked for other than their own file. */
  readonly refused: string[];
  /** Uncaught errors of the pages' scripts. */
  readonly errors: string[];
  /** Writes the HTML to a file and opens it from disk. */
  open(html: string, viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-report-chromium-'));
  const pages = fs.mkdtempSync(path.join(os.tmpdir(), 'epl-report-pages-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS] });
  const refused: string[] = [];
  const errors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`file://${pages}/`)) return route.continue();
    refused.push(url);
    return route.abort();
  });
  let n = 0;
  return {
    context,
    refused,
    errors,
    async open(html, viewport = { width: 1400, height: 1000 }) {
      const file = path.join(pages, `report-${++n}.html`);
      fs.writeFileSync(file, html);
      const page = await context.newPage();
      await page.setViewportSize(viewport);
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`file://${file}`);
      return page;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(pages, { recursive: true, force: true });
    },
  };
}
