// The run and node statuses, defined once. Plain data: the workflow bundle, the store's schema, the
// routers, the CLI and the browser all import it.

export const RUN_STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/**
 * A node can also be skipped (an upstream node failed, or it runs in a journey's released parts
 * instead), or waiting (a journey step holding customers).
 */
export const NODE_STATUSES = [...RUN_STATUSES, "skipped", "waiting"] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** Still to come or under way: a flow with such a run cannot be deleted, such a run can be cancelled. */
export const ACTIVE_STATUSES = ["queued", "running"] as const satisfies readonly RunStatus[];
const ACTIVE_NODE_STATUSES: readonly NodeStatus[] = [...ACTIVE_STATUSES, "waiting"];

/** A run or node in one of these will not change again. */
export const FINISHED_STATUSES = ["succeeded", "failed", "cancelled", "skipped"] as const satisfies readonly NodeStatus[];

export function isFinished(status: NodeStatus): boolean {
  return (FINISHED_STATUSES as readonly string[]).includes(status);
}

export function isActive(status: NodeStatus): boolean {
  return ACTIVE_NODE_STATUSES.includes(status);
}
