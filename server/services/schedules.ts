// Schedule triggers as Temporal Schedules (one per flow, id `flow-<flowId>`). The schedule's action
// starts the interpreter workflow on the saved plan with no run id: each run's workflow id is
// `run-sched-<flowId>-<the time it was due>`, and the run's first report creates its row. Saving a
// new version replaces the plan, spec and policies but keeps the schedule paused if it was.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleDescription, type ScheduleSpec } from "@temporalio/client";
import { BadRequest, NotFound } from "../../lib/errors";
import type { TemporalSettings } from "../../lib/temporal";
import { scheduleTriggerConfig } from "../../nodes/trigger/schedule.node.ts";
import type { Plan, PlanNode, RunFlowInput } from "../../workflows/graph/plan";
import { searchAttributes } from "./flows";
import { describeInWords, dueTimes, nextRunsInWords, scheduleRule, timeInWords, type ScheduleConfig } from "./schedule-words";

export const scheduleId = (flowId: string) => `flow-${flowId}`;

/** The workflow id of a scheduled run before Temporal appends the due time. */
export const scheduledWorkflowPrefix = (flowId: string) => `run-sched-${flowId}`;

/** The run (and workflow) id of the run due at `t`: Temporal appends the due time in whole seconds, UTC. */
export const scheduledRunId = (flowId: string, t: number) => `${scheduledWorkflowPrefix(flowId)}-${new Date(Math.floor(t / 1000) * 1000).toISOString().replace(".000Z", "Z")}`;

/** At most this many runs per backfill (Temporal buffers up to 1000 starts). */
export const MAX_BACKFILL_RUNS = 1000;
/** And at most this long a range, so checking a rare cron over it stays quick. */
const MAX_BACKFILL_SPAN_MS = 3 * 366 * 24 * 3_600_000;

const OVERLAP: Record<ScheduleConfig["overlap"], ScheduleOverlapPolicy> = {
  skip: ScheduleOverlapPolicy.SKIP,
  "buffer one": ScheduleOverlapPolicy.BUFFER_ONE,
  "allow all": ScheduleOverlapPolicy.ALLOW_ALL,
  "cancel other": ScheduleOverlapPolicy.CANCEL_OTHER,
  "terminate other": ScheduleOverlapPolicy.TERMINATE_OTHER,
};

export function scheduleSpec(config: ScheduleConfig): ScheduleSpec {
  const rule = scheduleRule(config);
  return rule.kind === "interval" ? { intervals: [{ every: rule.everyMs }], timezone: config.timeZone } : { cronExpressions: [rule.cron], timezone: config.timeZone };
}

function scheduleParts(settings: TemporalSettings, plan: Plan, config: ScheduleConfig) {
  const input: RunFlowInput = { plan, trigger: { kind: "schedule", source: "schedule" } };
  return {
    spec: scheduleSpec(config),
    action: {
      type: "startWorkflow" as const,
      workflowType: "runFlow",
      workflowId: scheduledWorkflowPrefix(plan.flowId),
      taskQueue: settings.taskQueue,
      args: [input],
      typedSearchAttributes: searchAttributes(plan, "schedule"),
      memo: { flowId: plan.flowId, flowName: plan.flowName, flowVersion: plan.flowVersion },
    },
    policies: { overlap: OVERLAP[config.overlap], catchupWindow: config.catchupMinutes * 60_000 },
  };
}

/** Creates or updates the flow's schedule so it starts `plan` as the trigger node's config says. */
export async function syncSchedule(client: Client, settings: TemporalSettings, plan: Plan, node: PlanNode): Promise<void> {
  const config = scheduleTriggerConfig.parse(node.config ?? {});
  const parts = scheduleParts(settings, plan, config);
  const handle = client.schedule.getHandle(scheduleId(plan.flowId));
  // Pause, its note and any limit on the remaining runs stay as they were.
  const update = () => handle.update((prev) => ({ ...parts, state: { paused: prev.state.paused, note: prev.state.note, remainingActions: prev.state.remainingActions } }));
  try {
    await update();
    return;
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
  try {
    await client.schedule.create({ scheduleId: scheduleId(plan.flowId), ...parts, memo: { flowId: plan.flowId }, state: { note: `Created by saving version ${plan.flowVersion}` } });
  } catch (err) {
    // Created meanwhile by another save.
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await update();
  }
}

/** Deletes the flow's schedule; nothing happens when there is none. */
export async function removeSchedule(client: Client, flowId: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId(flowId)).delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}

async function describeOrNull(client: Client, flowId: string): Promise<ScheduleDescription | null> {
  try {
    return await client.schedule.getHandle(scheduleId(flowId)).describe();
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return null;
    throw err;
  }
}

/** The trigger config and version of the plan the schedule starts (what it really runs). */
function scheduledPlan(d: ScheduleDescription): { config: ScheduleConfig | null; flowVersion: number | null } {
  const input = d.action.args?.[0] as RunFlowInput | undefined;
  const node = input?.plan?.nodes?.find((n) => n.type === "trigger.schedule");
  const parsed = node ? scheduleTriggerConfig.safeParse(node.config ?? {}) : null;
  return { config: parsed?.success ? parsed.data : null, flowVersion: input?.plan?.flowVersion ?? null };
}

function noSchedule(flowId: string): NotFound {
  return new NotFound(`Flow "${flowId}" has no schedule in Temporal: save a version whose trigger is "On a schedule" to create it`);
}

export interface ScheduleView {
  exists: boolean;
  paused: boolean;
  note: string | null;
  /** "Every 2 hours, in Europe/Paris". */
  words: string | null;
  timeZone: string;
  /** The flow version the schedule runs. */
  flowVersion: number | null;
  /** The next five due times (epoch ms), and the same in words at the time of asking. */
  nextRuns: number[];
  nextRunsInWords: string[];
  /** The latest runs it started, newest first. */
  recentRuns: { runId: string; scheduledAt: number; startedAt: number }[];
  runningRuns: string[];
  actionsTaken: number;
  missedCatchupWindow: number;
  skippedOverlap: number;
  overlap: ScheduleConfig["overlap"] | null;
  catchupMinutes: number | null;
}

export async function describeSchedule(client: Client, flowId: string, now = Date.now()): Promise<ScheduleView> {
  const d = await describeOrNull(client, flowId);
  if (!d) {
    return {
      exists: false,
      paused: false,
      note: null,
      words: null,
      timeZone: "UTC",
      flowVersion: null,
      nextRuns: [],
      nextRunsInWords: [],
      recentRuns: [],
      runningRuns: [],
      actionsTaken: 0,
      missedCatchupWindow: 0,
      skippedOverlap: 0,
      overlap: null,
      catchupMinutes: null,
    };
  }
  const { config, flowVersion } = scheduledPlan(d);
  const timeZone = config?.timeZone ?? d.spec.timezone ?? "UTC";
  const nextRuns = d.info.nextActionTimes.slice(0, 5).map((t) => t.getTime());
  return {
    exists: true,
    paused: d.state.paused,
    note: d.state.note || null,
    words: config ? describeInWords(config) : null,
    timeZone,
    flowVersion,
    nextRuns,
    nextRunsInWords: nextRunsInWords(nextRuns, now, timeZone),
    recentRuns: [...d.info.recentActions]
      .reverse()
      .map((a) => ({ runId: a.action.workflow.workflowId, scheduledAt: a.scheduledAt.getTime(), startedAt: a.takenAt.getTime() })),
    runningRuns: d.info.runningActions.map((a) => a.workflow.workflowId),
    actionsTaken: d.info.numActionsTaken,
    missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
    skippedOverlap: d.info.numActionsSkippedOverlap,
    overlap: config?.overlap ?? null,
    catchupMinutes: config?.catchupMinutes ?? null,
  };
}

export async function pauseSchedule(client: Client, flowId: string, note: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId(flowId)).pause(note);
  } catch (err) {
    throw err instanceof ScheduleNotFoundError ? noSchedule(flowId) : err;
  }
}

export async function resumeSchedule(client: Client, flowId: string, note: string): Promise<void> {
  try {
    await client.schedule.getHandle(scheduleId(flowId)).unpause(note);
  } catch (err) {
    throw err instanceof ScheduleNotFoundError ? noSchedule(flowId) : err;
  }
}

export interface BackfillResult {
  /** The times due in the range (epoch ms). */
  due: number[];
  /** The due times that got a run now. */
  started: number[];
  /** The due times that already had a run (left alone: a run's id is its due time). */
  alreadyRun: number[];
}

/**
 * Runs the intervals the schedule was due in a past range (both ends included) as if they had
 * happened, all at once (overlap "allow all", so every one runs, paused or not). Intervals that
 * already have a run are left out: `hasRun` says which (by run id). At most 1000 runs at a time.
 */
export async function backfillSchedule(
  client: Client,
  flowId: string,
  range: { from: number; to: number },
  opts: { now?: number; hasRun?: (runIds: string[]) => Promise<Set<string>> } = {},
): Promise<BackfillResult> {
  const now = opts.now ?? Date.now();
  const { from, to } = range;
  const handle = client.schedule.getHandle(scheduleId(flowId));
  const d = await describeOrNull(client, flowId);
  if (!d) throw noSchedule(flowId);
  const { config } = scheduledPlan(d);
  if (!config) throw new BadRequest(`The schedule of flow "${flowId}" was not made by Loopwright (no schedule trigger in its plan); save the flow again to replace it`);
  const tz = config.timeZone;
  const at = (t: number) => `${timeInWords(t, now, tz)} (${tz})`;
  if (from > to) throw new BadRequest(`The range starts (${at(from)}) after it ends (${at(to)}): give a start before the end`);
  if (to > now) throw new BadRequest(`A backfill runs past intervals only, and the range ends in the future (${at(to)}); the schedule itself makes the runs from now on`);
  if (to - from > MAX_BACKFILL_SPAN_MS) throw new BadRequest("Backfill at most three years at a time");
  const due = dueTimes(scheduleRule(config), tz, from, to, MAX_BACKFILL_RUNS + 1);
  if (!due) throw new BadRequest(`Loopwright cannot list the times of the cron expression "${config.cron}" to backfill them; use a simpler expression`);
  const words = describeInWords(config);
  if (!due.length) throw new BadRequest(`No run was due from ${at(from)} to ${at(to)} (${words})`);
  if (due.length > MAX_BACKFILL_RUNS) {
    throw new BadRequest(`That range holds more than ${MAX_BACKFILL_RUNS} runs of this schedule (${words}); backfill at most ${MAX_BACKFILL_RUNS} at a time, with a shorter range`);
  }
  const ran = opts.hasRun ? await opts.hasRun(due.map((t) => scheduledRunId(flowId, t))) : new Set<string>();
  const missing = due.filter((t) => !ran.has(scheduledRunId(flowId, t)));
  if (missing.length) {
    // One range per stretch of consecutive missing times, starting a second before the first so the
    // first is included whether the server treats the start as inclusive or not.
    const ranges: { start: Date; end: Date; overlap: ScheduleOverlapPolicy }[] = [];
    let i = 0;
    for (const [k, t] of due.entries()) {
      if (t !== missing[i]) continue;
      const last = ranges[ranges.length - 1];
      if (last && k > 0 && due[k - 1] === missing[i - 1]) last.end = new Date(t);
      else ranges.push({ start: new Date(t - 1000), end: new Date(t), overlap: ScheduleOverlapPolicy.ALLOW_ALL });
      i++;
    }
    await handle.backfill(ranges);
  }
  return { due, started: missing, alreadyRun: due.filter((t) => ran.has(scheduledRunId(flowId, t))) };
}
