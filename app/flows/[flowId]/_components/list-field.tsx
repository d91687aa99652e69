"use client";
// A list of texts or numbers as chips, with suggestions of upstream columns for column lists.
import { X } from "lucide-react";
import { useState, type KeyboardEvent } from "react";
import { formatValue, parseNumberInput } from "../_lib/field-format";
import { typeTitle } from "@/app/_components/type-words";
import { SUGGESTIONS_SHOWN, inputClass, BUTTON, describedBy, listDefault, emptied, type FieldProps, Shell, requiredAttr, ColumnOptions } from "./config-field-parts";

export function ListField(p: FieldProps) {
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
              <p className="text-[11px] text-ink-muted">Columns of the input</p>
              <div className="flex flex-wrap gap-1">
                {shownColumns.map((c) => (
                  <button
                    key={c.name}
                    type="button"
                    title={typeTitle(c.type)}
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
