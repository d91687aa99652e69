"use client";
// All runs, newest first, optionally of one flow. Refreshes itself while any shown run is active.
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { StatusBadge } from "@/app/_components/status-badge";
import { Problem, ago, duration, stamp } from "@/app/_components/ui";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { errorText, useNow } from "./hooks";
import { LiveVersions } from "./live-versions";
import { isActive } from "@/workflows/graph/status";

type Run = RouterOutputs["run"]["list"][number];

export function runDuration(r: { status: string; createdAt: number; startedAt: number | null; finishedAt: number | null }, now: number | null): string {
  const began = r.startedAt ?? r.createdAt;
  if (r.finishedAt) return duration(r.finishedAt - began);
  if (r.status === "running" && now !== null) return `${duration(Math.max(0, now - began))} so far`;
  return "—";
}

function FlowFilter({ flowId }: { flowId?: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const flows = useQuery(trpc.flow.list.queryOptions());
  const options = [...(flows.data ?? [])].sort((a, b) => a.name.localeCompare(b.name, "en"));
  // A filter on a flow that is gone still shows as selected, so the empty list makes sense.
  const missing = flowId && flows.data && !flows.data.some((f) => f.id === flowId);
  return (
    <label className="flex items-center gap-2 text-sm text-ink-soft">
      Flow
      <select
        value={flowId ?? ""}
        onChange={(e) => router.push(e.target.value ? `/runs?flow=${encodeURIComponent(e.target.value)}` : "/runs")}
        className="w-64 rounded-lg border border-line bg-surface px-2.5 py-1.5 text-sm text-ink outline-none focus:border-accent focus:ring-2 focus:ring-accent/20"
      >
        <option value="">All flows</option>
        {missing && <option value={flowId}>{flowId} (deleted)</option>}
        {options.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </select>
    </label>
  );
}

function RunsTable({ runs, now }: { runs: Run[]; now: number | null }) {
  return (
    <div className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
      <table className="w-full table-fixed text-left text-sm">
        <thead className="border-b border-line bg-sunken/60 text-xs text-ink-muted">
          <tr>
            {/* Fixed columns, so switching the flow filter does not make them jump. */}
            {(
              [
                ["Run", "w-24"],
                ["Status", "w-32"],
                ["Flow", ""],
                ["Version", "w-20"],
                ["Trigger", "w-24"],
                ["Started", "w-28"],
                ["Duration", "w-40"],
                ["Nodes", "w-36"],
              ] as const
            ).map(([h, width]) => (
              <th key={h} className={`px-4 py-2.5 font-medium ${width}`}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {runs.map((r) => {
            const began = r.startedAt ?? r.createdAt;
            return (
              <tr key={r.id} className="align-top hover:bg-sunken/40">
                <td className="px-4 py-3">
                  <Link href={`/runs/${r.id}`} className="font-mono text-xs font-medium text-accent hover:underline" title={r.id} aria-label={`Run ${r.id}`}>
                    {r.id.slice(0, 8)}
                  </Link>
                </td>
                <td className="px-4 py-3">
                  <StatusBadge status={r.status} />
                </td>
                <td className="px-4 py-3">
                  <Link href={`/flows/${r.flowId}`} className="font-medium text-ink hover:text-accent hover:underline">
                    {r.flowName}
                  </Link>
                  {r.error && (
                    <div className="mt-1 truncate text-xs text-rose-700" title={r.error}>
                      {r.error}
                    </div>
                  )}
                </td>
                <td className="px-4 py-3 tabular-nums text-ink-soft">v{r.flowVersion}</td>
                <td className="px-4 py-3 text-ink-soft">
                  {r.triggerKind}
                  {r.trigger?.sample && (
                    <span className="ml-2 rounded-full bg-amber-50 px-2 py-0.5 text-xs whitespace-nowrap text-amber-900" title={`Sample run: ${r.trigger.sample.rows.toLocaleString("en-US")} rows per source`}>
                      sample
                    </span>
                  )}
                </td>
                <td className="px-4 py-3 whitespace-nowrap text-ink-soft" title={now === null ? undefined : stamp(began)}>
                  {now === null ? null : ago(began, now)}
                </td>
                <td className="px-4 py-3 whitespace-nowrap tabular-nums text-ink-soft">
                  {runDuration(r, now)}
                </td>
                <td className="px-4 py-3 whitespace-nowrap tabular-nums text-ink-soft">
                  {r.nodes.succeeded}/{r.nodes.total}
                  {r.nodes.failed > 0 && <span className="text-rose-700"> · {r.nodes.failed} failed</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function EmptyRuns({ filtered }: { filtered: boolean }) {
  return (
    <div className="rounded-xl border border-dashed border-line bg-surface px-8 py-12 text-center">
      <h2 className="text-base font-semibold text-ink">{filtered ? "No runs of this flow" : "No runs yet"}</h2>
      <p className="mx-auto mt-1 max-w-md text-sm text-ink-soft">
        {filtered ? "It has not been run yet. " : "Open a flow in the editor and run it; each run shows up here with its nodes and results. "}
        {filtered ? (
          <Link href="/runs" className="font-medium text-accent hover:underline">
            Show all runs
          </Link>
        ) : (
          <Link href="/flows" className="font-medium text-accent hover:underline">
            Go to flows
          </Link>
        )}
      </p>
    </div>
  );
}

export function RunsView({ flowId, badFlow, limit }: { flowId?: string; badFlow?: string; limit: number }) {
  const trpc = useTRPC();
  const now = useNow(1000);
  const runs = useQuery(
    trpc.run.list.queryOptions({ flowId, limit }, { refetchInterval: (q) => (q.state.data?.some((r) => isActive(r.status)) ? 2000 : false) }),
  );

  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-8">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-xl font-semibold tracking-tight text-ink">Runs</h1>
          <p className="mt-1 text-sm text-ink-muted">Newest first{runs.data?.length === limit ? `; the latest ${limit}` : ""}. Active runs update as they go.</p>
        </div>
        <FlowFilter flowId={flowId} />
      </div>

      {flowId && <LiveVersions flowId={flowId} refresh={runs.data?.filter((r) => isActive(r.status)).length} />}

      {badFlow !== undefined ? (
        <Problem>
          “{badFlow}” is not a flow id. <Link href="/runs" className="underline">Show all runs</Link>
        </Problem>
      ) : runs.isPending ? (
        <div className="flex items-center gap-2 rounded-xl border border-line bg-surface px-5 py-10 text-sm text-ink-muted" role="status">
          <LoaderCircle className="size-4 animate-spin" aria-hidden="true" />
          Loading runs…
        </div>
      ) : runs.isError ? (
        <div role="alert">
          <Problem>Could not load the runs: {errorText(runs.error)}</Problem>
        </div>
      ) : runs.data.length === 0 ? (
        <EmptyRuns filtered={Boolean(flowId)} />
      ) : (
        <RunsTable runs={runs.data} now={now} />
      )}
    </main>
  );
}
