// Chromium for browser tests and the canvas benchmark: Debian's binary driven by playwright-core
// (which never downloads a browser). `npm test` and `npm run bench` set CHROMIUM_PATH.
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  const found = [env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p): p is string => Boolean(p && existsSync(p)));
  if (!found) throw new Error("No Chromium found: install it (apt-get install chromium) or set CHROMIUM_PATH; `npm test` installs it when run as root");
  return found;
}

/**
 * Chromium, started again (up to three times, a second apart) when it closes while starting: on a
 * busy 2-core machine it sometimes does ("Target page, context or browser has been closed"), and a
 * failed start in a test's setup would skip that file's tests rather than fail them.
 */
export async function launchChromium(opts: { headless?: boolean } = {}): Promise<Browser> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({ executablePath: chromiumPath(), args: FLAGS, headless: opts.headless ?? true });
    } catch (err) {
      if (attempt >= 3 || !/has been closed|Target closed|crashed/i.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
