"use client";
// Filters of a dataset view: a small form (column, comparison, value) and the filters in force as
// chips to remove. Number columns compare as numbers (a score column also takes "50 %"); any
// other column as text: contains (any case) or is exactly.
import { Plus, X } from "lucide-react";
import { useId, useState, type FormEvent } from "react";
import { NUMBER_OPS, OP_LABEL, parseFilterNumber, percent, TEXT_OPS, type ViewFilter } from "../../../lib/dataset-view";
import type { ExplorerColumn } from "./explorer-table";

/** A filter in words: `churn_score ≥ 50.0 %`, `plan contains "gold"`. */
export function filterText(f: ViewFilter, columns: ExplorerColumn[]): string {
  if (typeof f.value === "string") return `${f.column} ${OP_LABEL[f.op]} "${f.value}"`;
  const col = columns.find((c) => c.name === f.column);
  return `${f.column} ${OP_LABEL[f.op]} ${col?.percent ? percent(f.value) : String(f.value)}`;
}

const input = "h-7 rounded-md border border-line bg-surface px-2 text-xs text-ink focus:border-ink focus:outline-none";

export function FilterForm({ columns, onAdd, onCancel }: { columns: ExplorerColumn[]; onAdd(f: ViewFilter): void; onCancel(): void }) {
  const id = useId();
  const [name, setName] = useState(columns[0]?.name ?? "");
  const column = columns.find((c) => c.name === name);
  const numeric = column?.kind === "number";
  const ops: readonly string[] = numeric ? NUMBER_OPS : TEXT_OPS;
  const [op, setOp] = useState<string>(numeric ? ">=" : "contains");
  const [value, setValue] = useState("");
  const [problem, setProblem] = useState<string | null>(null);

  function chooseColumn(next: string) {
    setName(next);
    const kind = columns.find((c) => c.name === next)?.kind;
    setOp(kind === "number" ? ">=" : "contains");
    setProblem(null);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!column) return;
    if (numeric) {
      const n = parseFilterNumber(value);
      if (n === undefined) return setProblem(column.percent ? "Enter a number, such as 0.5 or 50 %" : "Enter a number, such as 10 or -2.5");
      onAdd({ column: column.name, op: op as (typeof NUMBER_OPS)[number], value: n });
    } else {
      if (!value) return setProblem("Enter the text to look for");
      onAdd({ column: column.name, op: op as (typeof TEXT_OPS)[number], value });
    }
  }

  return (
    <form onSubmit={submit} aria-label="New filter" className="flex flex-wrap items-center gap-1.5">
      <label htmlFor={`${id}-col`} className="sr-only">
        Filter column
      </label>
      <select id={`${id}-col`} value={name} onChange={(e) => chooseColumn(e.target.value)} className={input}>
        {columns.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-op`} className="sr-only">
        Comparison
      </label>
      <select id={`${id}-op`} value={op} onChange={(e) => setOp(e.target.value)} className={input}>
        {ops.map((o) => (
          <option key={o} value={o}>
            {OP_LABEL[o as keyof typeof OP_LABEL]}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-value`} className="sr-only">
        Filter value
      </label>
      <input
        id={`${id}-value`}
        value={value}
        autoFocus
        onChange={(e) => {
          setValue(e.target.value);
          setProblem(null);
        }}
        placeholder={numeric ? (column?.percent ? "0.5 or 50 %" : "a number") : "text"}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-problem` : undefined}
        className={`${input} w-28`}
      />
      <button type="submit" className="h-7 rounded-md bg-ink px-2.5 text-xs font-medium text-canvas hover:bg-ink/90">
        Apply filter
      </button>
      <button type="button" onClick={onCancel} className="h-7 rounded-md px-2 text-xs text-ink-muted hover:bg-sunken hover:text-ink">
        Cancel
      </button>
      {problem && (
        <span id={`${id}-problem`} className="text-xs text-rose-700">
          {problem}
        </span>
      )}
    </form>
  );
}

export function FilterChips({ filters, columns, onRemove }: { filters: ViewFilter[]; columns: ExplorerColumn[]; onRemove(index: number): void }) {
  if (!filters.length) return null;
  return (
    <ul aria-label="Filters" className="flex flex-wrap items-center gap-1.5">
      {filters.map((f, i) => {
        const text = filterText(f, columns);
        return (
          <li key={`${i}-${text}`} className="flex items-center gap-1 rounded-full bg-sky-50 py-0.5 pr-1 pl-2.5 text-xs text-sky-900 ring-1 ring-sky-600/20 ring-inset">
            <span className="max-w-[16rem] truncate" title={text}>
              {text}
            </span>
            <button type="button" onClick={() => onRemove(i)} aria-label={`Remove filter ${text}`} className="rounded-full p-0.5 hover:bg-sky-100">
              <X className="size-3" aria-hidden />
            </button>
          </li>
        );
      })}
    </ul>
  );
}

export function AddFilterButton({ onClick }: { onClick(): void }) {
  return (
    <button type="button" onClick={onClick} className="flex h-7 items-center gap-1 rounded-md border border-line px-2 text-xs text-ink-soft hover:bg-sunken hover:text-ink">
      <Plus className="size-3.5" aria-hidden />
      Filter
    </button>
  );
}
