"use client";
// The audit log's filters: a group of actions, who, on what, the outcome, and a date range.
import { useState, type FormEvent } from "react";
import { SelectField, TextField } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { ACTION_GROUPS, dayEnd, dayStart, OUTCOMES, type AuditQuery, type Outcome } from "./audit-params";

export const OUTCOME_LABEL: Record<Outcome, string> = { ok: "Done", failed: "Failed", refused: "Refused" };

interface Draft {
  action: string;
  actor: string;
  target: string;
  outcome: string;
  fromDay: string;
  toDay: string;
}

const EMPTY: Draft = { action: "", actor: "", target: "", outcome: "", fromDay: "", toDay: "" };

export function AuditFilters({ onApply }: { onApply: (q: AuditQuery) => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const apply = (d: Draft) => {
    const from = dayStart(d.fromDay);
    const to = dayEnd(d.toDay);
    if (from !== undefined && to !== undefined && from > to) return setProblem("The “To” day is before the “From” day.");
    setProblem(null);
    onApply({
      action: d.action || undefined,
      actor: d.actor.trim() || undefined,
      target: d.target.trim() || undefined,
      outcome: (d.outcome || undefined) as Outcome | undefined,
      from,
      to,
    });
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };

  return (
    <form onSubmit={submit} className="rounded-xl border border-line bg-surface p-4 shadow-xs" aria-label="Filter the audit log">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 lg:grid-cols-6">
        <SelectField label="Action" value={draft.action} onChange={(e) => set({ action: e.target.value })}>
          <option value="">Everything</option>
          {ACTION_GROUPS.map((g) => (
            <option key={g.prefix} value={g.prefix}>
              {g.label} ({g.prefix}…)
            </option>
          ))}
        </SelectField>
        <TextField label="Who" placeholder="name or e-mail" maxLength={320} value={draft.actor} onChange={(e) => set({ actor: e.target.value })} />
        <TextField label="On what" placeholder="flow, user, key…" maxLength={500} value={draft.target} onChange={(e) => set({ target: e.target.value })} />
        <SelectField label="Outcome" value={draft.outcome} onChange={(e) => set({ outcome: e.target.value })}>
          <option value="">Any</option>
          {OUTCOMES.map((o) => (
            <option key={o} value={o}>
              {OUTCOME_LABEL[o]}
            </option>
          ))}
        </SelectField>
        <TextField label="From" type="date" value={draft.fromDay} onChange={(e) => set({ fromDay: e.target.value })} />
        <TextField label="To" type="date" value={draft.toDay} onChange={(e) => set({ toDay: e.target.value })} />
      </div>
      {problem && (
        <p role="alert" className="mt-3 text-sm text-rose-700">
          {problem}
        </p>
      )}
      <div className="mt-3 flex gap-2">
        <button type="submit" className={BUTTON.primary}>
          Apply filters
        </button>
        <button
          type="button"
          className={BUTTON.secondary}
          onClick={() => {
            setDraft(EMPTY);
            apply(EMPTY);
          }}
        >
          Clear filters
        </button>
      </div>
    </form>
  );
}
