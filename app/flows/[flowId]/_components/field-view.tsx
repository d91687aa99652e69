"use client";
// Picks the control for a field's kind; objects and lists of objects recurse into it for their
// children, so they live here with it.
import type { JSX } from "react";
import type { FieldDescriptor } from "../_lib/json-schema-form";
import { getAt, hasAt, setAt } from "../_lib/value-path";
import { type Config, type FormCtx, BUTTON, fieldId, describedBy, listDefault, emptied, type FieldProps, Help, Errors } from "./config-field-parts";
import { ConnectionField } from "./connection-field";
import { FileField } from "./file-field";
import { ListField } from "./list-field";
import { NumberField } from "./number-field";
import { BooleanField, EnumField, StringField, UnsupportedField } from "./scalar-fields";

export function FieldView({ field, base, ctx }: { field: FieldDescriptor; base: string[]; ctx: FormCtx }): JSX.Element {
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
      return field.widget === "file" ? <FileField {...p} /> : field.widget === "connection" ? <ConnectionField {...p} /> : <StringField {...p} />;
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
