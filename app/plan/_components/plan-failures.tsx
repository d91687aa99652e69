"use client";
// Failed events not replayed yet, counted per reason (field path, what is wrong, the rule), with
// example event names; editors replay them against the current plan after fixing it.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoaderCircle, RefreshCw, RotateCcw } from "lucide-react";
import { useState } from "react";
import { FormError, FormNotice, TABLE } from "@/app/account/_components/forms";
import { Problem } from "@/app/_components/ui";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { useTRPC } from "@/trpc/react";

export function PlanFailures({ canEdit }: { canEdit: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const failures = useQuery(trpc.plan.failures.queryOptions(undefined, { refetchInterval: 30_000 }));
  const replay = useMutation(trpc.plan.replay.mutationOptions());
  const [result, setResult] = useState<string | null>(null);
  const rows = failures.data ?? [];

  const run = () => {
    setResult(null);
    replay.mutate(undefined, {
      onSuccess: (r) => {
        setResult(`Let in ${r.replayed} of ${r.tried}; ${r.stillFailing} still fail.`);
        void queryClient.invalidateQueries({ queryKey: trpc.plan.failures.pathKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.source.pathKey() });
      },
    });
  };

  return (
    <section aria-labelledby="plan-failures-title" className="space-y-3">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <div>
          <h2 id="plan-failures-title" className="text-base font-semibold text-ink">
            Failed events
          </h2>
          <p className="mt-1 max-w-2xl text-sm text-ink-muted">
            Events kept aside because they broke the plan, counted per reason. Fix the sender or the plan, then replay them: those that now pass are let in.
          </p>
        </div>
        <div className="flex gap-2">
          <button type="button" className={BUTTON.secondary} onClick={() => void failures.refetch()} disabled={failures.isFetching}>
            <RefreshCw className={`size-4 ${failures.isFetching ? "animate-spin" : ""}`} aria-hidden="true" />
            Refresh
          </button>
          {canEdit && (
            <button type="button" className={BUTTON.primary} onClick={run} disabled={replay.isPending}>
              <RotateCcw className="size-4" aria-hidden="true" />
              {replay.isPending ? "Replaying…" : "Replay failed events"}
            </button>
          )}
        </div>
      </div>
      <FormNotice>{result}</FormNotice>
      <FormError>{replay.error ? errorText(replay.error) : null}</FormError>

      {failures.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-6 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading failed events…
        </div>
      ) : failures.isError ? (
        <div role="alert" className="rounded-xl border border-line bg-surface px-5 py-5">
          <p className="text-sm font-medium text-ink">Could not load the failed events</p>
          <Problem>{errorText(failures.error)}</Problem>
        </div>
      ) : rows.length === 0 ? (
        <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-6 text-sm text-ink-muted">No failed events waiting: every event kept the plan, or was replayed.</p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-line bg-surface shadow-xs">
          <table className={TABLE.table}>
            <thead className={TABLE.head}>
              <tr>
                <th className={TABLE.th}>Field</th>
                <th className={TABLE.th}>What is wrong</th>
                <th className={TABLE.th}>Rule</th>
                <th className={`${TABLE.th} text-right`}>Events</th>
                <th className={TABLE.th}>For example</th>
              </tr>
            </thead>
            <tbody className={TABLE.body}>
              {rows.map((r) => (
                <tr key={`${r.path}\u0000${r.rule}`}>
                  <td className={`${TABLE.td} align-top font-mono text-xs break-all`}>{r.path || "—"}</td>
                  <td className={`${TABLE.td} align-top break-words text-rose-800`}>{r.message}</td>
                  <td className={`${TABLE.td} align-top font-mono text-xs`}>{r.rule}</td>
                  <td className={`${TABLE.td} text-right align-top tabular-nums`}>{r.count}</td>
                  <td className={`${TABLE.td} align-top text-xs break-words`}>{r.events.length ? r.events.slice(0, 5).join(", ") : <span className="text-ink-muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
