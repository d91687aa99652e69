"use client";
// Events the ingest API refused, newest first, each with every reason (field path, what is wrong,
// the rule), so the sender can be fixed. They are kept, not dropped.
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle, RefreshCw } from "lucide-react";
import { LocalTime } from "@/app/account/_components/local-time";
import { TABLE } from "@/app/account/_components/forms";
import { Problem } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { FAILED_SHOWN, reasonText } from "./snippets";
import type { SourceRow } from "./sources-table";

export function FailedEvents({ sources }: { sources: SourceRow[] }) {
  const trpc = useTRPC();
  const events = useQuery(trpc.source.events.queryOptions({ limit: FAILED_SHOWN }, { refetchInterval: 15_000 }));
  const names = new Map(sources.map((s) => [s.id, s.name]));
  const failed = events.data?.failed ?? [];

  return (
    <section aria-labelledby="failed-events-title" className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="failed-events-title" className="text-base font-semibold text-ink">
            Failed events
          </h2>
          <p className="mt-1 max-w-2xl text-sm text-ink-muted">
            Events that were not accepted, with every reason, the {FAILED_SHOWN} newest first. A single event was answered 400 with these reasons; in a batch, the
            others were stored and these listed in the answer.
          </p>
        </div>
        <button type="button" className={BUTTON.secondary} onClick={() => void events.refetch()} disabled={events.isFetching}>
          <RefreshCw className={`size-4 ${events.isFetching ? "animate-spin" : ""}`} aria-hidden="true" />
          Refresh
        </button>
      </div>

      {events.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-6 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading failed events…
        </div>
      ) : events.isError ? (
        <div role="alert" className="rounded-xl border border-line bg-surface px-5 py-5">
          <p className="text-sm font-medium text-ink">Could not load the failed events</p>
          <Problem>{errorText(events.error)}</Problem>
        </div>
      ) : failed.length === 0 ? (
        <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-6 text-sm text-ink-muted">No failed events: every event sent so far was accepted.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
          <table className={TABLE.table}>
            <thead className={TABLE.head}>
              <tr>
                <th className={TABLE.th}>Time</th>
                <th className={TABLE.th}>Source</th>
                <th className={TABLE.th}>Type</th>
                <th className={TABLE.th}>Event</th>
                <th className={TABLE.th}>Reasons</th>
              </tr>
            </thead>
            <tbody className={TABLE.body}>
              {failed.map((f) => (
                <tr key={f.id}>
                  <td className={`${TABLE.td} align-top whitespace-nowrap`}>
                    <LocalTime ms={f.receivedAt} />
                  </td>
                  <td className={`${TABLE.td} align-top break-words`}>{names.get(f.sourceId) ?? <span className="font-mono text-xs">{f.sourceId}</span>}</td>
                  <td className={`${TABLE.td} align-top`}>{f.type ?? <span className="text-ink-muted">—</span>}</td>
                  <td className={`${TABLE.td} align-top break-words`}>{f.event ?? <span className="text-ink-muted">—</span>}</td>
                  <td className={`${TABLE.td} align-top`}>
                    <ul className="space-y-0.5 font-mono text-xs break-words text-rose-800">
                      {f.reasons.map((r, i) => (
                        <li key={i}>{reasonText(r)}</li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
