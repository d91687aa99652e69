"use client";
// A node's settings as a form generated from its config JSON Schema. Made for a ~360 px side panel
// and for people who never type JSON: every kind of value has a real control, defaults are shown
// but never written until the field is changed, and the server's problems sit under their field.
import { useEffect, useMemo, useRef, useState, type ChangeEvent, type JSX } from "react";
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
import { type Config, type FormCtx, inputClass, BUTTON, fieldId, describedBy, listDefault, emptied, type FieldProps, RequiredMark, Help, Errors, Shell, requiredAttr, ColumnOptions } from "./config-field-parts";
import { FileField } from "./file-field";
import { ListField } from "./list-field";

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


const EMPTY_ERRORS: Record<string, string[]> = {};

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
