"use client";
// A node's settings as a form generated from its config JSON Schema. Made for a ~360 px side panel
// and for people who never type JSON: every kind of value has a real control, defaults are shown
// but never written until the field is changed, and the server's problems sit under their field.
import { useCallback, useEffect, useMemo, useRef, useState, type JSX } from "react";
import { ChevronRight } from "lucide-react";
import { advancedSummary, changedFields, problemPaths, splitAdvanced } from "../_lib/advanced-fields";
import { fieldsOf, type FieldDescriptor } from "../_lib/json-schema-form";
import { groupErrors } from "../_lib/group-errors";
import type { FieldDraft } from "../_store/flow-store";
import type { FormCtx } from "./config-field-parts";
import { FieldView } from "./field-view";

export interface ConfigFormProps {
  nodeId: string;
  schema: Record<string, unknown>;
  value: Record<string, unknown>;
  onChange(next: Record<string, unknown>): void;
  errors: Record<string, string[]>;
  columns?: { name: string; type: string }[];
  files?: { id: string; name: string; rows: number | null }[];
  onUploaded?(file: { id: string; name: string }): void;
  /** Field text that is not a valid value (never in `value`), by field path. */
  drafts?: Record<string, FieldDraft>;
  onDraft?(path: string, draft: FieldDraft | null): void;
}


const EMPTY_ERRORS: Record<string, string[]> = {};

export function ConfigForm(props: ConfigFormProps): JSX.Element {
  const { nodeId, schema, value, onChange, columns, files, onUploaded } = props;
  const errors = props.errors ?? EMPTY_ERRORS;
  const fields = useMemo(() => fieldsOf(schema), [schema]);
  const grouped = useMemo(() => groupErrors(fields, value, errors), [fields, value, errors]);
  const sections = useMemo(() => splitAdvanced(fields), [fields]);

  // The value a change applies to: the latest one, also after an upload's await.
  const latest = useRef(value);
  useEffect(() => {
    latest.current = value;
  }, [value]);
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  }, [onChange]);
  const onDraftRef = useRef(props.onDraft);
  useEffect(() => {
    onDraftRef.current = props.onDraft;
  }, [props.onDraft]);
  const onDraft = useCallback((path: string, draft: FieldDraft | null) => onDraftRef.current?.(path, draft), []);

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
    drafts: props.drafts,
    onDraft,
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
        <>
          {/* Keyed by node too, so drafts and upload state never carry over to another node. */}
          {sections.plain.map((f) => (
            <FieldView key={`${nodeId}\u0000${f.path}`} field={f} base={[]} ctx={ctx} />
          ))}
          {sections.advanced.length > 0 && <AdvancedSection key={nodeId} fields={sections.advanced} ctx={ctx} />}
        </>
      )}
    </div>
  );
}

/**
 * The settings most people leave alone, in a closed section below the others. It opens by itself
 * when one of them has a problem (the server's, or text that is not a valid value), and its summary
 * counts the settings, the ones changed from their default and the settings with a problem.
 */
function AdvancedSection({ fields, ctx }: { fields: FieldDescriptor[]; ctx: FormCtx }): JSX.Element {
  const problems = problemPaths(fields, ctx.errorsByField, ctx.drafts);
  const changed = changedFields(fields, ctx.value).length;
  const [open, setOpen] = useState(problems.length > 0);
  // A new problem opens the section (adjusted during render, not in an effect); closed by hand, it
  // stays closed until the problems change again, and its summary still counts them.
  const key = problems.join("\n");
  const [seen, setSeen] = useState(key);
  if (seen !== key) {
    setSeen(key);
    if (problems.some((p) => !seen.split("\n").includes(p))) setOpen(true);
  }
  return (
    <details open={open} onToggle={(e) => setOpen(e.currentTarget.open)} className="group rounded-md border border-line">
      <summary
        className={`flex cursor-pointer list-none items-center gap-1.5 rounded-md px-3 py-2 text-xs font-medium select-none hover:bg-sunken focus-visible:ring-2 focus-visible:ring-accent/40 focus-visible:outline-none [&::-webkit-details-marker]:hidden ${problems.length > 0 ? "text-rose-700" : "text-ink"}`}
      >
        <ChevronRight aria-hidden className="size-3.5 shrink-0 transition-transform group-open:rotate-90" />
        {advancedSummary(fields.length, changed, problems.length)}
      </summary>
      <div className="space-y-4 border-t border-line px-3 pt-3 pb-3">
        <p className="text-[11px] leading-snug text-ink-muted">Settings most people leave as they are.</p>
        {fields.map((f) => (
          <FieldView key={`${ctx.nodeId}\u0000${f.path}`} field={f} base={[]} ctx={ctx} />
        ))}
      </div>
    </details>
  );
}
