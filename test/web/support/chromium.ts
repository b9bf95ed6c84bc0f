import type { Context } from 'mocha';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { requireSystemTool } from '../../support/system-tools';

/** Debian's Chromium, driven by playwright-core (no browser is downloaded), with a fresh profile per run. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export interface Chromium {
  context: BrowserContext;
  /** Uncaught page errors and Content Security Policy violations: a test ends by expecting none. */
  problems: string[];
  close(): Promise<void>;
}

export async function launchChromium(ctx: Context, viewport = { width: 1100, height: 800 }): Promise<Chromium> {
  requireSystemTool(ctx, existsSync(CHROMIUM), CHROMIUM, 'chromium');
  const profile = mkdtempSync(path.join(os.tmpdir(), 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    headless: true,
    viewport,
  });
  const problems: string[] = [];
  context.on('page', (page) => {
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A 4xx answer is logged as an error too, and is expected (an execution that has not started answers 404).
      if (/Content Security Policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
  });
  return {
    context,
    problems,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** UPDATE_SCREENSHOTS=1 writes docs/screenshots/<name>.png. */
export function screenshotPath(name: string): string | undefined {
  return process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '../../../docs/screenshots', `${name}.png`)
    : undefined;
}
