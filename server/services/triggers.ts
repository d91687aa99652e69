// What starts each flow: when a version is saved, its trigger node (if any) is registered in the
// store, where the inbox pump finds event, webhook and audience triggers, and a schedule trigger
// becomes a Temporal Schedule. Deleting the flow removes both.
import { triggers, type Store } from "../../db/store";
import type { SavedVersion } from "../../db/store/flows";
import { AppError } from "../../lib/errors";
import type { TemporalSettings } from "../../lib/temporal";
import type { NodeRegistry } from "../../nodes/node-registry";
import { compileGraph } from "../../workflows/graph/compile";
import type { Plan, PlanNode, TriggerKind } from "../../workflows/graph/plan";
import type { FlowGraph } from "../../workflows/graph/schema";
import { removeSchedule, syncSchedule } from "./schedules";
import type { Client } from "@temporalio/client";

/** The flow's trigger node, or undefined for a flow started by hand. */
export function triggerNode(plan: Plan): PlanNode | undefined {
  return plan.nodes.find((n) => n.kind === "trigger");
}

/** `trigger.event` -> "event". */
export const triggerKindOf = (node: Pick<PlanNode, "type">): TriggerKind => node.type.slice("trigger.".length) as TriggerKind;

export interface TemporalLink {
  client(): Client;
  settings(): TemporalSettings;
}

/**
 * Registers the saved version's trigger and brings its schedule up to date. A schedule that
 * cannot be written (Temporal unreachable) is an error naming what to do; the version stays saved.
 */
export async function applyTrigger(store: Store, registry: NodeRegistry, temporal: TemporalLink | null, saved: Pick<SavedVersion, "flowId" | "versionId" | "version">, graph: FlowGraph): Promise<void> {
  const plan = compileGraph(graph, registry, { id: saved.flowId, version: saved.version });
  const node = triggerNode(plan);
  const kind = node ? triggerKindOf(node) : null;
  const before = await triggers.forFlow(store, saved.flowId);
  await triggers.register(store, saved.flowId, node && kind ? { flowVersionId: saved.versionId, nodeId: node.id, kind, config: (node.config ?? {}) as Record<string, unknown> } : null);
  if (kind !== "schedule" && before?.kind !== "schedule") return;
  if (!temporal) throw new AppError("SERVICE_UNAVAILABLE", `Saved version ${saved.version}, but its schedule was not updated: Temporal is not configured here`);
  try {
    if (kind === "schedule") await syncSchedule(temporal.client(), temporal.settings(), plan, node!);
    else await removeSchedule(temporal.client(), saved.flowId);
  } catch (err) {
    throw new AppError("SERVICE_UNAVAILABLE", `Saved version ${saved.version}, but its schedule was not updated (save again once Temporal is reachable): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** Before a flow is deleted: its schedule goes, and its trigger, audience and webhook endpoint. */
export async function removeTrigger(store: Store, temporal: TemporalLink | null, flowId: string): Promise<void> {
  const before = await triggers.forFlow(store, flowId);
  if (before?.kind === "schedule" && temporal) await removeSchedule(temporal.client(), flowId);
  await triggers.removeFlow(store, flowId);
}
