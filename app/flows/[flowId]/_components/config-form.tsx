"use client";
// A node's settings as a form generated from its config JSON Schema. Made for a ~360 px side panel
// and for people who never type JSON: every kind of value has a real control, defaults are shown
// but never written until the field is changed, and the server's problems sit under their field.
import { useCallback, useEffect, useMemo, useRef, type JSX } from "react";
import { fieldsOf } from "../_lib/json-schema-form";
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
        // Keyed by node too, so drafts and upload state never carry over to another node.
        fields.map((f) => <FieldView key={`${nodeId}\u0000${f.path}`} field={f} base={[]} ctx={ctx} />)
      )}
    </div>
  );
}
