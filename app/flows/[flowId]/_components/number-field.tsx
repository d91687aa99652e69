"use client";
// A number or integer field that keeps what the user typed, so a half-typed or invalid number is
// shown with its problem instead of being lost. A text input rather than type="number": Chromium
// drops letters typed into a number input without a word, and reports "" for them. Text that is not
// a valid value is handed to the form as a draft, so Save refuses it by name and it survives
// selecting another node.
import { useEffect, useState, type ChangeEvent } from "react";
import { defaultPlaceholder, describeBounds, parseNumberInput } from "../_lib/field-format";
import { inputClass, describedBy, type FieldProps, Shell, requiredAttr } from "./config-field-parts";

export function NumberField(p: FieldProps) {
  const { field, id, current, path } = p;
  const integer = field.kind === "integer";
  const shown = typeof current === "number" ? String(current) : current === undefined || current === null ? "" : String(current);
  const kept = p.ctx.drafts?.[path];
  const [draft, setDraft] = useState(kept?.text ?? shown);
  const [problem, setProblem] = useState<string | null>(kept?.message ?? null);
  const [synced, setSynced] = useState<unknown>(current);
  // The value changed from outside (undo, another node selected): show it, unless the draft already says it.
  if (!Object.is(synced, current)) {
    setSynced(current);
    if (parseNumberInput(draft, integer, field) !== current) {
      setDraft(shown);
      setProblem(null);
    }
  }

  // The form (and through it Save and the problem list) knows of text that is not a value.
  const onDraft = p.ctx.onDraft;
  const label = field.label;
  useEffect(() => {
    onDraft?.(path, problem === null ? null : { text: draft, label, message: problem });
  }, [onDraft, path, label, draft, problem]);

  function onChange(e: ChangeEvent<HTMLInputElement>) {
    const text = e.currentTarget.value;
    setDraft(text);
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
            <p id={problemId} role="alert" className="text-xs text-rose-700">
              {problem}
            </p>
          )}
        </>
      }
    >
      <input
        id={id}
        type="text"
        inputMode={integer ? "numeric" : "decimal"}
        autoComplete="off"
        spellCheck={false}
        value={draft}
        onChange={onChange}
        placeholder={defaultPlaceholder(field)}
        aria-invalid={invalid || undefined}
        aria-required={requiredAttr(field)}
        aria-describedby={describedBy(p.helpId, boundsId, problemId, p.errorId)}
        className={inputClass(invalid)}
      />
    </Shell>
  );
}
