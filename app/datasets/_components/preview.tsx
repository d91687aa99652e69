"use client";
// The first rows of one file or dataset, fetched when it is selected; shown right under its row,
// scrolled into view with focus in it. Escape or Close gives focus back to its Preview button.
import { useQuery } from "@tanstack/react-query";
import { X } from "lucide-react";
import { DataTable } from "@/app/_components/data-table";
import { usePreviewFocus } from "@/app/_components/preview-focus";
import { useTRPC } from "@/trpc/react";

export interface Selection {
  id: string;
  label: string;
}

export function PreviewPanel({ selection, opener, onClose }: { selection: Selection; opener: HTMLElement | null; onClose: () => void }) {
  const trpc = useTRPC();
  const preview = useQuery(trpc.dataset.preview.queryOptions({ id: selection.id }));
  const focus = usePreviewFocus<HTMLElement>(onClose, opener);
  return (
    <section {...focus.props} aria-label={`Preview of ${selection.label}`} data-testid="dataset-preview" className="rounded-lg outline-none">
      <div className="mb-2 flex items-center justify-between gap-3">
        <h3 className="min-w-0 truncate text-sm font-medium text-ink">
          <span className="text-ink-muted">Preview · </span>
          {selection.label}
        </h3>
        <button type="button" onClick={onClose} aria-label="Close preview" className="rounded-md p-1 text-ink-muted hover:bg-sunken hover:text-ink">
          <X className="size-4" aria-hidden="true" />
        </button>
      </div>
      {preview.isPending ? (
        <div className="grid h-40 place-items-center rounded-xl border border-line bg-surface text-sm text-ink-muted">Reading the first rows…</div>
      ) : preview.isError ? (
        <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-800">
          Could not preview {selection.label}: {preview.error.message}
        </p>
      ) : (
        <DataTable columns={preview.data.columns} rows={preview.data.rows} totalRows={preview.data.totalRows} caption={`First rows of ${selection.label}`} />
      )}
    </section>
  );
}
