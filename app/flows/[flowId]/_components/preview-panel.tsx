"use client";
// A finished node's output, opened next to what was clicked (the settings panel's button, or the
// node): its rows sorted, filtered and searched over the whole dataset (identifier and score
// columns first), the matching count, and downloads. Focus moves in; Escape gives it back.
import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { useState, type CSSProperties } from "react";
import { DatasetExplorer } from "@/app/_components/dataset-explorer/dataset-explorer";
import { usePreviewFocus } from "@/app/_components/preview-focus";
import { nodeName } from "@/lib/node-name";
import { useTRPC } from "@/trpc/react";
import { useFlowStore } from "../_store/flow-store";
import { useCatalog } from "./catalog-context";

const count = new Intl.NumberFormat("en-US");

export function PreviewPanel({ runId, nodeId, place, opener, onClose }: { runId: string; nodeId: string; place: CSSProperties; opener: HTMLElement | null; onClose(): void }) {
  const trpc = useTRPC();
  const [port, setPort] = useState<string | undefined>();
  const focus = usePreviewFocus<HTMLElement>(onClose, opener);
  // Which outputs the node has and the dataset of the chosen one.
  const preview = useQuery({ ...trpc.run.preview.queryOptions({ runId, nodeId, port }), staleTime: Infinity });
  // The flow's name, for the download's file name, and whether the run was on a sample (the editor asks for the run already).
  const run = useQuery({ ...trpc.run.get.queryOptions({ runId }), staleTime: Infinity }).data?.run;
  const flowName = run?.flowName;
  const sample = run?.trigger?.sample;
  const data = preview.data;
  // The node by the name the canvas shows (its id is for the tooltip only).
  const node = useFlowStore((s) => s.nodes.find((n) => n.id === nodeId));
  const entry = useCatalog().get(node?.data.ref ?? "");
  const name = nodeName({ id: nodeId, label: node?.data.label }, entry?.label);

  const title = (
    <>
      <h2 className="text-sm font-semibold whitespace-nowrap text-ink">
        <span title={nodeId}>Output of {name}</span>
      </h2>
      {sample && <span className="rounded-full bg-amber-50 px-2 py-0.5 text-[11px] whitespace-nowrap text-amber-900">Sample run: {count.format(sample.rows)} rows per source</span>}
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
    <section
      {...focus.props}
      aria-label={`Output of ${name}`}
      data-testid="editor-preview"
      style={place}
      className="absolute z-20 flex flex-col rounded-xl border border-line bg-surface px-3 py-2 shadow-2xl outline-none"
    >
      {data ? (
        <DatasetExplorer
          key={data.dataset.id}
          datasetId={data.dataset.id}
          totalRows={data.dataset.rows}
          caption={`Output of ${name}`}
          fileName={[flowName, name, data.ports.length > 1 ? data.port : undefined].filter(Boolean).join(" ")}
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
