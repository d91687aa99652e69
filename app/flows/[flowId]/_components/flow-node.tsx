"use client";
// One node on the canvas: kind colour and icon, typed ports, validation problems, live run state,
// and the flow's live journey counts.
import { Handle, Position, type NodeProps } from "@xyflow/react";
import { CircleAlert, TriangleAlert } from "lucide-react";
import { memo } from "react";
import { useShallow } from "zustand/react/shallow";
import { StatusBadge } from "@/app/_components/status-badge";
import { duration } from "@/app/_components/ui";
import type { CatalogPort } from "@/nodes/node-registry";
import { NODE_WIDTH, type CanvasNode } from "../_lib/canvas-graph";
import { keyFigure, nodeWarnings } from "@/app/_components/key-figure";
import { useFlowStore } from "../_store/flow-store";
import { KIND, useCatalog } from "./catalog-context";
import { NodeLiveCounts } from "./live-counts";

const PORT_COLOUR: Record<string, string> = { table: "!bg-sky-500", model: "!bg-amber-500" };

function Port({ port, side }: { port: CatalogPort; side: "in" | "out" }) {
  return (
    <div className={`relative flex h-6 items-center text-[11px] text-ink-soft ${side === "in" ? "justify-start pl-3" : "justify-end pr-3"}`}>
      <span>
        {port.label ?? port.name}
        <span className="ml-1 text-ink-muted/80">{port.type}</span>
        {port.optional && <span className="ml-1 text-ink-muted/70">(optional)</span>}
      </span>
      <Handle
        type={side === "in" ? "target" : "source"}
        position={side === "in" ? Position.Left : Position.Right}
        id={port.name}
        title={`${port.name}: ${port.type}`}
        className={`!size-3 !border-2 !border-surface ${PORT_COLOUR[port.type] ?? "!bg-slate-500"}`}
      />
    </div>
  );
}

function FlowNodeCard({ id, data, selected }: NodeProps<CanvasNode>) {
  const entry = useCatalog().get(data.ref);
  const problems = useFlowStore((s) => s.problemsByNode[id]);
  const run = useFlowStore(useShallow((s) => {
    const r = s.nodeRuns[id];
    return r
      ? {
          status: r.status,
          rows: r.rows,
          startedAt: r.startedAt,
          finishedAt: r.finishedAt,
          error: r.error,
          fraction: r.progress?.fraction ?? null,
          figure: r.status === "succeeded" ? keyFigure(r.metrics) : null,
          warnings: nodeWarnings(r.metrics).join("\n"),
        }
      : null;
  }));
  const kind = KIND[entry?.kind ?? "control"];
  const Icon = kind.icon;
  const ports = Math.max(entry?.inputs.length ?? 0, entry?.outputs.length ?? 0);

  return (
    <div
      data-testid={`node-${id}`}
      style={{ width: NODE_WIDTH }}
      className={`rounded-xl border bg-surface text-left shadow-sm transition-shadow ${selected ? "border-accent ring-2 ring-accent/30" : problems?.length ? "border-rose-400" : "border-line"}`}
    >
      <div className={`flex items-center gap-2 rounded-t-xl border-b border-line px-3 py-2 ${kind.tint}`}>
        <span className={`flex size-6 shrink-0 items-center justify-center rounded-md ${kind.bg} text-white`}>
          <Icon className="size-3.5" aria-hidden />
        </span>
        {/* Internal ids stay out of sight, in the tooltip. */}
        <div className="min-w-0 flex-1" title={`${id} · ${data.ref}`}>
          <div className="truncate text-[13px] font-semibold text-ink">{data.label || entry?.label || data.ref}</div>
          <div className="truncate text-[10px] text-ink-muted first-letter:uppercase">{data.label && entry ? entry.label : (entry?.kind ?? "")}</div>
        </div>
        {problems?.length ? (
          <span
            role="img"
            aria-label={`${problems.length} problem${problems.length > 1 ? "s" : ""}`}
            title={problems.map((p) => p.message).join("\n")}
            className="flex h-5 min-w-5 items-center justify-center gap-0.5 rounded-full bg-rose-600 px-1.5 text-[10px] font-semibold text-white"
          >
            <CircleAlert className="size-3" aria-hidden />
            {problems.length}
          </span>
        ) : null}
      </div>

      {!entry ? (
        <p className="px-3 py-2 text-xs text-rose-700">Unknown node type {data.ref}</p>
      ) : (
        <div className="grid grid-cols-2 py-1.5" style={{ minHeight: ports * 24 + 12 }}>
          <div>{entry.inputs.map((p) => <Port key={p.name} port={p} side="in" />)}</div>
          <div>{entry.outputs.map((p) => <Port key={p.name} port={p} side="out" />)}</div>
        </div>
      )}

      {problems?.length && !run ? <p className="line-clamp-2 border-t border-line px-3 py-1.5 text-[11px] leading-snug text-rose-700">{problems[0]!.message}</p> : null}

      {run && (
        <div className="space-y-1 border-t border-line px-3 py-1.5" data-testid={`node-status-${id}`} data-status={run.status}>
          <div className="flex items-center justify-between gap-2 text-[11px] text-ink-soft">
            <StatusBadge status={run.status} />
            <span className="tabular-nums">
              {run.rows !== null && <>{run.rows.toLocaleString("en-US")} rows</>}
              {run.rows !== null && run.startedAt && run.finishedAt ? " · " : ""}
              {run.startedAt && run.finishedAt ? duration(run.finishedAt - run.startedAt) : ""}
            </span>
          </div>
          {run.status === "running" && run.fraction !== null && (
            <div className="h-1 overflow-hidden rounded-full bg-sunken" role="progressbar" aria-valuenow={Math.round(run.fraction * 100)} aria-valuemin={0} aria-valuemax={100}>
              <div className="h-full bg-sky-500 transition-[width]" style={{ width: `${Math.round(run.fraction * 100)}%` }} />
            </div>
          )}
          {(run.figure || run.warnings) && (
            <div className="flex items-center justify-between gap-2 text-[11px]">
              <span className="truncate font-medium text-ink" data-testid={`node-figure-${id}`}>
                {run.figure}
              </span>
              {run.warnings && (
                <span role="img" aria-label={`${run.warnings.split("\n").length} warning${run.warnings.includes("\n") ? "s" : ""}`} title={run.warnings} className="inline-flex shrink-0 items-center gap-0.5 rounded-full bg-amber-100 px-1.5 font-semibold text-amber-800">
                  <TriangleAlert className="size-3" aria-hidden />
                  {run.warnings.split("\n").length}
                </span>
              )}
            </div>
          )}
          {run.error && <p className="line-clamp-3 text-[11px] leading-snug text-rose-700">{run.error}</p>}
        </div>
      )}

      <NodeLiveCounts id={id} />
    </div>
  );
}

export const FlowNode = memo(FlowNodeCard);
