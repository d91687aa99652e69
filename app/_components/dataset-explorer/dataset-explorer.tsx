"use client";
// A run's dataset, explored over all its rows: click a header to sort, add filters, search every
// text column, and download the result or the whole dataset. DuckDB does the work on the server
// (dataset.view); this shows 100 rows of the answer and how many rows match.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Search, X } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { isShaped, type ViewFilter, type ViewSpec } from "@/lib/dataset-view";
import { useTRPC } from "@/trpc/react";
import { DownloadMenu } from "./download-menu";
import { AddFilterButton, FilterChips, FilterForm } from "./explorer-filters";
import { ExplorerTable } from "./explorer-table";

const SHOWN = 100;
const count = (n: number) => n.toLocaleString("en-US");

/** `value`, once it has stopped changing for `ms`. */
function useSettled<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return settled;
}

function Summary({ shown, matching, total, shaped }: { shown: number; matching: number; total: number; shaped: boolean }) {
  if (!shaped) return <>Showing {count(shown)} of {count(total)} {total === 1 ? "row" : "rows"}</>;
  return (
    <>
      Showing {count(shown)} of <strong className="font-semibold text-ink">{count(matching)}</strong> matching {matching === 1 ? "row" : "rows"} ({count(total)} in all)
    </>
  );
}

export function DatasetExplorer({
  datasetId,
  totalRows,
  caption,
  fileName,
  tableClassName = "max-h-80",
  leading,
  trailing,
}: {
  datasetId: string;
  totalRows: number;
  /** The table's accessible name. */
  caption: string;
  /** What downloads are called (a node's name). */
  fileName?: string;
  /** Height rules for the scrolling table. */
  tableClassName?: string;
  /** Shown on the tools' line, before them (a title, a node's ports) and after them (a close button). */
  leading?: ReactNode;
  trailing?: ReactNode;
}) {
  const trpc = useTRPC();
  const [sort, setSort] = useState<ViewSpec["sort"]>();
  const [filters, setFilters] = useState<ViewFilter[]>([]);
  const [typed, setTyped] = useState("");
  const search = useSettled(typed.trim(), 300);
  const [adding, setAdding] = useState(false);
  const spec: ViewSpec = { sort, filters, search };
  const shaped = isShaped(spec);
  // Datasets never change: an answer stays right for as long as the page is open.
  const view = useQuery({ ...trpc.dataset.view.queryOptions({ id: datasetId, view: spec, limit: SHOWN }), placeholderData: keepPreviousData, staleTime: Infinity });
  const data = view.data;
  const textColumns = data?.columns.filter((c) => c.kind === "text").length ?? 0;

  return (
    <div className="flex min-h-0 flex-1 flex-col gap-2">
      <div className="flex items-start gap-2">
        <div className="flex min-w-0 flex-1 flex-wrap items-center gap-2">
          {leading}
          <div className="relative">
            <Search className="pointer-events-none absolute top-1.5 left-2 size-3.5 text-ink-muted" aria-hidden />
            <input
              type="search"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              aria-label="Search every text column"
              placeholder={textColumns ? `Search ${textColumns} text column${textColumns === 1 ? "" : "s"}` : "Search text columns"}
              className="h-7 w-48 rounded-md border border-line bg-surface pr-2 pl-7 text-xs text-ink focus:border-ink focus:outline-none"
            />
          </div>
          {!adding && <AddFilterButton onClick={() => setAdding(true)} />}
          {data && <FilterChips filters={filters} columns={data.columns} onRemove={(i) => setFilters((fs) => fs.filter((_, j) => j !== i))} />}
          {shaped && (
            <button
              type="button"
              onClick={() => {
                setSort(undefined);
                setFilters([]);
                setTyped("");
              }}
              className="flex h-7 items-center gap-1 rounded-md px-2 text-xs text-ink-muted hover:bg-sunken hover:text-ink"
            >
              <X className="size-3" aria-hidden />
              Clear
            </button>
          )}
          <div className="ml-auto">
            <DownloadMenu datasetId={datasetId} spec={spec} matchingRows={data?.matchingRows} totalRows={totalRows} name={fileName} />
          </div>
        </div>
        {trailing}
      </div>
      {adding && data && (
        <FilterForm
          columns={data.columns}
          onCancel={() => setAdding(false)}
          onAdd={(f) => {
            setFilters((fs) => [...fs, f]);
            setAdding(false);
          }}
        />
      )}
      {view.error && <p className="rounded-md bg-rose-50 px-3 py-2 text-xs text-rose-800">{view.error.message}</p>}
      {!data && view.isPending && <p className="text-xs text-ink-muted">Loading the rows…</p>}
      {data && (
        <div className="flex min-h-0 flex-1 flex-col overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
          <div className={`min-h-0 flex-1 overflow-auto ${tableClassName}`}>
            <ExplorerTable columns={data.columns} rows={data.rows} caption={caption} sort={sort} onSort={setSort} busy={view.isFetching} />
            {data.rows.length === 0 && <p className="px-3 py-6 text-center text-sm text-ink-muted">{shaped ? "No rows match" : "No rows"}</p>}
          </div>
          <p aria-live="polite" data-testid="view-summary" className="border-t border-line bg-sunken/40 px-3 py-1.5 text-xs text-ink-muted">
            <Summary shown={data.rows.length} matching={data.matchingRows} total={data.totalRows} shaped={shaped} /> · {count(data.columns.length)} columns
            {sort && (
              <>
                {" "}
                · sorted by <span className="font-medium text-ink">{sort.column}</span> {sort.direction === "desc" ? "↓" : "↑"}
              </>
            )}
          </p>
        </div>
      )}
    </div>
  );
}
