"use client";
// A node's settings as a form generated from its config JSON Schema. Made for a ~360 px side panel
// and for people who never type JSON: every kind of value has a real control, defaults are shown
// but never written until the field is changed, and the server's problems sit under their field.
import { Upload, X } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type JSX, type KeyboardEvent, type ReactNode } from "react";
import { uploadFile } from "@/app/_components/upload-client";
import {
  defaultPlaceholder,
  describeBounds,
  fieldsOf,
  formatValue,
  getAt,
  groupErrors,
  hasAt,
  numberInputAttrs,
  parseNumberInput,
  setAt,
  type FieldDescriptor,
  type Scalar,
} from "../_lib/json-schema-form";

export interface ConfigFormProps {
  nodeId: string;
  schema: Record<string, unknown>;
  value: Record<string, unknown>;
  onChange(next: Record<string, unknown>): void;
  errors: Record<string, string[]>;
  columns?: { name: string; type: string }[];
  files?: { id: string; name: string; rows: number | null }[];
  onUploaded?(file: { id: string; name: string }): void;
}

type Config = Record<string, unknown>;
type Column = { name: string; type: string };

interface FormCtx {
  nodeId: string;
  value: Config;
  /** Applies a change to the latest value (safe after an await). */
  update(fn: (v: Config) => Config): void;
  errorsByField: Record<string, string[]>;
  columns?: Column[];
  files?: ConfigFormProps["files"];
  onUploaded?: ConfigFormProps["onUploaded"];
}

const ACCEPT = ".csv,.tsv,.txt,.json,.ndjson,.jsonl";
const SUGGESTIONS_SHOWN = 24;
const EMPTY_ERRORS: Record<string, string[]> = {};

const BASE_INPUT = "h-8 w-full min-w-0 rounded-md border bg-surface px-2 text-sm text-ink placeholder:text-ink-muted focus:outline-none disabled:cursor-not-allowed disabled:opacity-60";

function inputClass(invalid: boolean): string {
  return invalid
    ? `${BASE_INPUT} border-rose-500 ring-1 ring-rose-500 focus:ring-2 focus:ring-rose-500/40`
    : `${BASE_INPUT} border-line focus:border-accent focus:ring-2 focus:ring-accent/20`;
}

const BUTTON =
  "inline-flex h-8 shrink-0 items-center gap-1.5 rounded-md border border-line bg-surface px-2.5 text-xs font-medium text-ink hover:bg-sunken disabled:cursor-not-allowed disabled:opacity-50";

const fieldId = (nodeId: string, path: string) => `${nodeId}-${path}`;
const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

function rowsText(rows: number | null): string {
  if (rows === null) return "";
  return ` (${rows.toLocaleString("en-US")} ${rows === 1 ? "row" : "rows"})`;
}

/** Defaults of a list, when it has a list default. */
function listDefault(field: FieldDescriptor): unknown[] {
  return Array.isArray(field.default) ? field.default : [];
}

/** What a list becomes when the user empties it: the key removed, unless [] means something else than the default. */
function emptied(field: FieldDescriptor): unknown[] | undefined {
  return listDefault(field).length > 0 && (field.minItems ?? 0) === 0 ? [] : undefined;
}

export function ConfigForm(props: ConfigFormProps): JSX.Element {
  const { nodeId, schema, value, onChange, columns, files, onUploaded } = props;
  const errors = props.errors ?? EMPTY_ERRORS;
  const fields = useMemo(() => fieldsOf(schema), [schema]);
  const grouped = useMemo(() => groupErrors(fields, value, errors), [fields, value, errors]);

  // The value a change applies to: the latest one, also after an upload's await.
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  }, [value]);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);

  const ctx: FormCtx = {
    nodeId,
    value,
    update(fn) {
      const next = fn(latest.current);
      if (next === latest.current) return;
      latest.current = next;
      onChangeRef.current(next);
    },
    errorsByField: grouped.byField,
    columns: columns?.length ? columns : undefined,
    files,
    onUploaded,
  };

  return (
    <div className="space-y-4 text-sm">
      {grouped.general.length > 0 && (
        <div role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-xs leading-relaxed text-rose-800">
          <ul className="space-y-1">
            {grouped.general.map((p, i) => (
              <li key={`${p.path}-${i}`}>
                {p.where && <span className="font-medium">{p.where}: </span>}
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {fields.length === 0 ? (
        <p className="text-xs text-ink-muted">This node has no settings.</p>
      ) : (
        // Keyed by node too, so drafts and upload state never carry over to another node.
        fields.map((f) => <FieldView key={`${nodeId}\u0000${f.path}`} field={f} base={[]} ctx={ctx} />)
      )}
    </div>
  );
}

// ---------------------------------------------------------------------------------------------

interface FieldProps {
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

function FieldView({ field, base, ctx }: { field: FieldDescriptor; base: string[]; ctx: FormCtx }): JSX.Element {
  const segments = [...base, ...field.segments];
  const path = segments.join(".");
  const id = fieldId(ctx.nodeId, path);
  const errors = ctx.errorsByField[path] ?? [];
  const invalid = errors.length > 0;
  const helpId = field.description ? `${id}-help` : undefined;
  const errorId = invalid ? `${id}-error` : undefined;
  const p: FieldProps = {
    field,
    base,
    segments,
    path,
    id,
    current: getAt(ctx.value, segments),
    present: hasAt(ctx.value, segments),
    set: (next) => ctx.update((v) => setAt(v, segments, next)),
    ctx,
    errors,
    invalid,
    described: describedBy(helpId, errorId),
    helpId,
    errorId,
  };

  switch (field.kind) {
    case "boolean":
      return <BooleanField {...p} />;
    case "object":
      return <ObjectField {...p} />;
    case "objectList":
      return <ObjectListField {...p} />;
    case "unsupported":
      return <UnsupportedField {...p} />;
    case "string":
      return field.widget === "file" ? <FileField {...p} /> : <StringField {...p} />;
    case "number":
    case "integer":
      return <NumberField {...p} />;
    case "enum":
      return <EnumField {...p} />;
    case "stringList":
    case "numberList":
      return <ListField {...p} />;
  }
}

function RequiredMark({ field }: { field: FieldDescriptor }) {
  if (!field.required || field.hasDefault) return null;
  return (
    <span aria-hidden className="text-[10px] font-medium tracking-wide text-ink-muted uppercase">
      required
    </span>
  );
}

function Help({ id, children }: { id?: string; children?: ReactNode }) {
  if (!children) return null;
  return (
    <p id={id} className="text-xs leading-snug text-ink-muted">
      {children}
    </p>
  );
}

function Errors({ id, errors }: { id?: string; errors: string[] }) {
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
function Shell({ p, children, note }: { p: FieldProps; children: ReactNode; note?: ReactNode }) {
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

function requiredAttr(field: FieldDescriptor): boolean | undefined {
  return field.required && !field.hasDefault ? true : undefined;
}

// ---------------------------------------------------------------------------------------------
// Scalars

function StringField(p: FieldProps) {
  const { field, id, current, ctx } = p;
  const text = typeof current === "string" ? current : current === undefined || current === null ? "" : String(current);
  const columns = field.widget === "column" ? ctx.columns : undefined;
  const listId = columns ? `${id}-columns` : undefined;
  const type = field.format === "email" ? "email" : field.format === "uri" || field.format === "url" ? "url" : "text";
  return (
    <Shell p={p} note={columns && <p className="text-[11px] text-ink-muted">Columns from the last run&apos;s preview</p>}>
      <input
        id={id}
        type={type}
        value={text}
        onChange={(e) => p.set(e.currentTarget.value)}
        placeholder={defaultPlaceholder(field) ?? (field.widget === "column" ? "Column name" : undefined)}
        maxLength={field.maxLength}
        list={listId}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={p.invalid || undefined}
        aria-required={requiredAttr(field)}
        aria-describedby={p.described}
        className={inputClass(p.invalid)}
      />
      {columns && <ColumnOptions id={listId!} columns={columns} />}
    </Shell>
  );
}

function ColumnOptions({ id, columns }: { id: string; columns: Column[] }) {
  return (
    <datalist id={id}>
      {columns.map((c) => (
        <option key={c.name} value={c.name} label={c.type} />
      ))}
    </datalist>
  );
}

function NumberField(p: FieldProps) {
  const { field, id, current } = p;
  const integer = field.kind === "integer";
  const shown = typeof current === "number" ? String(current) : current === undefined || current === null ? "" : String(current);
  const [draft, setDraft] = useState(shown);
  const [problem, setProblem] = useState<string | null>(null);
  const [synced, setSynced] = useState<unknown>(current);
  // The value changed from outside (undo, another node selected): show it, unless the draft already says it.
  if (!Object.is(synced, current)) {
    setSynced(current);
    if (parseNumberInput(draft, integer, field) !== current) {
      setDraft(shown);
      setProblem(null);
    }
  }

  function onChange(e: ChangeEvent<HTMLInputElement>) {
    const input = e.currentTarget;
    const text = input.value;
    setDraft(text);
    if (text === "" && input.validity?.badInput) {
      setProblem(integer ? "Enter a whole number" : "Enter a number");
      return;
    }
    const parsed = parseNumberInput(text, integer, field);
    if (typeof parsed === "object") {
      setProblem(parsed.error);
      return;
    }
    setProblem(null);
    p.set(parsed);
  }

  const bounds = describeBounds(field);
  const boundsId = bounds ? `${id}-bounds` : undefined;
  const problemId = problem ? `${id}-problem` : undefined;
  const invalid = p.invalid || problem !== null;
  return (
    <Shell
      p={p}
      note={
        <>
          {bounds && (
            <p id={boundsId} className="text-[11px] text-ink-muted">
              {bounds}
            </p>
          )}
          {problem && (
            <p id={problemId} className="text-xs text-rose-700">
              {problem}
            </p>
          )}
        </>
      }
    >
      <input
        id={id}
        type="number"
        inputMode={integer ? "numeric" : "decimal"}
        value={draft}
        onChange={onChange}
        placeholder={defaultPlaceholder(field)}
        {...numberInputAttrs(field)}
        aria-invalid={invalid || undefined}
        aria-required={requiredAttr(field)}
        aria-describedby={describedBy(p.helpId, boundsId, problemId, p.errorId)}
        className={inputClass(invalid)}
      />
    </Shell>
  );
}

function BooleanField(p: FieldProps) {
  const { field, id, current } = p;
  const checked = typeof current === "boolean" ? current : field.default === true;
  return (
    <div className="space-y-1.5">
      <div className="flex items-start gap-2">
        <input
          id={id}
          type="checkbox"
          checked={checked}
          onChange={(e) => p.set(e.currentTarget.checked)}
          aria-invalid={p.invalid || undefined}
          aria-describedby={p.described}
          className={`mt-0.5 size-4 shrink-0 rounded border-line accent-accent ${p.invalid ? "ring-2 ring-rose-500" : ""}`}
        />
        <div className="min-w-0 flex-1 space-y-0.5">
          <div className="flex items-baseline justify-between gap-2">
            <label htmlFor={id} className="text-xs font-medium text-ink">
              {field.label}
            </label>
            <RequiredMark field={field} />
          </div>
          <Help id={p.helpId}>{field.description}</Help>
        </div>
      </div>
      <Errors id={p.errorId} errors={p.errors} />
    </div>
  );
}

function EnumField(p: FieldProps) {
  const { field, id, current, present } = p;
  const values: Scalar[] = field.enumValues ?? [];
  const index = present ? values.findIndex((v) => v === current) : -1;
  const selected = !present ? "" : index >= 0 ? String(index) : "unknown";
  const empty = field.hasDefault ? `Default (${formatValue(field.default)})` : field.required ? "Choose…" : "Not set";
  return (
    <Shell p={p}>
      <select
        id={id}
        value={selected}
        onChange={(e) => {
          const v = e.currentTarget.value;
          if (v === "") p.set(undefined);
          else if (v !== "unknown") p.set(values[Number(v)]);
        }}
        aria-invalid={p.invalid || undefined}
        aria-required={requiredAttr(field)}
        aria-describedby={p.described}
        className={inputClass(p.invalid)}
      >
        <option value="">{empty}</option>
        {values.map((v, i) => (
          <option key={i} value={String(i)}>
            {formatValue(v)}
          </option>
        ))}
        {selected === "unknown" && (
          <option value="unknown" disabled>
            {formatValue(current)} (not a choice)
          </option>
        )}
      </select>
    </Shell>
  );
}

function FileField(p: FieldProps) {
  const { field, id, current, ctx } = p;
  const picker = useRef<HTMLInputElement>(null);
  const [uploading, setUploading] = useState<{ name: string; fraction: number } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [recent, setRecent] = useState<{ id: string; name: string } | null>(null);
  const files = ctx.files ?? [];
  const currentId = typeof current === "string" ? current : "";
  const known = files.some((f) => f.id === currentId);

  async function onPick(e: ChangeEvent<HTMLInputElement>) {
    const input = e.currentTarget;
    const file = input.files?.[0];
    input.value = ""; // picking the same file again still fires a change
    if (!file) return;
    setProblem(null);
    setUploading({ name: file.name, fraction: 0 });
    try {
      const up = await uploadFile(file, (fraction) => setUploading({ name: file.name, fraction: Math.max(0, Math.min(1, fraction)) }));
      setRecent({ id: up.id, name: up.name });
      p.set(up.id);
      ctx.onUploaded?.({ id: up.id, name: up.name });
    } catch (err) {
      setProblem(err instanceof Error && err.message ? err.message : `${file.name} could not be uploaded`);
    } finally {
      setUploading(null);
    }
  }

  const pct = uploading ? Math.round(uploading.fraction * 100) : 0;
  const problemId = problem ? `${id}-upload-problem` : undefined;
  return (
    <Shell
      p={p}
      note={
        <>
          {uploading && (
            <div className="space-y-1">
              <div
                role="progressbar"
                aria-label={`Uploading ${uploading.name}`}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={pct}
                className="h-1 w-full overflow-hidden rounded-full bg-sunken"
              >
                <div className="h-full rounded-full bg-accent transition-[width] duration-150" style={{ width: `${pct}%` }} />
              </div>
              <p className="truncate text-[11px] text-ink-muted">
                Uploading {uploading.name}… {pct}%
              </p>
            </div>
          )}
          {problem && (
            <p id={problemId} className="text-xs break-words text-rose-700">
              {problem}
            </p>
          )}
        </>
      }
    >
      <div className="flex gap-1.5">
        <select
          id={id}
          value={currentId}
          onChange={(e) => p.set(e.currentTarget.value || undefined)}
          disabled={uploading !== null}
          aria-invalid={p.invalid || undefined}
          aria-required={requiredAttr(field)}
          aria-describedby={describedBy(p.helpId, problemId, p.errorId)}
          className={inputClass(p.invalid)}
        >
          <option value="">No file</option>
          {files.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
              {rowsText(f.rows)}
            </option>
          ))}
          {currentId && !known && <option value={currentId}>{recent?.id === currentId ? recent.name : `File ${currentId}`}</option>}
        </select>
        <button type="button" onClick={() => picker.current?.click()} disabled={uploading !== null} className={BUTTON}>
          <Upload className="size-3.5" aria-hidden />
          Upload a file…
        </button>
        <input ref={picker} type="file" accept={ACCEPT} aria-label={`Upload a file for ${field.label}`} onChange={(e) => void onPick(e)} tabIndex={-1} className="hidden" />
      </div>
    </Shell>
  );
}

function UnsupportedField(p: FieldProps) {
  const { field, present } = p;
  return (
    <div className="space-y-1.5">
      <div className="flex items-baseline justify-between gap-2">
        <span className="text-xs font-medium text-ink">{field.label}</span>
        <RequiredMark field={field} />
      </div>
      <Help id={p.helpId}>{field.description}</Help>
      <p id={p.id} className="rounded-md bg-sunken px-2.5 py-2 text-xs leading-snug text-ink-muted">
        {field.reason ?? "This setting cannot be edited in this form."}
        {present ? " Its saved value is kept." : ""}
      </p>
      <Errors id={p.errorId} errors={p.errors} />
    </div>
  );
}

// ---------------------------------------------------------------------------------------------
// Lists of values: chips

function ListField(p: FieldProps) {
  const { field, id, current, present, ctx } = p;
  const numeric = field.kind === "numberList";
  const integer = field.item?.kind === "integer";
  const defaults = listDefault(field);
  const showingDefault = !present && defaults.length > 0;
  const items: unknown[] = Array.isArray(current) ? current : showingDefault ? defaults : [];
  const full = field.maxItems !== undefined && items.length >= field.maxItems;
  const [draft, setDraft] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);

  function commit(next: unknown[]) {
    setProblem(null);
    p.set(next.length ? next : emptied(field));
  }

  function addValue(v: string | number) {
    if (full) return;
    if (!numeric && items.includes(v)) {
      setProblem(`“${v}” is already in the list`);
      return;
    }
    commit([...items, v]);
    setDraft("");
    setProblem(null);
  }

  function addDraft() {
    if (numeric) {
      const parsed = parseNumberInput(draft, integer, field.item ?? {});
      if (parsed === undefined) return;
      if (typeof parsed === "object") return setProblem(parsed.error);
      return addValue(parsed);
    }
    const text = draft.trim();
    if (!text) return;
    if (field.enumValues && !field.enumValues.includes(text)) {
      return setProblem(`Choose one of: ${field.enumValues.map(formatValue).join(", ")}`);
    }
    addValue(text);
  }

  function onKeyDown(e: KeyboardEvent<HTMLInputElement>) {
    if (e.key !== "Enter" || e.nativeEvent.isComposing) return;
    e.preventDefault();
    addDraft();
  }

  const columns = field.widget === "column" ? ctx.columns : undefined;
  const listId = columns ? `${id}-columns` : undefined;
  const columnSuggestions = columns?.filter((c) => !items.includes(c.name)) ?? [];
  const enumSuggestions = (field.enumValues ?? []).filter((v): v is string => typeof v === "string" && !items.includes(v));
  const shownColumns = showAll ? columnSuggestions : columnSuggestions.slice(0, SUGGESTIONS_SHOWN);
  const problemId = problem ? `${id}-problem` : undefined;
  const invalid = p.invalid || problem !== null;
  const count = (v: unknown) => items.filter((x) => x === v).length;

  return (
    <Shell
      p={p}
      note={
        <>
          {problem && (
            <p id={problemId} className="text-xs text-rose-700">
              {problem}
            </p>
          )}
          {full && <p className="text-[11px] text-ink-muted">At most {field.maxItems}: remove one to add another.</p>}
          {!full && columnSuggestions.length > 0 && (
            <div className="space-y-1">
              <p className="text-[11px] text-ink-muted">Columns from the last run&apos;s preview</p>
              <div className="flex flex-wrap gap-1">
                {shownColumns.map((c) => (
                  <button
                    key={c.name}
                    type="button"
                    title={c.type}
                    onClick={() => addValue(c.name)}
                    className="h-6 max-w-full truncate rounded-full border border-dashed border-line px-2 text-xs text-ink-soft hover:border-accent hover:text-accent"
                  >
                    {c.name}
                  </button>
                ))}
                {columnSuggestions.length > shownColumns.length && (
                  <button type="button" onClick={() => setShowAll(true)} className="h-6 px-1 text-xs text-accent hover:underline">
                    Show {columnSuggestions.length - shownColumns.length} more
                  </button>
                )}
              </div>
            </div>
          )}
          {!full && enumSuggestions.length > 0 && (
            <div className="flex flex-wrap gap-1">
              {enumSuggestions.map((v) => (
                <button
                  key={v}
                  type="button"
                  onClick={() => addValue(v)}
                  className="h-6 rounded-full border border-dashed border-line px-2 text-xs text-ink-soft hover:border-accent hover:text-accent"
                >
                  {v}
                </button>
              ))}
            </div>
          )}
        </>
      }
    >
      {items.length > 0 && (
        <ul className="flex flex-wrap items-center gap-1" aria-label={showingDefault ? `${field.label} (default)` : field.label}>
          {showingDefault && <li className="text-[11px] text-ink-muted">Default:</li>}
          {items.map((v, i) => {
            const text = formatValue(v);
            return (
              <li
                key={`${i}-${text}`}
                className={`inline-flex h-6 max-w-full items-center gap-0.5 rounded-full border pr-0.5 pl-2 text-xs ${
                  showingDefault ? "border-dashed border-line text-ink-muted" : "border-line bg-sunken text-ink"
                }`}
              >
                <span className="truncate" title={text}>
                  {text}
                </span>
                <button
                  type="button"
                  aria-label={count(v) > 1 ? `Remove ${text} (item ${i + 1})` : `Remove ${text}`}
                  onClick={() => commit(items.filter((_, j) => j !== i))}
                  className="grid size-5 shrink-0 place-items-center rounded-full text-ink-muted hover:bg-line hover:text-ink"
                >
                  <X className="size-3" aria-hidden />
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <div className="flex gap-1.5">
        <input
          id={id}
          type="text"
          inputMode={numeric ? (integer ? "numeric" : "decimal") : undefined}
          value={draft}
          onChange={(e) => {
            setDraft(e.currentTarget.value);
            if (problem) setProblem(null);
          }}
          onKeyDown={onKeyDown}
          disabled={full}
          list={listId}
          autoComplete="off"
          spellCheck={false}
          placeholder={numeric ? "Add a number" : field.widget === "column" ? "Add a column" : "Add a value"}
          aria-label={`Add to ${field.label}`}
          aria-invalid={invalid || undefined}
          aria-required={requiredAttr(field)}
          aria-describedby={describedBy(p.helpId, problemId, p.errorId)}
          className={inputClass(invalid)}
        />
        <button type="button" onClick={addDraft} disabled={full || draft.trim() === ""} className={BUTTON}>
          Add
        </button>
        {columns && <ColumnOptions id={listId!} columns={columns.filter((c) => !items.includes(c.name))} />}
      </div>
    </Shell>
  );
}

// ---------------------------------------------------------------------------------------------
// Objects

function GroupHead({ p }: { p: FieldProps }) {
  return (
    <>
      <legend className="px-1 text-xs font-medium text-ink">
        {p.field.label}
        {p.field.required && !p.field.hasDefault && (
          <span aria-hidden className="ml-2 text-[10px] font-medium tracking-wide text-ink-muted uppercase">
            required
          </span>
        )}
      </legend>
      <Help id={p.helpId}>{p.field.description}</Help>
      <Errors id={p.errorId} errors={p.errors} />
    </>
  );
}

function ObjectField(p: FieldProps) {
  return (
    <fieldset
      id={p.id}
      aria-describedby={p.described}
      aria-invalid={p.invalid || undefined}
      className={`min-w-0 space-y-4 rounded-md border px-3 pt-1 pb-3 ${p.invalid ? "border-rose-500" : "border-line"}`}
    >
      <GroupHead p={p} />
      {(p.field.children ?? []).map((c) => (
        <FieldView key={c.path} field={c} base={p.base} ctx={p.ctx} />
      ))}
    </fieldset>
  );
}

function ObjectListField(p: FieldProps) {
  const { field, segments, present, ctx } = p;
  const defaults = listDefault(field);
  const showingDefault = !present && defaults.length > 0;
  const items: unknown[] = Array.isArray(p.current) ? p.current : showingDefault ? defaults : [];
  const full = field.maxItems !== undefined && items.length >= field.maxItems;

  // Editing a list that shows its default starts from a copy of the default.
  const materialise = (v: Config): Config => (hasAt(v, segments) ? v : setAt(v, segments, structuredClone(items)));
  const itemCtx: FormCtx = { ...ctx, value: showingDefault ? setAt(ctx.value, segments, items) : ctx.value, update: (fn) => ctx.update((v) => fn(materialise(v))) };
  const setList = (next: unknown[]) => p.set(next.length ? next : emptied(field));

  return (
    <fieldset
      id={p.id}
      aria-describedby={p.described}
      aria-invalid={p.invalid || undefined}
      className={`min-w-0 space-y-3 rounded-md border px-3 pt-1 pb-3 ${p.invalid ? "border-rose-500" : "border-line"}`}
    >
      <GroupHead p={p} />
      {showingDefault && <p className="text-[11px] text-ink-muted">Showing the default; editing it makes it yours.</p>}
      {items.length === 0 && <p className="text-xs text-ink-muted">None yet.</p>}
      {items.map((_, i) => (
        <fieldset key={i} className="min-w-0 space-y-4 rounded-md border border-line bg-sunken/50 px-3 pt-1 pb-3">
          <legend className="flex items-center gap-1 px-1 text-xs font-medium text-ink-soft">
            Item {i + 1}
            <button
              type="button"
              onClick={() => setList(items.filter((__, j) => j !== i))}
              className="h-5 rounded px-1.5 text-[11px] font-normal text-ink-muted hover:bg-line hover:text-ink"
            >
              Remove
            </button>
          </legend>
          {(field.children ?? []).map((c) => (
            <FieldView key={c.path} field={c} base={[...segments, String(i)]} ctx={itemCtx} />
          ))}
        </fieldset>
      ))}
      <button type="button" onClick={() => setList([...items, {}])} disabled={full} className={BUTTON}>
        Add
      </button>
    </fieldset>
  );
}
