// Schedule triggers as Temporal Schedules (one per flow, id `flow-<flowId>`). To be completed.
import type { Client } from "@temporalio/client";
import type { TemporalSettings } from "../../lib/temporal";
import type { Plan, PlanNode } from "../../workflows/graph/plan";

export const scheduleId = (flowId: string) => `flow-${flowId}`;

/** Creates or updates the flow's schedule so it starts `plan` as the trigger node's config says. */
export async function syncSchedule(_client: Client, _settings: TemporalSettings, _plan: Plan, _node: PlanNode): Promise<void> {
  throw new Error("Schedules are not built yet");
}

/** Deletes the flow's schedule; nothing happens when there is none. */
export async function removeSchedule(_client: Client, _flowId: string): Promise<void> {}
