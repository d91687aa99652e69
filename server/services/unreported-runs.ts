// A run's workflow records the end of the run itself, as its last step. One that is stopped from
// outside (terminated in the Temporal UI, or past its execution timeout) cannot, and its run would
// show "running" forever. Reading an active run therefore asks Temporal, now and then, whether its
// workflow is still open, and records the end it finds; a report the workflow made is never
// overwritten (runs.settleUnreported).
import { runs, type Store } from "../../db/store";
import { isActive, type RunStatus } from "../../workflows/graph/status";
import type { TemporalAccess } from "../temporal-client";

/** How often one run is checked, however often it is read (pages poll every second). */
const CHECK_EVERY_MS = 10_000;
/** A check that takes longer is given up (Temporal unreachable): the run stays as it is. */
const CHECK_TIMEOUT_MS = 2_000;
const lastCheck = new Map<string, number>();

const ENDS: Record<string, { status: RunStatus; error: string }> = {
  TERMINATED: { status: "failed", error: "The run's workflow was terminated in Temporal (for example from the Temporal UI) before it could record its end" },
  TIMED_OUT: { status: "failed", error: "The run's workflow reached its execution timeout in Temporal before it could record its end" },
  FAILED: { status: "failed", error: "The run's workflow failed in Temporal before it could record its end; its history in the Temporal UI says why" },
  CANCELLED: { status: "cancelled", error: "Cancelled in Temporal" },
};

/** True when the run was open in the store but its workflow had ended, and the end is now recorded. */
export async function settleIfEnded(store: Store, temporal: TemporalAccess, run: { id: string; status: RunStatus; workflowId: string }, now = Date.now()): Promise<boolean> {
  if (!isActive(run.status) || now - (lastCheck.get(run.id) ?? 0) < CHECK_EVERY_MS) return false;
  lastCheck.set(run.id, now);
  let state: string;
  try {
    const client = temporal.client();
    state = (await client.connection.withDeadline(Date.now() + CHECK_TIMEOUT_MS, () => client.workflow.getHandle(run.workflowId).describe())).status.name;
  } catch {
    return false; // Temporal unreachable, or the workflow not (yet) known: nothing to conclude
  }
  const end = ENDS[state];
  if (!end) return false;
  lastCheck.delete(run.id);
  return runs.settleUnreported(store, { runId: run.id, ...end });
}
