"use client";
// A number or integer field that keeps what the user typed, so a half-typed or invalid number is
// shown with its problem instead of being lost.
import { useState, type ChangeEvent } from "react";
import { defaultPlaceholder, describeBounds, numberInputAttrs, parseNumberInput } from "../_lib/field-format";
import { inputClass, describedBy, type FieldProps, Shell, requiredAttr } from "./config-field-parts";

export function NumberField(p: FieldProps) {
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
