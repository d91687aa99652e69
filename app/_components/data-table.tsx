// A compact preview of rows as DuckDB returned them (through superjson: bigint and Date survive).
// Pure rendering, no hooks: usable from server and client components alike.
import type { ReactNode } from "react";
import { formatCell } from "./cell-format";
import { typeTitle, typeWord } from "./type-words";

export interface DataColumn {
  name: string;
  type: string;
}

const NUMERIC = /^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/i;
const count = (n: number) => n.toLocaleString("en-US");

/** One value in a table cell, as formatCell says (`asPercent`: a score column shown as a percentage). */
export function DataCell({ value, type, asPercent = false }: { value: unknown; type: string; asPercent?: boolean }): ReactNode {
  const { text, look, title } = formatCell(value, type, asPercent);
  if (look === "empty") return <span className="text-ink-muted/70 italic">{text}</span>;
  if (look === "flag") return <span className="font-mono text-xs">{text}</span>;
  if (look === "number") return title === undefined ? text : <span title={title}>{text}</span>;
  return (
    <span className={`block max-w-[22rem] truncate ${look === "code" ? "font-mono text-xs" : ""}`} title={title}>
      {text}
    </span>
  );
}

export function DataTable({ columns, rows, caption, totalRows }: { columns: DataColumn[]; rows: Record<string, unknown>[]; caption?: string; totalRows?: number }) {
  const numeric = columns.map((c) => NUMERIC.test(c.type) || rows.some((r) => typeof r[c.name] === "number" || typeof r[c.name] === "bigint"));
  return (
    <div className="overflow-hidden rounded-xl border border-line bg-surface shadow-xs">
      <div className="max-h-80 overflow-auto">
        <table aria-label={caption ?? "Data preview"} className="w-full border-separate border-spacing-0 text-left text-sm">
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th
                  key={c.name}
                  scope="col"
                  className={`sticky top-0 z-[1] border-b border-line bg-sunken px-3 py-2 align-bottom font-medium whitespace-nowrap text-ink ${numeric[i] ? "text-right" : ""}`}
                >
                  <div className="text-xs">{c.name}</div>
                  <div className="mt-0.5 text-[11px] font-normal text-ink-muted" title={typeTitle(c.type)}>
                    {typeWord(c.type)}
                  </div>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, ri) => (
              <tr key={ri} className="hover:bg-sunken/40">
                {columns.map((c, i) => (
                  <td
                    key={c.name}
                    className={`border-b border-line/70 px-3 py-1.5 whitespace-nowrap text-ink-soft ${numeric[i] ? "text-right tabular-nums" : ""}`}
                  >
                    <DataCell value={r[c.name]} type={c.type} />
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {rows.length === 0 && <p className="px-3 py-6 text-center text-sm text-ink-muted">No rows</p>}
      </div>
      {totalRows !== undefined && (
        <p className="border-t border-line bg-sunken/40 px-3 py-2 text-xs text-ink-muted">
          Showing {count(rows.length)} of {count(totalRows)} {totalRows === 1 ? "row" : "rows"}
          {columns.length > 0 && <> · {count(columns.length)} columns</>}
        </p>
      )}
    </div>
  );
}
