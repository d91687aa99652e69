"use client";
// The pieces every field of the config form is built from: the shared context and props, the
// label/help/error shell, input styles, and the list helpers.
import type { ReactNode } from "react";
import { typeWord } from "@/app/_components/type-words";
import type { FieldDescriptor } from "../_lib/json-schema-form";
import type { FieldDraft } from "../_store/flow-store";

export type Config = Record<string, unknown>;
export type Column = { name: string; type: string };

export interface FormCtx {
  nodeId: string;
  value: Config;
  /** Applies a change to the latest value (safe after an await). */
  update(fn: (v: Config) => Config): void;
  errorsByField: Record<string, string[]>;
  columns?: Column[];
  files?: { id: string; name: string; rows: number | null }[];
  onUploaded?(file: { id: string; name: string }): void;
  /** Text typed into fields that is not a valid value, by field path. */
  drafts?: Record<string, FieldDraft>;
  /** A field's text is not a valid value (or is again, with null). Stable across renders. */
  onDraft?(path: string, draft: FieldDraft | null): void;
}

export const SUGGESTIONS_SHOWN = 24;
export const BASE_INPUT = "h-8 w-full min-w-0 rounded-md border bg-surface px-2 text-sm text-ink placeholder:text-ink-muted focus:outline-none disabled:cursor-not-allowed disabled:opacity-60";

export function inputClass(invalid: boolean): string {
  return invalid
    ? `${BASE_INPUT} border-rose-500 ring-1 ring-rose-500 focus:ring-2 focus:ring-rose-500/40`
    : `${BASE_INPUT} border-line focus:border-accent focus:ring-2 focus:ring-accent/20`;
}

export const BUTTON =
  "inline-flex h-8 shrink-0 items-center gap-1.5 rounded-md border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-sunken disabled:cursor-not-allowed disabled:opacity-50";

export const fieldId = (nodeId: string, path: string) => `${nodeId}-${path}`;
export const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

export function rowsText(rows: number | null): string {
  if (rows === null) return "";
  return ` (${rows.toLocaleString("en-US")} ${rows === 1 ? "row" : "rows"})`;
}

/** Defaults of a list, when it has a list default. */
export function listDefault(field: FieldDescriptor): unknown[] {
  return Array.isArray(field.default) ? field.default : [];
}

/** What a list becomes when the user empties it: the key removed, unless [] means something else than the default. */
export function emptied(field: FieldDescriptor): unknown[] | undefined {
  return listDefault(field).length > 0 && (field.minItems ?? 0) === 0 ? [] : undefined;
}

export interface FieldProps {
  field: FieldDescriptor;
  /** Where the field's own segments start (an object-list item's path; [] at the top). */
  base: string[];
  segments: string[];
  path: string;
  id: string;
  current: unknown;
  present: boolean;
  set(next: unknown): void;
  ctx: FormCtx;
  errors: string[];
  invalid: boolean;
  /** aria-describedby for the control. */
  described?: string;
  helpId?: string;
  errorId?: string;
}

export function RequiredMark({ field }: { field: FieldDescriptor }) {
  if (!field.required || field.hasDefault) return null;
  return (
    <span aria-hidden className="text-[10px] font-medium tracking-wide text-ink-muted uppercase">
      required
    </span>
  );
}

export function Help({ id, children }: { id?: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={id} className="text-xs leading-snug text-ink-muted">
      {children}
    </p>
  );
}

export function Errors({ id, errors }: { id?: string; errors: string[] }) {
  if (!errors.length) return null;
  return (
    <ul id={id} className="space-y-0.5 text-xs leading-snug text-rose-700">
      {errors.map((e, i) => (
        <li key={i}>{e}</li>
      ))}
    </ul>
  );
}

/** Label (tied to the control), help, the control, problems: the shape of every plain field. */
export function Shell({ p, children, note }: { p: FieldProps; children: ReactNode; note?: ReactNode }) {
  return (
    <div className="space-y-1.5">
      <div className="flex items-baseline justify-between gap-2">
        <label htmlFor={p.id} className="text-xs font-medium text-ink">
          {p.field.label}
        </label>
        <RequiredMark field={p.field} />
      </div>
      <Help id={p.helpId}>{p.field.description}</Help>
      {children}
      {note}
      <Errors id={p.errorId} errors={p.errors} />
    </div>
  );
}

export function requiredAttr(field: FieldDescriptor): boolean | undefined {
  return field.required && !field.hasDefault ? true : undefined;
}

// ---------------------------------------------------------------------------------------------
// Scalars

export function ColumnOptions({ id, columns }: { id: string; columns: Column[] }) {
  return (
    <datalist id={id}>
      {columns.map((c) => (
        <option key={c.name} value={c.name} label={typeWord(c.type)} />
      ))}
    </datalist>
  );
}
