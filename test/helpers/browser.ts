import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { missingPrerequisite } from './prerequisite';

/** Debian's Chromium (package `chromium`): test tools cannot download browsers here. */
export const CHROMIUM = '/usr/bin/chromium';

/** `describe` for the browser test; fails when Chromium is not installed. */
export function describeWithChromium(): jest.Describe {
  if (!existsSync(CHROMIUM)) missingPrerequisite(`${CHROMIUM} (for the browser test of /docs)`, 'apt-get install chromium');
  return describe;
}

export interface Browser {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile; safe to call twice. */
  close(): Promise<void>;
}

// Headless, and quiet: without the background-networking flags Chromium tries to reach
// Google's services at start, which this machine's closed network refuses.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium with a new, empty profile (user data dir). */
export async function launchChromium(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      timeout: 30_000,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    context,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}
