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

/** A moment as "2026-12-01 22:28 UTC" (the same on every machine, so scripts and logs agree). */
export function fmtTime(ms: number | null | undefined): string {
  if (ms == null) return "";
  return new Date(ms).toISOString().slice(0, 16).replace("T", " ") + " UTC";
}

/** Rows under a header, each column as wide as its widest cell (the last one not padded). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}
