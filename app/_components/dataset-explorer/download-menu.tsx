"use client";
// Download a dataset as CSV or Parquet: either the rows as the view shows them (its sort, filters
// and search, columns in the order shown) or the whole dataset as stored. The browser fetches the
// file from the download route, which streams it.
import { Download } from "lucide-react";
import { useEffect, useId, useRef, useState } from "react";
import { downloadUrl, isShaped, type ViewSpec } from "@/lib/dataset-view";

const count = (n: number) => n.toLocaleString("en-US");
const rows = (n: number) => `${count(n)} ${n === 1 ? "row" : "rows"}`;

export function DownloadMenu({ datasetId, spec, matchingRows, totalRows, name }: { datasetId: string; spec: ViewSpec; matchingRows?: number; totalRows: number; name?: string }) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const shaped = isShaped(spec);
  const [which, setWhich] = useState<"view" | "whole">("view");
  const asShown = shaped && which === "view";
  const box = useRef<HTMLDivElement>(null);

  // Closes on a click elsewhere or Escape.
  useEffect(() => {
    if (!open) return;
    const away = (e: MouseEvent) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === "Escape") setOpen(false);
    };
    document.addEventListener("mousedown", away);
    document.addEventListener("keydown", esc);
    return () => {
      document.removeEventListener("mousedown", away);
      document.removeEventListener("keydown", esc);
    };
  }, [open]);

  const link = (format: "csv" | "parquet") => downloadUrl(datasetId, format, { spec: asShown ? spec : undefined, name });
  const what = asShown ? `${matchingRows === undefined ? "the matching rows" : rows(matchingRows)} as shown` : `all ${rows(totalRows)}`;

  return (
    <div ref={box} className="relative">
      <button
        type="button"
        onClick={() => setOpen((o) => !o)}
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        className="flex h-7 items-center gap-1.5 rounded-md border border-line px-2 text-xs font-medium text-ink-soft hover:bg-sunken hover:text-ink"
      >
        <Download className="size-3.5" aria-hidden />
        Download
      </button>
      {open && (
        <div id={`${id}-menu`} role="group" aria-label="Download" className="absolute top-8 right-0 z-20 w-72 rounded-lg border border-line bg-surface p-3 text-xs shadow-lg">
          {shaped ? (
            <fieldset className="space-y-1.5">
              <legend className="mb-1.5 font-medium text-ink">Which rows</legend>
              <label className="flex items-start gap-2">
                <input type="radio" name={`${id}-which`} checked={which === "view"} onChange={() => setWhich("view")} className="mt-0.5" />
                <span>
                  <span className="text-ink">As shown</span>
                  <span className="block text-ink-muted">
                    {matchingRows === undefined ? "The matching rows" : rows(matchingRows)}, with the current sort, filters and search; columns in the order shown
                  </span>
                </span>
              </label>
              <label className="flex items-start gap-2">
                <input type="radio" name={`${id}-which`} checked={which === "whole"} onChange={() => setWhich("whole")} className="mt-0.5" />
                <span>
                  <span className="text-ink">Whole dataset</span>
                  <span className="block text-ink-muted">All {rows(totalRows)} as stored, no sort or filter</span>
                </span>
              </label>
            </fieldset>
          ) : (
            <p className="text-ink-muted">The whole dataset: all {rows(totalRows)} as stored. Sort, filter or search first to download only those rows.</p>
          )}
          <div className="mt-3 flex gap-2">
            <a href={link("csv")} download onClick={() => setOpen(false)} className="flex-1 rounded-md bg-ink px-2 py-1.5 text-center font-medium text-canvas hover:bg-ink/90">
              CSV
            </a>
            <a href={link("parquet")} download onClick={() => setOpen(false)} className="flex-1 rounded-md border border-line px-2 py-1.5 text-center font-medium text-ink hover:bg-sunken">
              Parquet
            </a>
          </div>
          <p className="mt-2 text-ink-muted">
            Downloads {what}. In CSV, text that starts with =, +, - or @ gets a leading &apos; so spreadsheets do not run it.
          </p>
        </div>
      )}
    </div>
  );
}
