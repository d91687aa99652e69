// The web app's one store handle. Opened on first use (never at import, so `next build` does not
// open a database), and kept on globalThis so dev-mode module reloads reuse it instead of leaking
// connections.
import "server-only";
import { openStore, type Store } from "../db/store";

const g = globalThis as typeof globalThis & { __loopwrightStore?: Promise<Store> };

export function getStore(): Promise<Store> {
  const opening = (g.__loopwrightStore ??= openStore());
  // A failed open (PostgreSQL not up yet) is tried again on the next request, not cached forever.
  opening.catch(() => {
    if (g.__loopwrightStore === opening) g.__loopwrightStore = undefined;
  });
  return opening;
}
