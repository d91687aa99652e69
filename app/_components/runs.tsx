// Recent runs, or what to do when there are none yet.
import type { Run } from "./types";
import { Badge, Command, type TONE, ago, duration, stamp } from "./ui";

const EXAMPLE = "npx loopwright run examples/flows/telco-churn.flow.json";

const RUN_TONE: Record<Run["status"], keyof typeof TONE> = { queued: "quiet", running: "busy", succeeded: "good", failed: "bad", cancelled: "warn" };

export function EmptyRuns({ ready }: { ready: boolean }) {
  return (
    <div className="rounded-xl border border-dashed border-line bg-surface px-8 py-8">
      <h3 className="text-base font-semibold text-ink">No runs yet</h3>
      <ol className="mt-4 space-y-5 text-sm text-ink-soft">
        {!ready && (
          <li>
            <span className="font-medium text-ink">Start Temporal, a worker and this app</span> (from the project directory):
            <Command>npm start</Command>
          </li>
        )}
        <li>
          <span className="font-medium text-ink">Run the example:</span> it saves the Telco churn flow as version 1, runs it through Temporal
          and prints a summary. The run shows up here.
          <Command>{EXAMPLE}</Command>
        </li>
      </ol>
    </div>
  );
}

export function RunsTable({ runs, now }: { runs: Run[]; now: number }) {
  return (
    <div className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
      <table className="w-full text-left text-sm">
        <thead className="border-b border-line bg-sunken/60 text-xs text-ink-muted">
          <tr>
            {["Status", "Flow", "Version", "Trigger", "Started", "Duration", "Nodes", ""].map((h, i) => (
              <th key={i} className="px-4 py-2.5 font-medium">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-line">
          {runs.map((r) => {
            const began = r.startedAt ?? r.createdAt;
            const took = r.finishedAt ? duration(r.finishedAt - began) : r.status === "running" ? `${duration(now - began)} so far` : "—";
            return (
              <tr key={r.id} className="align-top hover:bg-sunken/40">
                <td className="px-4 py-3">
                  <Badge tone={RUN_TONE[r.status]}>
                    {r.status === "running" && <span className="size-1.5 animate-pulse rounded-full bg-sky-500" />}
                    {r.status}
                  </Badge>
                </td>
                <td className="max-w-80 px-4 py-3">
                  <div className="font-medium text-ink">{r.flowName}</div>
                  <div className="font-mono text-xs text-ink-muted">{r.flowId}</div>
                  {r.error && (
                    <div className="mt-1 truncate text-xs text-rose-700" title={r.error}>
                      {r.error}
                    </div>
                  )}
                </td>
                <td className="px-4 py-3 tabular-nums text-ink-soft">v{r.flowVersion}</td>
                <td className="px-4 py-3 text-ink-soft">{r.triggerKind}</td>
                <td className="px-4 py-3 whitespace-nowrap text-ink-soft" title={stamp(began)}>
                  {ago(began, now)}
                </td>
                <td className="px-4 py-3 whitespace-nowrap tabular-nums text-ink-soft">{took}</td>
                <td className="px-4 py-3 whitespace-nowrap tabular-nums text-ink-soft">
                  {r.nodes.succeeded}/{r.nodes.total}
                  {r.nodes.failed > 0 && <span className="text-rose-700"> · {r.nodes.failed} failed</span>}
                </td>
                <td className="px-4 py-3 text-right whitespace-nowrap">
                  <a href={r.temporalUrl} target="_blank" rel="noreferrer" className="text-xs font-medium text-accent hover:underline" title={r.workflowId}>
                    Temporal ↗
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

