"use client";
// Fields holding one value: text, a yes/no, a choice, and the note for settings the form cannot edit.
import type { Scalar } from "../_lib/json-schema-form";
import { defaultPlaceholder, formatValue } from "../_lib/field-format";
import { inputClass, type FieldProps, RequiredMark, Help, Errors, Shell, requiredAttr, ColumnOptions } from "./config-field-parts";

export function StringField(p: FieldProps) {
  const { field, id, current, ctx } = p;
  const text = typeof current === "string" ? current : current === undefined || current === null ? "" : String(current);
  const columns = field.widget === "column" ? ctx.columns : undefined;
  const listId = columns ? `${id}-columns` : undefined;
  const type = field.format === "email" ? "email" : field.format === "uri" || field.format === "url" ? "url" : "text";
  if (field.widget === "multiline") {
    return (
      <Shell p={p}>
        <textarea
          id={id}
          value={text}
          onChange={(e) => p.set(e.currentTarget.value)}
          placeholder={defaultPlaceholder(field)}
          maxLength={field.maxLength}
          rows={6}
          spellCheck={false}
          aria-invalid={p.invalid || undefined}
          aria-required={requiredAttr(field)}
          aria-describedby={p.described}
          className={`${inputClass(p.invalid)} h-auto min-h-24 resize-y py-1.5 font-mono text-xs leading-relaxed`}
        />
      </Shell>
    );
  }
  return (
    <Shell p={p} note={columns && <p className="text-[11px] text-ink-muted">Columns of the input</p>}>
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

export function BooleanField(p: FieldProps) {
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

export function EnumField(p: FieldProps) {
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

export function UnsupportedField(p: FieldProps) {
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
