"use client";
// A flow's journeys right now (flow.liveCounts): for each version with runs going, per step, the
// customers who entered, wait there now and passed on. Polled every few seconds while someone
// waits, less often while runs go on, and not at all once nothing runs (until `refresh` changes,
// e.g. when a run starts or ends, or the tab comes back into focus).
import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

export type LiveVersion = RouterOutputs["flow"]["liveCounts"][number];
export type LiveNode = LiveVersion["nodes"][number];

const WAITING_POLL_MS = 3_000;
const LIVE_POLL_MS = 10_000;

/** A journey step: a node that holds customers (wait, wait for an event). */
export const isJourneyStep = (type: string) => /^control\.wait(-event)?@/.test(type);

/** A version whose graph has a journey step. */
export const isJourney = (v: LiveVersion) => v.nodes.some((n) => isJourneyStep(n.type));

export const count = (n: number) => n.toLocaleString("en-US");

export function useLiveCounts(flowId: string | undefined, refresh?: unknown) {
  const trpc = useTRPC();
  const live = useQuery(
    trpc.flow.liveCounts.queryOptions(
      { flowId: flowId ?? "" },
      {
        enabled: Boolean(flowId),
        refetchInterval: (q) => {
          const versions = q.state.data;
          if (q.state.status === "error" || !versions?.length) return false;
          return versions.some((v) => v.nodes.some((n) => n.waiting > 0)) ? WAITING_POLL_MS : LIVE_POLL_MS;
        },
      },
    ),
  );
  const { refetch } = live;
  const seen = useRef(refresh);
  useEffect(() => {
    if (Object.is(seen.current, refresh)) return;
    const first = seen.current === undefined; // what it was while the page loaded: fetched already
    seen.current = refresh;
    if (flowId && !first) void refetch();
  }, [flowId, refresh, refetch]);
  return live;
}
