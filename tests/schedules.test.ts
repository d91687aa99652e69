// Schedule triggers as Temporal Schedules, through the web app as an editor uses them: saving a flow
// whose trigger is "On a schedule" creates its schedule, which starts runs on time; a backfill of
// three past intervals runs three times (and only once, asked twice); a paused schedule starts
// nothing; deleting the flow deletes the schedule. One real minute boundary is waited for.
import { Client, Connection, ScheduleNotFoundError } from "@temporalio/client";
import { TRPCClientError, createTRPCClient, httpLink } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runs } from "../db/store";
import type { AppRouter } from "../server/api/root";
import { scheduleId } from "../server/services/schedules";
import { temporalSettings } from "../lib/temporal";
import { authHeaders, testEnv, testStore } from "./support";

const MINUTE = 60_000;
const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${inject("webUrl")}/api/trpc`, transformer: superjson, headers: authHeaders("editor") })] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every minute in UTC: the trigger, then a pass-through of its one row. */
function everyMinute(name: string) {
  return {
    name,
    nodes: [
      { id: "tick", type: "trigger.schedule@1", position: { x: 0, y: 0 }, config: { every: "minutes", interval: 1, timeZone: "UTC", overlap: "skip", catchupMinutes: 5 } },
      { id: "pass", type: "control.passthrough@1", position: { x: 240, y: 0 }, config: {} },
    ],
    edges: [{ source: "tick", sourceHandle: "run", target: "pass", targetHandle: "rows" }],
  };
}

async function savedFlow(name: string): Promise<string> {
  const { flowId } = await api.flow.create.mutate({ name });
  await api.flow.save.mutate({ flowId, graph: everyMinute(name) });
  return flowId;
}

const scheduledRuns = async (flowId: string) => (await runs.list(testStore(), { flowId, limit: 200 })).filter((r) => r.triggerKind === "schedule");

/** Polls until `done` holds for the flow's scheduled runs, or fails with what was there. */
async function waitForRuns(flowId: string, done: (rows: Awaited<ReturnType<typeof scheduledRuns>>) => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await scheduledRuns(flowId);
    if (done(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`flow ${flowId}: runs never got there: ${JSON.stringify(rows.map((r) => ({ id: r.id, status: r.status, error: r.error })))}`);
    await sleep(500);
  }
}

const finished = (r: { status: string }) => ["succeeded", "failed", "cancelled"].includes(r.status);

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCClientError);
  const e = err as TRPCClientError<AppRouter>;
  return { code: String(e.data?.code), message: e.message };
}

let connection: Connection;
let client: Client;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject("temporalAddress") });
  client = new Client({ connection, namespace: temporalSettings(testEnv()).namespace });
});

afterAll(async () => {
  await connection?.close();
});

describe("schedule triggers", () => {
  it("run a flow on time, backfill three past intervals, stop while paused and go with the flow", { timeout: 240_000 }, async () => {
    // Both schedules are set up well before the next minute boundary, so the paused one is paused in time.
    const intoMinute = Date.now() % MINUTE;
    if (intoMinute > 35_000) await sleep(MINUTE - intoMinute + 1_000);

    const onTime = await savedFlow("Every minute on time");
    const paused = await savedFlow("Every minute paused");
    const pausedAt = Date.now();
    await api.schedule.pause.mutate({ flowId: paused, note: "test" });

    // The schedule in words, with its next five runs a minute apart.
    const view = await api.schedule.describe.query({ flowId: onTime });
    expect(view).toMatchObject({ exists: true, paused: false, words: "Every minute, in UTC", timeZone: "UTC", flowVersion: 2, problem: null });
    expect(view.nextRuns).toHaveLength(5);
    expect(view.nextRunsInWords).toHaveLength(5);
    expect(view.nextRuns[0]! % MINUTE).toBe(0);
    expect(view.nextRuns[0]!).toBeGreaterThan(pausedAt - 1_000);
    for (let i = 1; i < 5; i++) expect(view.nextRuns[i]! - view.nextRuns[i - 1]!).toBe(MINUTE);
    console.log(`next runs: ${view.nextRunsInWords.join("; ")}`);
    const due = view.nextRuns[0]!;
    expect(due).toBeGreaterThan(pausedAt);

    const pausedView = await api.schedule.describe.query({ flowId: paused });
    expect(pausedView).toMatchObject({ exists: true, paused: true });
    expect(pausedView.note).toContain("Paused by editor@loopwright.test: test");

    // Backfill three past intervals of the paused schedule: three runs, each with its due time.
    const start = Math.floor(Date.now() / MINUTE) * MINUTE - 5 * MINUTE;
    const backfilled = await api.schedule.backfill.mutate({ flowId: paused, from: start, to: new Date(start + 2 * MINUTE).toISOString() });
    expect(backfilled).toMatchObject({ due: 3, started: 3, alreadyRun: 0 });
    const three = await waitForRuns(paused, (rows) => rows.length >= 3 && rows.every(finished), 60_000);
    expect(three.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(three.map((r) => r.trigger?.scheduledAt).sort()).toEqual([start, start + MINUTE, start + 2 * MINUTE]);
    expect(three.every((r) => r.trigger?.kind === "schedule" && r.trigger.source === "schedule")).toBe(true);

    // Asked again, the same range starts nothing: each interval has its run.
    expect(await api.schedule.backfill.mutate({ flowId: paused, from: start, to: start + 2 * MINUTE })).toMatchObject({ due: 3, started: 0, alreadyRun: 3 });

    // Ranges that cannot be backfilled are refused with the reason.
    const future = await refusal(api.schedule.backfill.mutate({ flowId: paused, from: Date.now() - MINUTE, to: Date.now() + 10 * MINUTE }));
    expect(future.code).toBe("BAD_REQUEST");
    expect(future.message).toContain("ends in the future");
    const tooMany = await refusal(api.schedule.backfill.mutate({ flowId: paused, from: Date.now() - 2 * 24 * 60 * MINUTE, to: Date.now() - MINUTE }));
    expect(tooMany.message).toContain("more than 1000 runs");
    const viewer = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${inject("webUrl")}/api/trpc`, transformer: superjson, headers: authHeaders("viewer") })] });
    expect((await refusal(viewer.schedule.pause.mutate({ flowId: onTime }))).code).toBe("FORBIDDEN");

    // On time: the run due at the next minute boundary starts within seconds of it.
    const onTimeRuns = await waitForRuns(onTime, (rows) => rows.some((r) => r.trigger?.scheduledAt === due && finished(r)), due - Date.now() + 45_000);
    const onTimeRun = onTimeRuns.find((r) => r.trigger?.scheduledAt === due)!;
    expect(onTimeRun.status).toBe("succeeded");
    expect(onTimeRun.id).toBe(`run-sched-${onTime}-${new Date(due).toISOString().replace(".000Z", "Z")}`);
    console.log(`scheduled run due ${new Date(due).toISOString()} was created ${onTimeRun.createdAt - due} ms later, finished ${onTimeRun.finishedAt! - due} ms later`);
    expect(onTimeRun.createdAt - due).toBeLessThan(10_000);

    // Paused: the same boundary passed and started nothing but the three backfilled runs.
    await sleep(3_000);
    expect((await scheduledRuns(paused)).map((r) => r.trigger?.scheduledAt).sort()).toEqual([start, start + MINUTE, start + 2 * MINUTE]);
    const stillPaused = await client.schedule.getHandle(scheduleId(paused)).describe();
    expect(stillPaused.state.paused).toBe(true);

    // Resume, then pause both so no new run is under way when the flows are deleted.
    await api.schedule.resume.mutate({ flowId: paused });
    expect(await api.schedule.describe.query({ flowId: paused })).toMatchObject({ paused: false });
    for (const flowId of [onTime, paused]) await api.schedule.pause.mutate({ flowId });
    await sleep(2_000);
    for (const flowId of [onTime, paused]) await waitForRuns(flowId, (rows) => rows.every(finished), 60_000);

    // Saving again keeps the pause.
    await api.flow.save.mutate({ flowId: onTime, graph: { ...everyMinute("Every minute on time"), description: "saved again" } });
    expect(await api.schedule.describe.query({ flowId: onTime })).toMatchObject({ paused: true, flowVersion: 3 });

    // Deleting the flow deletes its schedule.
    for (const flowId of [onTime, paused]) {
      await api.flow.delete.mutate({ flowId });
      await expect(client.schedule.getHandle(scheduleId(flowId)).describe()).rejects.toBeInstanceOf(ScheduleNotFoundError);
      expect(await api.schedule.describe.query({ flowId })).toMatchObject({ exists: false });
    }
  });
});
