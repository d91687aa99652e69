"use client";
// A finished node's output under the canvas: its rows sorted, filtered and searched over the whole
// dataset (identifier and score columns first), the matching count, and downloads.
import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useState } from "react";
import { DatasetExplorer } from "@/app/_components/dataset-explorer/dataset-explorer";
import { useTRPC } from "@/trpc/react";

export function PreviewPanel({ runId, nodeId, onClose }: { runId: string; nodeId: string; onClose(): void }) {
  const trpc = useTRPC();
  const [port, setPort] = useState<string | undefined>();
  // Which outputs the node has and the dataset of the chosen one.
  const preview = useQuery({ ...trpc.run.preview.queryOptions({ runId, nodeId, port }), staleTime: Infinity });
  // The flow's name, for the download's file name (the editor asks for the run already).
  const flowName = useQuery({ ...trpc.run.get.queryOptions({ runId }), staleTime: Infinity }).data?.run.flowName;
  const data = preview.data;

  const title = (
    <>
      <h2 className="text-sm font-semibold whitespace-nowrap text-ink">
        Output of <span className="font-mono">{nodeId}</span>
      </h2>
      {data && data.ports.length > 1 && (
        <div className="flex gap-1" role="tablist">
          {data.ports.map((p) => (
            <button
              key={p}
              type="button"
              role="tab"
              aria-selected={p === data.port}
              onClick={() => setPort(p)}
              className={`rounded-md px-2 py-0.5 text-xs ${p === data.port ? "bg-ink text-canvas" : "text-ink-soft hover:bg-sunken"}`}
            >
              {p}
            </button>
          ))}
        </div>
      )}
    </>
  );
  const close = (
    <button type="button" onClick={onClose} aria-label="Close preview" className="rounded-md p-1 text-ink-muted hover:bg-sunken hover:text-ink">
      <X className="size-4" />
    </button>
  );

  // One line for the title, the tools and the close button, so the rows get the height.
  return (
    <section aria-label={`Output of ${nodeId}`} className="flex h-[38%] min-h-48 shrink-0 flex-col border-t border-line bg-surface px-3 py-2">
      {data ? (
        <DatasetExplorer
          key={data.dataset.id}
          datasetId={data.dataset.id}
          totalRows={data.dataset.rows}
          caption={`Output of ${nodeId}`}
          fileName={[flowName, nodeId, data.ports.length > 1 ? data.port : undefined].filter(Boolean).join(" ")}
          tableClassName=""
          leading={title}
          trailing={close}
        />
      ) : (
        <>
          <div className="flex items-center gap-3">
            {title}
            <div className="ml-auto">{close}</div>
          </div>
          {preview.isPending && <p className="mt-2 text-xs text-ink-muted">Loading the preview…</p>}
          {preview.error && <p className="mt-2 rounded-md bg-rose-50 px-3 py-2 text-xs text-rose-800">{preview.error.message}</p>}
        </>
      )}
    </section>
  );
}
