/**
 * Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core (which never downloads a browser), with a fresh profile per launch.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** The browser tests skip (only) when Chromium is not installed; `scripts/setup.sh` installs it. */
export const hasChromium = existsSync(CHROMIUM);

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface Chromium {
  context: BrowserContext;
  /** A new page that records console errors and uncaught exceptions. */
  newPage(): Promise<Page & { problems: string[] }>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  // A fresh profile: nothing cached or remembered between runs.
  const profile = mkdtempSync(join(tmpdir(), "vzarr-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async newPage() {
      const page = (await context.newPage()) as Page & { problems: string[] };
      // Everything here is local and small: fail fast instead of waiting out vitest's timeout.
      page.setDefaultTimeout(15_000);
      page.problems = [];
      page.on("pageerror", (e) => page.problems.push(`pageerror: ${e.message}`));
      page.on("console", (m) => {
        if (m.type() === "error") page.problems.push(`console: ${m.text()}`);
      });
      return page;
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
