"use client";
// One run: what it ran, how it is going, and each node's result. Polls every second until the
// run has finished, so a run in progress needs no reload.
import { triggerWords } from "./trigger-words";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { CircleStop, ExternalLink, LoaderCircle } from "lucide-react";
import Link from "next/link";
import type { ReactNode } from "react";
import { StatusBadge } from "@/app/_components/status-badge";
import { Hint, Problem, stamp } from "@/app/_components/ui";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { errorText, useNow } from "./hooks";
import { NodeCard } from "./node-card";
import { runDuration } from "./runs-view";
import { isFinished } from "@/workflows/graph/status";

type Run = RouterOutputs["run"]["get"]["run"];

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-ink-muted">{label}</dt>
      <dd className="mt-0.5 truncate text-sm text-ink tabular-nums">{children}</dd>
    </div>
  );
}

/** Ask the run to cancel. After a successful request it stays "running" until its nodes have stopped. */
function useCancel(runId: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return useMutation(trpc.run.cancel.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.run.get.queryKey({ runId }) }) }));
}

function RunHeader({ run, now }: { run: Run; now: number | null }) {
  const began = run.startedAt ?? run.createdAt;
  const active = !isFinished(run.status);
  const cancel = useCancel(run.id);
  const cancelling = cancel.isPending || cancel.isSuccess;
  return (
    <section className="rounded-xl border border-line bg-surface p-5 shadow-xs">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-3">
            <h1 className="text-xl font-semibold tracking-tight text-ink">
              <Link href={`/flows/${run.flowId}`} className="hover:text-accent hover:underline" title="Open the flow in the editor">
                {run.flowName}
              </Link>
            </h1>
            <StatusBadge status={run.status} />
          </div>
          <p className="mt-1 font-mono text-xs text-ink-muted">{run.id}</p>
        </div>
        <div className="flex items-start gap-2">
          <a
            href={run.temporalUrl}
            target="_blank"
            rel="noreferrer"
            title={run.workflowId}
            className="inline-flex items-center gap-1.5 rounded-lg border border-line bg-surface px-3 py-1.5 text-sm font-medium text-ink-soft hover:bg-sunken hover:text-ink"
          >
            Open in Temporal UI
            <ExternalLink className="size-3.5" aria-hidden="true" />
          </a>
          {active && (
            <button
              type="button"
              disabled={cancelling}
              onClick={() => cancel.mutate({ runId: run.id })}
              className="inline-flex items-center gap-1.5 rounded-lg border border-rose-200 bg-surface px-3 py-1.5 text-sm font-medium text-rose-700 hover:bg-rose-50 disabled:cursor-wait disabled:opacity-60"
            >
              {cancelling ? <LoaderCircle className="size-4 animate-spin" aria-hidden="true" /> : <CircleStop className="size-4" aria-hidden="true" />}
              {cancelling ? "Cancelling…" : "Cancel run"}
            </button>
          )}
        </div>
      </div>
      {cancel.error && (
        <div role="alert">
          <Problem>Could not cancel the run: {errorText(cancel.error)}</Problem>
        </div>
      )}
      <dl className="mt-5 grid grid-cols-2 gap-4 border-t border-line pt-4 sm:grid-cols-4">
        <Fact label="Version">v{run.flowVersion}</Fact>
        <Fact label="Trigger">
          <span title={triggerWords(run.triggerKind, run.trigger)}>{triggerWords(run.triggerKind, run.trigger)}</span>
        </Fact>
        <Fact label="Started">{now === null ? "" : run.startedAt || run.status !== "queued" ? stamp(began) : "not yet"}</Fact>
        <Fact label="Duration">{runDuration(run, now)}</Fact>
      </dl>
      {run.trigger?.sample && (
        <p role="note" className="mt-4 rounded-lg border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <span className="font-medium">Sample run: {run.trigger.sample.rows.toLocaleString("en-US")} rows per source.</span> Each source&apos;s rows were cut to a sample (the
          same rows each time), so counts and scores describe the sample, not all the data. Nothing was sent to customers, and a model trained here is kept as
          &ldquo;… (sample)&rdquo;, never made the one in use.
        </p>
      )}
      {run.error && <Problem>{run.error}</Problem>}
      {run.status === "queued" && !run.startedAt && <Hint>Queued: waiting for a worker to pick the run up. Without one running (`npm start`), it waits.</Hint>}
    </section>
  );
}

const CHANNEL: Record<string, string> = { email: "E-mails", webhook: "Webhook calls", sync: "Synced records" };

/** What the run's actions did, from the decision ledger: "E-mails (send): 1,980 sent · 20 suppressed". */
function Actions({ actions }: { actions: { nodeId: string; channel: string; status: string; n: number }[] }) {
  if (!actions.length) return null;
  const groups = new Map<string, { channel: string; nodeId: string; counts: Record<string, number> }>();
  for (const a of actions) {
    const g = groups.get(`${a.nodeId}\u0000${a.channel}`) ?? { channel: a.channel, nodeId: a.nodeId, counts: {} };
    g.counts[a.status] = (g.counts[a.status] ?? 0) + a.n;
    groups.set(`${a.nodeId}\u0000${a.channel}`, g);
  }
  return (
    <section aria-label="Actions" className="rounded-xl border border-line bg-surface p-5 shadow-xs">
      <h2 className="mb-2 text-sm font-semibold text-ink">What it did</h2>
      <ul className="space-y-1 text-sm text-ink-soft">
        {[...groups.values()].map((g) => (
          <li key={`${g.nodeId}-${g.channel}`}>
            <span className="font-medium text-ink">{CHANNEL[g.channel] ?? g.channel}</span> <span className="font-mono text-xs">({g.nodeId})</span>:{" "}
            {(["sent", "suppressed", "failed"] as const)
              .filter((st) => g.counts[st])
              .map((st) => `${g.counts[st]!.toLocaleString("en-US")} ${st}`)
              .join(" · ")}
          </li>
        ))}
      </ul>
      <p className="mt-2 text-xs text-ink-muted">One row per customer in the decision ledger; each customer&apos;s page lists what was sent to them and why something was held back.</p>
    </section>
  );
}

export function RunView({ runId }: { runId: string }) {
  const trpc = useTRPC();
  const now = useNow(1000);
  const query = useQuery(
    trpc.run.get.queryOptions(
      { runId },
      {
        refetchInterval: (q) => {
          const status = q.state.data?.run.status;
          if (status && isFinished(status)) return false;
          // Nothing to watch yet and asking failed (e.g. no such run): stop, and show why.
          return q.state.status === "error" ? false : 1000;
        },
      },
    ),
  );

  if (query.isPending) {
    return (
      <main className="mx-auto flex max-w-6xl items-center gap-2 px-6 py-8 text-sm text-ink-muted" role="status">
        <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
        Loading the run…
      </main>
    );
  }
  if (query.isError) {
    return (
      <main className="mx-auto max-w-6xl px-6 py-8">
        <h1 className="text-xl font-semibold tracking-tight text-ink">Run not available</h1>
        <Problem>{errorText(query.error)}</Problem>
        <p className="mt-4 text-sm">
          <Link href="/runs" className="font-medium text-accent hover:underline">
            All runs
          </Link>
        </p>
      </main>
    );
  }

  const { run, nodes, actions } = query.data;
  const done = nodes.filter((n) => n.status === "succeeded").length;
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <nav aria-label="Breadcrumb" className="text-sm text-ink-muted">
        <Link href="/runs" className="hover:text-accent hover:underline">
          Runs
        </Link>
        <span className="mx-1.5">/</span>
        <Link href={`/runs?flow=${run.flowId}`} className="hover:text-accent hover:underline">
          {run.flowName}
        </Link>
      </nav>

      <RunHeader run={run} now={now} />
      <Actions actions={actions} />

      <section>
        <div className="mb-3 flex items-baseline justify-between">
          <h2 className="text-sm font-semibold text-ink">Nodes</h2>
          <span className="text-xs text-ink-muted tabular-nums">
            {done} of {nodes.length} succeeded
          </span>
        </div>
        {nodes.length ? (
          <div className="space-y-3">
            {nodes.map((n) => (
              <NodeCard key={n.nodeId} runId={run.id} node={n} now={now} />
            ))}
          </div>
        ) : (
          <p className="rounded-xl border border-dashed border-line bg-surface px-5 py-8 text-center text-sm text-ink-muted">This run has no nodes.</p>
        )}
      </section>
    </main>
  );
}
