"use client";
// A finished node's output: the first 100 rows with column names and types, under the canvas.
import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useState } from "react";
import { DataTable } from "@/app/_components/data-table";
import { useTRPC } from "@/trpc/react";

export function PreviewPanel({ runId, nodeId, onClose }: { runId: string; nodeId: string; onClose(): void }) {
  const trpc = useTRPC();
  const [port, setPort] = useState<string | undefined>();
  const preview = useQuery(trpc.run.preview.queryOptions({ runId, nodeId, port }));

  return (
    <section aria-label={`Output of ${nodeId}`} className="flex h-[38%] min-h-48 shrink-0 flex-col border-t border-line bg-surface">
      <div className="flex items-center gap-3 border-b border-line px-4 py-2">
        <h2 className="text-sm font-semibold text-ink">
          Output of <span className="font-mono">{nodeId}</span>
        </h2>
        {preview.data && preview.data.ports.length > 1 && (
          <div className="flex gap-1" role="tablist">
            {preview.data.ports.map((p) => (
              <button
                key={p}
                type="button"
                role="tab"
                aria-selected={p === preview.data.port}
                onClick={() => setPort(p)}
                className={`rounded-md px-2 py-0.5 text-xs ${p === preview.data.port ? "bg-ink text-canvas" : "text-ink-soft hover:bg-sunken"}`}
              >
                {p}
              </button>
            ))}
          </div>
        )}
        {preview.data && (
          <span className="text-xs text-ink-muted">
            {preview.data.dataset.rows.toLocaleString("en-US")} rows · {preview.data.dataset.columns.length} columns
          </span>
        )}
        <button type="button" onClick={onClose} aria-label="Close preview" className="ml-auto rounded-md p-1 text-ink-muted hover:bg-sunken hover:text-ink">
          <X className="size-4" />
        </button>
      </div>
      <div className="min-h-0 flex-1 overflow-auto p-3">
        {preview.isPending && <p className="text-xs text-ink-muted">Loading the preview…</p>}
        {preview.error && <p className="rounded-md bg-rose-50 px-3 py-2 text-xs text-rose-800">{preview.error.message}</p>}
        {preview.data && <DataTable columns={preview.data.dataset.columns} rows={preview.data.rows} totalRows={preview.data.dataset.rows} caption={`Output of ${nodeId}`} />}
      </div>
    </section>
  );
}
