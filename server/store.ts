// The web app's one store handle. Opened on first use (never at import, so `next build` does not
// open a database), and kept on globalThis so dev-mode module reloads reuse it instead of leaking
// connections.
import "server-only";
import { openStore, type Store } from "../db/store";
import { importEnvConnections } from "./services/connections";

const g = globalThis as typeof globalThis & { __loopwrightStore?: Promise<Store> };

/** The store, with the connections an admin defines by LOOPWRIGHT_SECRET_* variables brought up to date once. */
async function open(): Promise<Store> {
  const store = await openStore();
  await importEnvConnections(store).catch((err: unknown) => console.error(`[connections] importing LOOPWRIGHT_SECRET_* variables failed: ${err instanceof Error ? err.message : String(err)}`));
  return store;
}

export function getStore(): Promise<Store> {
  const opening = (g.__loopwrightStore ??= open());
  // A failed open (PostgreSQL not up yet) is tried again on the next request, not cached forever.
  opening.catch(() => {
    if (g.__loopwrightStore === opening) g.__loopwrightStore = undefined;
  });
  return opening;
}
