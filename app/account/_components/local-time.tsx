"use client";
// A moment in the reader's own time zone. The server's time zone is not the browser's, so the
// server render shows nothing and the browser fills it in.
import { useSyncExternalStore } from "react";
import { stamp } from "@/app/_components/ui";

const noSubscription = () => () => {};

export function useInBrowser(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

export const day = (ms: number) => new Date(ms).toLocaleDateString("en-GB", { dateStyle: "medium" });

export function LocalTime({ ms, dateOnly = false }: { ms: number; dateOnly?: boolean }) {
  const inBrowser = useInBrowser();
  if (!inBrowser) return null;
  return (
    <time dateTime={new Date(ms).toISOString()} title={stamp(ms)}>
      {dateOnly ? day(ms) : stamp(ms)}
    </time>
  );
}
