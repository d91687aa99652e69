// Runs in flight when a worker is upgraded must go on under the new interpreter: Temporal replays
// their histories through the new code, and a step taken in another order (or another kind of
// step) fails the workflow task. Each history here was recorded by an earlier interpreter running
// the Telco example flow (scripts/record-history.ts says how); replaying it through the
// interpreter as it is now must give the same steps.
import { Worker } from "@temporalio/worker";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const history = (name: string) => JSON.parse(readFileSync(path.join(here, "histories", name), "utf8"));
const workflowsPath = path.join(here, "run-flow.ts");

/** The activities the recorded run scheduled, in order (local ones are markers in the history). */
function activityTypes(h: { events: { eventType: string; activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] }): string[] {
  return h.events.filter((e) => e.eventType === "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED").map((e) => e.activityTaskScheduledEventAttributes!.activityType.name);
}

describe("replaying recorded runs through the interpreter as it is now", () => {
  it("replays a run recorded before run bookkeeping became a local activity (e2b95f0)", async () => {
    const h = history("telco-e2b95f0.json");
    // Recorded with recordRun as a regular activity: the first and the last activity of the run.
    const types = activityTypes(h);
    expect(types[0]).toBe("recordRun");
    expect(types.at(-1)).toBe("recordRun");
    await expect(Worker.runReplayHistory({ workflowsPath }, h, "telco-e2b95f0")).resolves.toBeUndefined();
  }, 120_000);

  it("replays a run recorded with run bookkeeping as a local activity", async () => {
    const h = history("telco-record-run-local.json");
    expect(activityTypes(h)).not.toContain("recordRun");
    await expect(Worker.runReplayHistory({ workflowsPath }, h, "telco-record-run-local")).resolves.toBeUndefined();
  }, 120_000);

  it("fails a history whose steps the interpreter does not take", async () => {
    // The old history with its first activity renamed: the interpreter schedules recordRun there,
    // so the replay must report the mismatch rather than pass anything it is given.
    const h = history("telco-e2b95f0.json");
    const first = h.events.find((e: { eventType: string }) => e.eventType === "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED");
    first.activityTaskScheduledEventAttributes.activityType.name = "somethingElse";
    await expect(Worker.runReplayHistory({ workflowsPath }, h, "telco-altered")).rejects.toThrow(/[Nn]ondeterminism|DeterminismViolation/);
  }, 120_000);
});
