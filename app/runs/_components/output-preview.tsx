"use client";
// A node's table output, loaded only when asked for: sorted, filtered and searched over all its
// rows, with downloads (the same explorer as the editor's preview). It opens right under the
// button clicked, scrolled into view with focus in it; Escape or Close gives focus back.
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle, X } from "lucide-react";
import { useState } from "react";
import { DatasetExplorer } from "@/app/_components/dataset-explorer/dataset-explorer";
import { usePreviewFocus } from "@/app/_components/preview-focus";
import { Problem } from "@/app/_components/ui";
import { useTRPC } from "@/trpc/react";
import { errorText } from "./hooks";

const count = new Intl.NumberFormat("en-US");

export function OutputPreview({ runId, nodeId, name, ports, onClose }: { runId: string; nodeId: string; name: string; ports: string[]; onClose(): void }) {
  const trpc = useTRPC();
  const focus = usePreviewFocus<HTMLElement>(onClose);
  const [port, setPort] = useState<string | undefined>(ports[0]);
  // Outputs are immutable once written: no need to ask again while the page is open.
  const preview = useQuery({ ...trpc.run.preview.queryOptions({ runId, nodeId, port }), staleTime: Infinity });
  // The flow's name, for the download's file name (the run page has asked for the run already).
  const flowName = useQuery({ ...trpc.run.get.queryOptions({ runId }), staleTime: Infinity }).data?.run.flowName;

  const close = (
    <button type="button" onClick={onClose} aria-label="Close preview" className="rounded-md p-1 text-ink-muted hover:bg-sunken hover:text-ink">
      <X className="size-4" aria-hidden="true" />
    </button>
  );
  return (
    <section {...focus.props} aria-label={`Output of ${name}`} data-testid="run-preview" className="mt-3 space-y-2 scroll-mt-4 rounded-lg outline-none">
      {ports.length > 1 && (
        <div role="group" aria-label="Output" className="inline-flex rounded-lg border border-line bg-sunken p-0.5 text-xs">
          {ports.map((p) => (
            <button
              key={p}
              type="button"
              aria-pressed={p === port}
              onClick={() => setPort(p)}
              className={`rounded-md px-2.5 py-1 font-mono ${p === port ? "bg-surface text-ink shadow-xs" : "text-ink-muted hover:text-ink"}`}
            >
              {p}
            </button>
          ))}
        </div>
      )}
      {preview.isPending ? (
        <div className="flex items-center justify-between">
          <p className="flex items-center gap-2 py-3 text-xs text-ink-muted" role="status">
            <LoaderCircle className="size-3.5 animate-spin" aria-hidden="true" />
            Loading the first rows…
          </p>
          {close}
        </div>
      ) : preview.isError ? (
        <div className="flex items-start gap-2">
          <Problem>Could not load the output: {errorText(preview.error)}</Problem>
          {close}
        </div>
      ) : (
        <DatasetExplorer
          key={preview.data.dataset.id}
          datasetId={preview.data.dataset.id}
          totalRows={preview.data.dataset.rows}
          caption={`${name} · ${preview.data.port}: ${count.format(preview.data.dataset.rows)} rows`}
          fileName={[flowName, name, ports.length > 1 ? preview.data.port : undefined].filter(Boolean).join(" ")}
          trailing={close}
        />
      )}
    </section>
  );
}
