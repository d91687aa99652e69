"use client";
// The flow's results page: its goal (shown, and editable by editors) and the figures by it.
import { useQuery } from "@tanstack/react-query";
import { Pencil } from "lucide-react";
import { useState, type ReactNode } from "react";
import { FormError } from "@/app/account/_components/forms";
import { BUTTON } from "@/app/flows/_components/dialog";
import { errorText } from "@/app/runs/_components/hooks";
import { Card, stamp } from "@/app/_components/ui";
import { useTRPC, type RouterOutputs } from "@/trpc/react";
import { GoalForm, GoalSummary } from "./goal-form";
import { GroupFigures } from "./goal-figures";

type Figures = NonNullable<RouterOutputs["goal"]["results"]["figures"]>;

function Notice({ children, tone = "info" }: { children: ReactNode; tone?: "info" | "warn" }) {
  return <p className={`rounded-lg px-3 py-2 text-sm ${tone === "warn" ? "bg-amber-50 text-amber-900" : "bg-sunken text-ink-soft"}`}>{children}</p>;
}

function Results({ figures, event }: { figures: Figures; event: string }) {
  const pending = figures.arms.reduce((n, g) => n + g.pending, 0);
  const tooFew = [...figures.armComparisons, ...figures.pathComparisons].some((c) => c.tooFew);
  if (figures.decisions === 0) return <Notice>No decisions yet: the ledger has nothing from this flow. Run it, and its sends and control group show here.</Notice>;
  return (
    <div className="space-y-6">
      <p className="text-sm text-ink-muted" data-testid="figures-summary">
        {figures.customers} customers in {figures.decisions} decisions; {figures.eventsRead} &ldquo;{event}&rdquo; events read. Worked out {stamp(figures.computedAt)}. Each customer counts once
        per arm and per path, from their first decision there, whatever was decided (sent, suppressed or failed).
      </p>
      {!figures.hasControl && (
        <Notice tone="warn">
          No control group: none of this flow&apos;s customers were held out, so there is nothing to compare with. Give a Split node a control group (a share above 0) to measure what the flow
          adds.
        </Notice>
      )}
      {tooFew && <Notice tone="warn">Some comparisons rest on too few customers (fewer than 5 converted, or fewer than 5 not converted, in a group): read their intervals and p-values as rough.</Notice>}
      {pending > 0 && <Notice>{pending} customers have not converted yet and their attribution window is still open: these figures may still change.</Notice>}
      {figures.withoutArm > 0 && <Notice>{figures.withoutArm} customers were decided about by a node that records no arm: they are in the paths, not the arms.</Notice>}
      <GroupFigures title="Per arm" groupName="arm" groups={figures.arms} comparisons={figures.armComparisons} hasControl={figures.hasControl} />
      <GroupFigures title="Per path (the node each decision came from)" groupName="path" groups={figures.paths} comparisons={figures.pathComparisons} hasControl={figures.hasControl} />
    </div>
  );
}

export function FlowResults({ flowId, readOnly }: { flowId: string; readOnly: boolean }) {
  const trpc = useTRPC();
  const results = useQuery(trpc.goal.results.queryOptions({ flowId }));
  const [editing, setEditing] = useState(false);
  if (results.isPending) {
    return (
      <p className="text-sm text-ink-muted" role="status">
        Working out the results…
      </p>
    );
  }
  if (results.isError) return <FormError>Could not work out the results: {errorText(results.error)}</FormError>;
  const { goal, figures } = results.data;
  const edit = !readOnly && (editing || !goal);
  return (
    <div className="space-y-6">
      <Card
        title="Conversion goal"
        badge={
          goal && !readOnly && !editing ? (
            <button type="button" className={BUTTON.secondary} onClick={() => setEditing(true)}>
              <Pencil className="size-3.5" aria-hidden /> Change the goal
            </button>
          ) : null
        }
      >
        {goal && !edit && <GoalSummary goal={goal} />}
        {!goal && readOnly && <p className="text-sm text-ink-muted">No goal yet: an editor sets the event that counts as converting, and the figures show here.</p>}
        {edit && <GoalForm flowId={flowId} goal={goal} onDone={() => setEditing(false)} />}
      </Card>
      {goal && figures && <Results figures={figures} event={goal.event} />}
    </div>
  );
}
