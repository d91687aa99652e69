"use client";
// A flow's journeys right now, on its runs page: one small table per version with runs going, each
// step with the customers who entered it, wait there now and passed it on (all of the version's
// runs together, the parts released from waits included).
import { count, isJourney, isJourneyStep, useLiveCounts, type LiveVersion } from "@/app/_components/live-counts";

function VersionTable({ v }: { v: LiveVersion }) {
  return (
    <div className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs" data-testid={`live-version-${v.version}`}>
      <table className="w-full table-fixed text-left text-sm">
        <caption className="border-b border-line px-4 py-2.5 text-left text-xs text-ink-muted">
          <span className="font-semibold text-ink">Version {v.version}</span> · {count(v.activeRuns)} run{v.activeRuns === 1 ? "" : "s"} going
        </caption>
        <thead className="border-b border-line bg-sunken/60 text-xs text-ink-muted">
          <tr>
            <th className="px-4 py-2 font-medium">Step</th>
            <th className="w-32 px-4 py-2 text-right font-medium">Entered</th>
            <th className="w-32 px-4 py-2 text-right font-medium">Waiting now</th>
            <th className="w-32 px-4 py-2 text-right font-medium">Passed on</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-line tabular-nums">
          {v.nodes.map((n) => (
            <tr key={n.id} className="hover:bg-sunken/40">
              <td className="truncate px-4 py-2 text-ink" title={`${n.id} (${n.type})`}>
                {n.label ?? n.id}
              </td>
              <td className="px-4 py-2 text-right text-ink-soft">{count(n.entered)}</td>
              <td className={`px-4 py-2 text-right ${n.waiting > 0 ? "font-semibold text-violet-700" : "text-ink-soft"}`}>{isJourneyStep(n.type) || n.waiting > 0 ? count(n.waiting) : "—"}</td>
              <td className="px-4 py-2 text-right text-ink-soft">{count(n.passedOn)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Nothing while no journey of the flow has runs going. `refresh` fetches again when it changes. */
export function LiveVersions({ flowId, refresh }: { flowId: string; refresh: unknown }) {
  const live = useLiveCounts(flowId, refresh);
  const versions = (live.data ?? []).filter(isJourney);
  if (!versions.length) return null;
  return (
    <section className="space-y-3" aria-labelledby="live-heading">
      <div>
        <h2 id="live-heading" className="text-sm font-semibold text-ink">
          Customers in this journey now
        </h2>
        <p className="mt-0.5 text-xs text-ink-muted">Counted over every run of the version, the parts a wait let go included. Updates by itself while anyone waits.</p>
      </div>
      {versions.map((v) => (
        <VersionTable key={v.versionId} v={v} />
      ))}
    </section>
  );
}
