"use client";
// Every version of one entry, newest first: who saved it, when, and what changed from the version
// before (properties added, removed, changed; entry-wide rules).
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import { LocalTime } from "@/app/account/_components/local-time";
import { Problem } from "@/app/_components/ui";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";
import { diffSchemas, isDiffEmpty, type PlanDiff } from "./schema-form";

function Changes({ diff, first }: { diff: PlanDiff; first: boolean }) {
  if (isDiffEmpty(diff)) return <p className="text-sm text-ink-muted">{first ? "No properties listed." : "No change to the rules (description only, or saved again as it was)."}</p>;
  return (
    <ul className="space-y-1 text-sm">
      {diff.added.map((a) => (
        <li key={`a-${a.name}`}>
          <span className="font-medium text-emerald-700">Added</span> <span className="font-mono">{a.name}</span>: {a.now}
        </li>
      ))}
      {diff.removed.map((r) => (
        <li key={`r-${r.name}`}>
          <span className="font-medium text-rose-700">Removed</span> <span className="font-mono">{r.name}</span> (was {r.was})
        </li>
      ))}
      {diff.changed.map((c) => (
        <li key={`c-${c.name}`}>
          <span className="font-medium text-amber-800">Changed</span> <span className="font-mono">{c.name}</span>: {c.was} → {c.now}
        </li>
      ))}
      {diff.entry.map((e) => (
        <li key={`e-${e}`}>
          <span className="font-medium text-ink-soft">Entry</span>: {e}
        </li>
      ))}
    </ul>
  );
}

export function EntryHistory({ event }: { event: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.plan.history.queryOptions({ event }));
  const versions = history.data ?? [];

  return (
    <section aria-labelledby="plan-history-title" className="space-y-3">
      <h2 id="plan-history-title" className="text-base font-semibold text-ink">
        Version history
      </h2>
      {history.isPending ? (
        <p className="flex items-center gap-2 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading versions…
        </p>
      ) : history.isError ? (
        <div role="alert">
          <p className="text-sm font-medium text-ink">Could not load the versions</p>
          <Problem>{errorText(history.error)}</Problem>
        </div>
      ) : (
        <ol className="divide-y divide-line rounded-xl border border-line bg-surface shadow-xs">
          {versions.map((v, i) => {
            const previous = versions[i + 1] ?? null;
            return (
              <li key={v.id} className="space-y-2 px-5 py-4">
                <p className="text-sm text-ink">
                  <span className="font-semibold">Version {v.version}</span>
                  <span className="text-ink-muted">
                    {" "}
                    · saved <LocalTime ms={v.createdAt} /> by <span className="font-mono text-xs">{v.createdBy ?? "unknown"}</span>
                  </span>
                </p>
                {v.description && <p className="text-sm text-ink-soft">{v.description}</p>}
                <Changes diff={diffSchemas(previous?.schema ?? null, v.schema)} first={previous === null} />
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
