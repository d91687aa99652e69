"use client";
// The flow's live journeys on the canvas: under each node, how many customers wait there now and
// how many it passed on, over the versions with runs going (a node keeps its id from version to
// version, so customers still in an older version show on the node they are at).
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { count, isJourney, isJourneyStep, useLiveCounts, type LiveVersion } from "@/app/_components/live-counts";

interface NodeLive {
  entered: number;
  waiting: number;
  passedOn: number;
  step: boolean;
  versions: number[];
}

const LiveContext = createContext<ReadonlyMap<string, NodeLive>>(new Map());

function byNode(versions: readonly LiveVersion[]): Map<string, NodeLive> {
  const out = new Map<string, NodeLive>();
  for (const v of versions.filter(isJourney)) {
    for (const n of v.nodes) {
      const c = out.get(n.id) ?? { entered: 0, waiting: 0, passedOn: 0, step: false, versions: [] };
      c.entered += n.entered;
      c.waiting += n.waiting;
      c.passedOn += n.passedOn;
      c.step ||= isJourneyStep(n.type);
      c.versions.push(v.version);
      out.set(n.id, c);
    }
  }
  return out;
}

/** Polls the counts for the nodes below it; `refresh` (the editor's run status) fetches again when it changes. */
export function LiveCountsProvider({ flowId, refresh, children }: { flowId: string; refresh: unknown; children: ReactNode }) {
  const live = useLiveCounts(flowId, refresh);
  const counts = useMemo(() => byNode(live.data ?? []), [live.data]);
  return <LiveContext.Provider value={counts}>{children}</LiveContext.Provider>;
}

const versionWords = (versions: number[]) => `version${versions.length > 1 ? "s" : ""} ${[...versions].sort((a, b) => a - b).join(", ")}`;

export function NodeLiveCounts({ id }: { id: string }) {
  const c = useContext(LiveContext).get(id);
  if (!c) return null;
  const title = `Live now, in ${versionWords(c.versions)}: ${count(c.entered)} entered, ${count(c.waiting)} waiting here, ${count(c.passedOn)} passed on`;
  // The short form is for the eye; screen readers (and tests) read the whole sentence, entered included.
  return (
    <div data-testid={`node-live-${id}`} title={title} className="flex items-center gap-1.5 border-t border-line px-3 py-1.5 text-[11px] tabular-nums text-ink-soft">
      <span className="sr-only">{title}</span>
      <span aria-hidden="true" className={`size-1.5 shrink-0 rounded-full ${c.waiting > 0 ? "bg-violet-500" : "bg-emerald-500"}`} />
      <span aria-hidden="true" data-testid={`node-live-short-${id}`} className="truncate">
        {(c.step || c.waiting > 0) && (
          <>
            <span className="font-semibold text-ink">{count(c.waiting)}</span> waiting ·{" "}
          </>
        )}
        <span className="font-semibold text-ink">{count(c.passedOn)}</span> passed on
      </span>
    </div>
  );
}
