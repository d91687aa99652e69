"use client";
// The flow's conversion goal: the event, tests on its properties (all or any) and the attribution
// window in days. Editors change it; viewers see it. The server checks it again and names the field.
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Plus, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { FormError, FormNotice, SelectField, SMALL_SELECT, TextField, INPUT, fieldBg } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { OPERATORS } from "@/nodes/trigger/conditions";
import { useTRPC, type RouterOutputs } from "@/trpc/react";

type Goal = NonNullable<RouterOutputs["goal"]["results"]["goal"]>;
type Operator = (typeof OPERATORS)[number];
type Test = { field: string; operator: Operator; value: string };

const NO_VALUE: readonly Operator[] = ["is set", "is not set"];

function describeTest(t: Goal["conditions"][number]): string {
  if (NO_VALUE.includes(t.operator as Operator)) return `${t.field} ${t.operator}`;
  return `${t.field} ${t.operator} ${t.operator === "in list" ? (t.values ?? []).join(", ") : (t.value ?? "")}`;
}

/** What the goal is, in words. */
export function GoalSummary({ goal }: { goal: Goal }) {
  return (
    <p className="text-sm text-ink" data-testid="goal-summary">
      A customer converts when they do <strong>{goal.event}</strong>
      {goal.conditions.length > 0 && <> with {goal.conditions.map(describeTest).join(goal.match === "all" ? " and " : " or ")}</>} within{" "}
      <strong>
        {goal.days} day{goal.days === 1 ? "" : "s"}
      </strong>{" "}
      after the flow&apos;s decision about them.
    </p>
  );
}

export function GoalForm({ flowId, goal, onDone }: { flowId: string; goal: Goal | null; onDone(): void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const save = useMutation(trpc.goal.save.mutationOptions());
  const remove = useMutation(trpc.goal.remove.mutationOptions());
  const [event, setEvent] = useState(goal?.event ?? "");
  const [days, setDays] = useState(String(goal?.days ?? 14));
  const [match, setMatch] = useState<"all" | "any">(goal?.match ?? "all");
  const [tests, setTests] = useState<Test[]>(
    () => goal?.conditions.map((c) => ({ field: c.field, operator: c.operator as Operator, value: c.operator === "in list" ? (c.values ?? []).join(", ") : (c.value ?? "") })) ?? [],
  );
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.goal.results.queryKey({ flowId }) });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    if (!event.trim()) return setError("Event: name the event that counts as converting, e.g. Order Completed.");
    const window = Number(days);
    if (!(window > 0 && window <= 365)) return setError("Attribution window: more than 0 and at most 365 days.");
    const blank = tests.findIndex((t) => !t.field.trim());
    if (blank >= 0) return setError(`Test ${blank + 1}: name the property.`);
    setError(null);
    const conditions = tests.map((t) =>
      t.operator === "in list" ? { field: t.field.trim(), operator: t.operator, values: t.value.split(",").map((v) => v.trim()).filter(Boolean) } : NO_VALUE.includes(t.operator) ? { field: t.field.trim(), operator: t.operator } : { field: t.field.trim(), operator: t.operator, value: t.value },
    );
    save.mutate(
      { flowId, goal: { event: event.trim(), days: window, match, conditions } },
      {
        onSuccess: () => {
          setSaved(true);
          void refresh();
          onDone();
        },
        onError: (err) => setError(errorText(err)),
      },
    );
  };

  const setTest = (i: number, patch: Partial<Test>) => setTests(tests.map((t, j) => (j === i ? { ...t, ...patch } : t)));

  return (
    <form className="space-y-4" onSubmit={submit} noValidate aria-label="Conversion goal">
      <div className="flex flex-wrap gap-4">
        <TextField label="Goal event" className="w-72" value={event} onChange={(e) => setEvent(e.target.value)} placeholder="Order Completed" hint="The track event that counts as converting." />
        <TextField label="Attribution window (days)" type="number" className="w-52" min={0.01} max={365} step="any" value={days} onChange={(e) => setDays(e.target.value)} hint="It counts within this long after the decision." />
        {tests.length > 1 && (
          <SelectField label="Tests to pass" className="w-40" value={match} onChange={(e) => setMatch(e.target.value as "all" | "any")}>
            <option value="all">all</option>
            <option value="any">any</option>
          </SelectField>
        )}
      </div>
      <div className="space-y-2">
        <p className="text-sm font-medium text-ink-soft">Tests on the event&apos;s properties {tests.length === 0 && <span className="font-normal text-ink-muted">(none: every such event counts)</span>}</p>
        {tests.map((t, i) => (
          <div key={i} className="flex flex-wrap items-center gap-2">
            <input aria-label={`Test ${i + 1} property`} className={`${INPUT} ${fieldBg(false)} w-48`} placeholder="total" value={t.field} onChange={(e) => setTest(i, { field: e.target.value })} />
            <select aria-label={`Test ${i + 1} operator`} className={SMALL_SELECT} value={t.operator} onChange={(e) => setTest(i, { operator: e.target.value as Operator })}>
              {OPERATORS.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
            {!NO_VALUE.includes(t.operator) && (
              <input
                aria-label={`Test ${i + 1} value`}
                className={`${INPUT} ${fieldBg(false)} w-56`}
                placeholder={t.operator === "in list" ? "a, b, c" : "10"}
                value={t.value}
                onChange={(e) => setTest(i, { value: e.target.value })}
              />
            )}
            <button type="button" className={BUTTON.icon} aria-label={`Remove test ${i + 1}`} onClick={() => setTests(tests.filter((_, j) => j !== i))}>
              <Trash2 className="size-4" aria-hidden />
            </button>
          </div>
        ))}
        <button type="button" className={BUTTON.secondary} onClick={() => setTests([...tests, { field: "", operator: ">", value: "" }])}>
          <Plus className="size-4" aria-hidden /> Add a test
        </button>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" disabled={save.isPending} className={BUTTON.primary}>
          {save.isPending ? "Saving…" : "Save goal"}
        </button>
        {goal && (
          <button
            type="button"
            disabled={remove.isPending}
            className={BUTTON.secondary}
            onClick={() => remove.mutate({ flowId }, { onSuccess: () => void refresh().then(onDone), onError: (err) => setError(errorText(err)) })}
          >
            Remove the goal
          </button>
        )}
      </div>
      <FormError>{error}</FormError>
      <FormNotice>{saved ? "Saved. The figures below use it." : null}</FormNotice>
    </form>
  );
}
