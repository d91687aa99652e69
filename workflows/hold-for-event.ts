// A wait-for-event step's hold, as a workflow of its own (started by the run that reached the
// step, workflow id `hold-<run id>.<node id>`, which the step records for the inbox pump to
// signal). It takes the released customers together and starts the rest of the graph for them as a
// run of its own; at the deadline it takes everyone still waiting down the "timed out" path. It
// continues as new before its history grows long, so a step may hold customers for weeks while
// their events trickle in. Workflow code: deterministic, relative imports only.
import { condition, continueAsNew, defineSignal, executeChild, setHandler, sleep, workflowInfo } from "@temporalio/workflow";
import type { RunTrigger, ValueRef } from "../nodes/sdk/types";
import { activitiesFor } from "./activity-proxies";
import type { Plan, PlanNode, RunFlowInput } from "./graph/plan";

/** Sent by the inbox pump when an event released customers the step (the node id) holds. */
export const releaseSignal = defineSignal<[string]>("release");

/** After a release signal, how long more releases may gather into the same part. */
const RELEASE_GATHER = "500 milliseconds";
/** Continue as new past this many history events (Temporal's limit is 51,200). */
const HISTORY_LIMIT = 10_000;

export interface HoldInput {
  runId: string;
  plan: Plan;
  trigger?: RunTrigger;
  node: PlanNode;
  inputs: Record<string, ValueRef>;
  deadline: number;
  /** For the released and the timed-out customers: the nodes their parts run, and what those read from outside. */
  paths: Partial<Record<"released" | "timed out", { scope: string[]; given: Record<string, Record<string, ValueRef>> }>>;
  /** Carried across continue-as-new. */
  done?: { takes: number; parts: number; released: number };
  /** Continue as new past this many history events (default 10,000; tests set a small one). */
  historyLimit?: number;
}

export async function holdForEvent(input: HoldInput): Promise<{ released: number; timedOut: number }> {
  const { runId, plan, trigger, node, inputs, deadline, paths } = input;
  const state = { takes: 0, parts: 0, released: 0, ...input.done };
  let woken = false;
  setHandler(releaseSignal, () => void (woken = true));
  const runs: Promise<unknown>[] = [];
  const activities = activitiesFor(node);

  const take = async (kind: "released" | "timed out") => {
    const out = await activities.runNode({ runId, node, inputs, phase: { kind, part: ++state.takes } });
    if (!out.rows) return 0;
    if (kind === "released") state.released += out.rows;
    const path = paths[kind];
    if (path?.scope.length) {
      const childId = `${runId}.${node.id}.${++state.parts}`;
      const args: RunFlowInput = {
        runId: childId,
        plan,
        trigger: { ...(trigger ?? { kind: "manual" }), parent: { runId, node: node.id, part: kind === "released" ? `released ${state.released}` : "timed out" } },
        part: { scope: path.scope, given: { ...path.given, [node.id]: out.outputs } },
      };
      runs.push(executeChild("runFlow", { workflowId: `run-${childId}`, args: [args] }));
    }
    return out.rows;
  };

  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0 || !(await condition(() => woken, left))) break;
    await sleep(RELEASE_GATHER);
    woken = false;
    await take("released");
    if (workflowInfo().historyLength > (input.historyLimit ?? HISTORY_LIMIT) || workflowInfo().continueAsNewSuggested) {
      await Promise.all(runs); // the parts started here finish before this history closes
      await continueAsNew<typeof holdForEvent>({ ...input, done: state });
    }
  }
  const timedOut = await take("timed out");
  await take("released"); // released after the last signal and before the deadline
  await Promise.all(runs);
  return { released: state.released, timedOut };
}
