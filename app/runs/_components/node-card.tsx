"use client";
// One node of a run: status, timing, rows, progress while it runs, its error or metrics, and a
// preview of its table output.
import { ChevronRight } from "lucide-react";
import { useState } from "react";
import { Metrics } from "@/app/_components/metrics";
import { StatusBadge } from "@/app/_components/status-badge";
import { Problem, duration, stamp } from "@/app/_components/ui";
import type { RouterOutputs } from "@/trpc/react";
import { OutputPreview } from "./output-preview";

export type NodeRun = RouterOutputs["run"]["get"]["nodes"][number];

// Literal class names, so Tailwind finds them. Keyed by the first part of the node type.
const KIND_EDGE: Record<string, string> = {
  source: "border-l-kind-source",
  transform: "border-l-kind-transform",
  model: "border-l-kind-model",
  insight: "border-l-kind-insight",
  action: "border-l-kind-action",
  control: "border-l-kind-control",
};

const count = new Intl.NumberFormat("en-US");

interface Progress {
  fraction: number | null;
  message?: string;
}

/** node_runs.progress is what the activity last heard from the node (see run-node.ts). */
function progressOf(value: unknown): Progress | null {
  if (typeof value !== "object" || value === null) return null;
  const p = value as { fraction?: unknown; message?: unknown };
  const fraction = typeof p.fraction === "number" && Number.isFinite(p.fraction) ? Math.min(1, Math.max(0, p.fraction)) : null;
  return { fraction, message: typeof p.message === "string" ? p.message : undefined };
}

/** The node's output ports that hold a table, in the order the node returned them. */
export function tablePorts(outputs: unknown): string[] {
  if (typeof outputs !== "object" || outputs === null) return [];
  return Object.entries(outputs as Record<string, unknown>)
    .filter(([, ref]) => typeof ref === "object" && ref !== null && (ref as { kind?: unknown }).kind === "table")
    .map(([port]) => port);
}

function ProgressBar({ progress }: { progress: Progress | null }) {
  const fraction = progress?.fraction ?? null;
  const label = fraction === null ? "Working" : `${Math.round(fraction * 100)}%`;
  return (
    <div className="mt-3">
      <div
        role="progressbar"
        aria-label="Progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
        className="h-1.5 overflow-hidden rounded-full bg-sunken"
      >
        {fraction === null ? (
          // Unknown progress: a calm pulse rather than a bar that pretends to know.
          <div className="h-full w-1/3 animate-pulse rounded-full bg-sky-400/70" />
        ) : (
          <div className="h-full rounded-full bg-sky-500 transition-[width] duration-700" style={{ width: `${fraction * 100}%` }} />
        )}
      </div>
      <p className="mt-1 text-xs text-ink-muted">
        {label}
        {progress?.message ? ` · ${progress.message}` : ""}
      </p>
    </div>
  );
}

export function NodeCard({ runId, node, now }: { runId: string; node: NodeRun; now: number | null }) {
  const [showPreview, setShowPreview] = useState(false);
  const kind = node.type.split(".")[0] ?? "";
  const ports = node.status === "succeeded" ? tablePorts(node.outputs) : [];
  const metrics = typeof node.metrics === "object" && node.metrics !== null && !Array.isArray(node.metrics) ? (node.metrics as Record<string, unknown>) : null;
  const took = node.startedAt
    ? node.finishedAt
      ? duration(node.finishedAt - node.startedAt)
      : node.status === "running" && now !== null
        ? `${duration(Math.max(0, now - node.startedAt))} so far`
        : null
    : null;

  return (
    <article aria-label={`Node ${node.label}`} className={`rounded-xl border border-l-4 border-line bg-surface p-4 shadow-xs ${KIND_EDGE[kind] ?? ""}`}>
      <header className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <StatusBadge status={node.status} />
        <h3 className="font-medium text-ink" title={`${node.nodeId} · ${node.type}`}>
          {node.label}
        </h3>
        <div className="ml-auto flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-ink-muted tabular-nums">
          {node.attempt > 1 && <span className="font-medium text-amber-700">attempt {node.attempt}</span>}
          {node.rows !== null && <span>{count.format(node.rows)} rows</span>}
          {node.startedAt && now !== null && <span title={stamp(node.startedAt)}>started {new Date(node.startedAt).toLocaleTimeString("en-GB")}</span>}
          {took && <span>{took}</span>}
        </div>
      </header>

      {node.status === "running" && <ProgressBar progress={progressOf(node.progress)} />}
      {node.error && <Problem>{node.error}</Problem>}
      {metrics && Object.keys(metrics).length > 0 && (
        <div className="mt-4">
          <Metrics metrics={metrics} />
        </div>
      )}

      {ports.length > 0 && (
        <div className="mt-3 border-t border-line pt-3">
          <button
            type="button"
            aria-expanded={showPreview}
            onClick={() => setShowPreview((v) => !v)}
            className="inline-flex items-center gap-1 text-xs font-medium text-accent hover:underline"
          >
            <ChevronRight className={`size-3.5 transition-transform ${showPreview ? "rotate-90" : ""}`} aria-hidden="true" />
            Preview output
          </button>
          {showPreview && <OutputPreview runId={runId} nodeId={node.nodeId} name={node.label} ports={ports} onClose={() => setShowPreview(false)} />}
        </div>
      )}
    </article>
  );
}
