// What the CLI prints about a run: progress lines, the summary table and the --json object.
import type { RunDetail } from "./api";

type NodeRow = RunDetail["nodes"][number];

export function fmtMs(ms: number | null | undefined): string {
  if (ms == null) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function fmtMetrics(m: unknown): string {
  if (!m || typeof m !== "object") return "";
  return Object.entries(m as Record<string, unknown>)
    .filter(([, v]) => typeof v === "number" || typeof v === "string" || typeof v === "boolean")
    .slice(0, 6)
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v}`)
    .join(" ");
}

const took = (n: NodeRow) => (n.finishedAt && n.startedAt ? fmtMs(n.finishedAt - n.startedAt) : "");
const rowCount = (n: NodeRow) => (n.rows != null ? `${n.rows.toLocaleString("en-US")} rows` : "");

/** Prints each node once per status and attempt, as the run goes (queued nodes are not news). */
export function progressReporter(log: (line: string) => void): (nodes: NodeRow[]) => void {
  const seen = new Map<string, string>();
  return (nodes) => {
    for (const n of nodes) {
      const key = `${n.status}:${n.attempt}`;
      if (seen.get(n.nodeId) === key) continue;
      seen.set(n.nodeId, key);
      if (n.status === "queued") continue;
      const attempt = n.attempt > 1 ? `attempt ${n.attempt}` : "";
      log(`  ${n.status.padEnd(9)} ${n.nodeId} (${n.type}) ${[attempt, rowCount(n), took(n), n.error ?? ""].filter(Boolean).join("  ")}`);
    }
  };
}

export function printSummary(detail: RunDetail, log: (line: string) => void): void {
  const { run, nodes } = detail;
  log(`\nRun ${run.status}: ${run.id}\n  Temporal UI: ${run.temporalUrl}`);
  for (const n of nodes) {
    log(`  ${n.status.padEnd(9)} ${n.nodeId.padEnd(14)} ${n.type.padEnd(28)} ${rowCount(n).padStart(13)}  ${took(n).padStart(8)}  ${fmtMetrics(n.metrics)}`);
    if (n.error) log(`            ${n.error}`);
  }
}

/** The --json object (its shape is a contract: scripts and the integration tests parse it). */
export function summaryJson(detail: RunDetail, extra: Record<string, unknown> = {}) {
  const { run, nodes } = detail;
  return {
    runId: run.id,
    workflowId: run.workflowId,
    status: run.status,
    temporalUrl: run.temporalUrl,
    ...(run.error ? { error: run.error } : {}),
    nodes: nodes.map((n) => ({ id: n.nodeId, type: n.type, status: n.status, rows: n.rows, metrics: n.metrics ?? {}, ...(n.error ? { error: n.error } : {}) })),
    ...extra,
  };
}
