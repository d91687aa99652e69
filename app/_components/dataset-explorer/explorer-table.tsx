"use client";
// The rows of a dataset view: headers that sort the whole dataset when clicked (highest first,
// then lowest first, then the file's order), scores as percentages with the raw value on hover.
import { ArrowDown, ArrowUp, ArrowUpDown } from "lucide-react";
import type { ViewSpec } from "../../../lib/dataset-view";
import { DataCell } from "../data-table";
import { typeTitle, typeWord } from "../type-words";

export interface ExplorerColumn {
  name: string;
  type: string;
  kind: "number" | "text" | "other";
  role: "id" | "score" | null;
  percent: boolean;
}

type Sort = ViewSpec["sort"];

/** The next sort when a header is clicked: highest first, then lowest first, then none. */
export function nextSort(sort: Sort, column: string): Sort {
  if (sort?.column !== column) return { column, direction: "desc" };
  return sort.direction === "desc" ? { column, direction: "asc" } : undefined;
}

function sortHint(sort: Sort, column: ExplorerColumn): string {
  const [high, low] = column.kind === "number" ? ["highest first", "lowest first"] : ["Z to A", "A to Z"];
  if (sort?.column !== column.name) return `Sort all rows by ${column.name}, ${high}`;
  return sort.direction === "desc" ? `Sorted by ${column.name}, ${high}. Click for ${low}` : `Sorted by ${column.name}, ${low}. Click to stop sorting`;
}

export function ExplorerTable({
  columns,
  rows,
  caption,
  sort,
  onSort,
  busy,
}: {
  columns: ExplorerColumn[];
  rows: Record<string, unknown>[];
  caption: string;
  sort: Sort;
  onSort(sort: Sort): void;
  busy: boolean;
}) {
  return (
    <table aria-label={caption} aria-busy={busy} className={`w-full border-separate border-spacing-0 text-left text-sm ${busy ? "opacity-60" : ""}`}>
      <thead>
        <tr>
          {columns.map((c) => {
            const sorted = sort?.column === c.name ? sort.direction : undefined;
            const Icon = sorted === "desc" ? ArrowDown : sorted === "asc" ? ArrowUp : ArrowUpDown;
            return (
              <th
                key={c.name}
                scope="col"
                aria-sort={sorted === "desc" ? "descending" : sorted === "asc" ? "ascending" : "none"}
                className={`sticky top-0 z-[1] border-b border-line bg-sunken p-0 align-bottom font-medium whitespace-nowrap text-ink ${c.kind === "number" ? "text-right" : ""}`}
              >
                <button
                  type="button"
                  onClick={() => onSort(nextSort(sort, c.name))}
                  title={sortHint(sort, c)}
                  className={`group flex w-full flex-col px-3 py-1.5 hover:bg-line/40 ${c.kind === "number" ? "items-end" : "items-start"}`}
                >
                  <span className="flex items-center gap-1 text-xs">
                    {c.name}
                    <Icon aria-hidden className={`size-3 ${sorted ? "text-ink" : "text-ink-muted/50 group-hover:text-ink-muted"}`} />
                  </span>
                  <span className="mt-0.5 text-[11px] font-normal text-ink-muted" title={c.percent ? `${typeTitle(c.type)}, shown as a percentage` : typeTitle(c.type)}>
                    {typeWord(c.type)}
                    {c.percent ? " · %" : ""}
                  </span>
                </button>
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, ri) => (
          <tr key={ri} className="hover:bg-sunken/40">
            {columns.map((c) => (
              <td key={c.name} className={`border-b border-line/70 px-3 py-1.5 whitespace-nowrap text-ink-soft ${c.kind === "number" ? "text-right tabular-nums" : ""} ${c.role ? "font-medium text-ink" : ""}`}>
                <DataCell value={r[c.name]} type={c.type} asPercent={c.percent} />
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
