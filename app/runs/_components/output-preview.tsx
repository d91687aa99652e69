"use client";
// The first rows of a node's table output, loaded only when asked for.
import { useQuery } from "@tanstack/react-query";
import { LoaderCircle } from "lucide-react";
import { useState } from "react";
import { DataTable } from "@/app/_components/data-table";
import { Problem } from "@/app/_components/ui";
import { useTRPC } from "@/trpc/react";
import { errorText } from "./hooks";

const count = new Intl.NumberFormat("en-US");

export function OutputPreview({ runId, nodeId, ports }: { runId: string; nodeId: string; ports: string[] }) {
  const trpc = useTRPC();
  const [port, setPort] = useState<string | undefined>(ports[0]);
  // Outputs are immutable once written: no need to ask again while the page is open.
  const preview = useQuery({ ...trpc.run.preview.queryOptions({ runId, nodeId, port }), staleTime: Infinity });

  return (
    <div className="mt-3 space-y-2">
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
        <p className="flex items-center gap-2 py-3 text-xs text-ink-muted" role="status">
          <LoaderCircle className="size-3.5 animate-spin" aria-hidden="true" />
          Loading the first rows…
        </p>
      ) : preview.isError ? (
        <Problem>Could not load the output: {errorText(preview.error)}</Problem>
      ) : (
        <DataTable
          columns={preview.data.dataset.columns}
          rows={preview.data.rows}
          totalRows={preview.data.dataset.rows}
          caption={`${nodeId} · ${preview.data.port}: first ${count.format(preview.data.rows.length)} of ${count.format(preview.data.dataset.rows)} rows`}
        />
      )}
    </div>
  );
}
