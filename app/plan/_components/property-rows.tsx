"use client";
// The table of properties in the entry editor: one row each (name, type, required, the rules that
// fit the type, other rules kept as they are), with Remove per row.
import { Trash2 } from "lucide-react";
import { useId, type ReactNode } from "react";
import { SMALL_SELECT, TABLE } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { changeType, stableJson, TYPE_LABELS, type PropRow, type PropType } from "./schema-form";

const CELL_INPUT =
  "h-9 w-full min-w-0 rounded-lg border border-line bg-surface px-2 text-sm text-ink outline-none placeholder:text-ink-muted/70 focus:border-accent focus:ring-2 focus:ring-accent/20 read-only:bg-sunken read-only:text-ink-soft";

const EDITABLE_TYPES: PropType[] = ["text", "number", "integer", "boolean", "datetime"];

function SmallField({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <label htmlFor={id} className="block text-xs text-ink-muted">
        {label}
      </label>
      {children}
    </div>
  );
}

function PropertyRow({ row, index, readOnly, onChange, onRemove }: { row: PropRow; index: number; readOnly: boolean; onChange: (row: PropRow) => void; onRemove: () => void }) {
  const id = useId();
  const set = (patch: Partial<PropRow>) => onChange({ ...row, ...patch });
  const who = row.name.trim() || `row ${index + 1}`;
  const kept = row.type === "other" ? (row.raw !== undefined ? row.raw : row.other) : row.other;
  const hasKept = row.type === "other" || Object.keys(row.other).length > 0;
  return (
    <tr>
      <td className={`${TABLE.td} align-top`}>
        <label htmlFor={`${id}-name`} className="sr-only">
          Property name
        </label>
        <input id={`${id}-name`} className={CELL_INPUT} value={row.name} readOnly={readOnly} maxLength={200} placeholder="e.g. plan" onChange={(e) => set({ name: e.target.value })} />
      </td>
      <td className={`${TABLE.td} align-top`}>
        <label htmlFor={`${id}-type`} className="sr-only">
          Type
        </label>
        <select id={`${id}-type`} className={`${SMALL_SELECT} w-full`} value={row.type} disabled={readOnly} onChange={(e) => onChange(changeType(row, e.target.value as PropType))}>
          {(row.type === "other" ? [...EDITABLE_TYPES, "other" as const] : EDITABLE_TYPES).map((t) => (
            <option key={t} value={t}>
              {TYPE_LABELS[t]}
            </option>
          ))}
        </select>
      </td>
      <td className={`${TABLE.td} text-center align-top`}>
        <label htmlFor={`${id}-required`} className="sr-only">
          Required
        </label>
        <input id={`${id}-required`} type="checkbox" className="mt-2.5 size-4 accent-accent" checked={row.required} disabled={readOnly} onChange={(e) => set({ required: e.target.checked })} />
      </td>
      <td className={`${TABLE.td} align-top`}>
        <div className="grid gap-2">
          {row.type === "text" && (
            <>
              <SmallField id={`${id}-allowed`} label="Allowed values (comma-separated)">
                <input id={`${id}-allowed`} className={CELL_INPUT} value={row.allowed} readOnly={readOnly} placeholder="e.g. free, pro, team" onChange={(e) => set({ allowed: e.target.value })} />
              </SmallField>
              <SmallField id={`${id}-pattern`} label="Pattern (regular expression)">
                <input id={`${id}-pattern`} className={`${CELL_INPUT} font-mono`} value={row.pattern} readOnly={readOnly} placeholder="e.g. ^[A-Z]{3}$" onChange={(e) => set({ pattern: e.target.value })} />
              </SmallField>
            </>
          )}
          {(row.type === "number" || row.type === "integer") && (
            <div className="grid grid-cols-2 gap-2">
              <SmallField id={`${id}-min`} label="Minimum">
                <input id={`${id}-min`} inputMode="decimal" className={CELL_INPUT} value={row.minimum} readOnly={readOnly} onChange={(e) => set({ minimum: e.target.value })} />
              </SmallField>
              <SmallField id={`${id}-max`} label="Maximum">
                <input id={`${id}-max`} inputMode="decimal" className={CELL_INPUT} value={row.maximum} readOnly={readOnly} onChange={(e) => set({ maximum: e.target.value })} />
              </SmallField>
            </div>
          )}
          {row.type === "datetime" && <p className="pt-2 text-xs text-ink-muted">A date like 2024-05-01, optionally with a time like 2024-05-01T10:20:30Z.</p>}
          {row.type === "boolean" && <p className="pt-2 text-xs text-ink-muted">true or false.</p>}
          {hasKept && (
            <div>
              <p className="text-xs text-ink-muted">Other rules (kept as they are)</p>
              <code className="block rounded bg-sunken px-2 py-1 font-mono text-xs break-all text-ink-soft">{stableJson(kept)}</code>
            </div>
          )}
        </div>
      </td>
      {!readOnly && (
        <td className={`${TABLE.td} align-top`}>
          <button type="button" className={BUTTON.secondary} onClick={onRemove} aria-label={`Remove ${who}`}>
            <Trash2 className="size-4" aria-hidden="true" />
            Remove
          </button>
        </td>
      )}
    </tr>
  );
}

export function PropertyRows({ rows, readOnly, onChange }: { rows: PropRow[]; readOnly: boolean; onChange: (rows: PropRow[]) => void }) {
  if (rows.length === 0) return <p className="rounded-lg border border-dashed border-line px-4 py-4 text-sm text-ink-muted">No properties listed.</p>;
  return (
    <div className="overflow-x-auto rounded-xl border border-line">
      <table className={TABLE.table}>
        <thead className={TABLE.head}>
          <tr>
            <th className={`${TABLE.th} w-48`}>Property name</th>
            <th className={`${TABLE.th} w-40`}>Type</th>
            <th className={`${TABLE.th} w-20 text-center`}>Required</th>
            <th className={TABLE.th}>Rules</th>
            {!readOnly && <th className={`${TABLE.th} w-28`}>
              <span className="sr-only">Actions</span>
            </th>}
          </tr>
        </thead>
        <tbody className={TABLE.body}>
          {rows.map((row, i) => (
            <PropertyRow
              key={row.key}
              row={row}
              index={i}
              readOnly={readOnly}
              onChange={(next) => onChange(rows.map((r) => (r.key === row.key ? next : r)))}
              onRemove={() => onChange(rows.filter((r) => r.key !== row.key))}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
