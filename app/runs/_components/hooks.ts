// Small client helpers shared by the Runs and Flows pages.
import { useEffect, useState, useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/**
 * The current time, refreshed every `everyMs`, so "2 min ago" and running durations stay true
 * without a reload. Null in the server render and while hydrating: the server's clock and time
 * zone are not the browser's, so times are shown only once the page runs in the browser.
 */
export function useNow(everyMs = 1000): number | null {
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    setNow(Date.now());
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return inBrowser ? now : null;
}

/** What went wrong, in words: the server's message, or the first input problem it reported. */
export function errorText(err: unknown): string {
  const e = err as { message?: unknown; data?: { zodError?: { formErrors?: string[]; fieldErrors?: Record<string, string[] | undefined> } | null } } | null;
  const zod = e?.data?.zodError;
  if (zod) {
    const field = Object.entries(zod.fieldErrors ?? {}).find(([, msgs]) => msgs?.length);
    if (field) return `${field[0]}: ${field[1]![0]}`;
    if (zod.formErrors?.[0]) return zod.formErrors[0];
  }
  const message = typeof e?.message === "string" ? e.message : String(err);
  return /failed to fetch|networkerror|load failed/i.test(message) ? "Could not reach the Loopwright server. Is it still running?" : message;
}
