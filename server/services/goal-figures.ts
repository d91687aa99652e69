// A flow's conversion per arm and per path, from its decisions and the goal's events: pure, so the
// tests give it figures worked out by hand. The unit is the customer: in each group (an arm, or the
// node the decision came from) a customer counts once, from their first decision there, and
// converted when a goal event of theirs came within the attribution window after it (the rule of
// nodes/source/outcome-goal.ts, which source.outcomes applies in DuckDB). Every decision counts,
// sent, suppressed or failed: the comparison is of what was decided (intention to treat).
import { compareProportions, finiteOrNull, wilsonInterval } from "../../nodes/insight/stats";
import { withinWindow } from "../../nodes/source/outcome-goal";
import type { Decision } from "../../db/store/goals";

/** The control group in the ledger: arm "control", channel "holdout" (control.split). */
export const CONTROL_ARM = "control";
export const HOLDOUT_CHANNEL = "holdout";
/** A comparison is flagged when a group has fewer converted or unconverted customers than this (the normal approximation's rule of thumb). */
export const MIN_EACH = 5;

export type GoalDecision = Decision;

/** A goal event that passed the goal's tests: whose it is and when. */
export interface GoalEvent {
  userId: string | null;
  profileId: string | null;
  at: number;
}

export interface GroupFigure {
  key: string;
  label: string;
  control: boolean;
  customers: number;
  converted: number;
  rate: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** Not converted yet, with their window still open: they may convert still. */
  pending: number;
}

export interface GroupComparison {
  key: string;
  label: string;
  against: string;
  difference: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  pValue: number | null;
  /** Too few customers for the normal approximation (fewer than MIN_EACH converted or not converted in a group). */
  tooFew: boolean;
}

export interface GoalFigures {
  decisions: number;
  customers: number;
  hasControl: boolean;
  /** Customers with a decision that names no arm (left out of the per-arm figures). */
  withoutArm: number;
  arms: GroupFigure[];
  paths: GroupFigure[];
  armComparisons: GroupComparison[];
  pathComparisons: GroupComparison[];
}

/** Sorted event times by customer key, for a binary search per decision. */
function timesBy(events: readonly GoalEvent[], key: (e: GoalEvent) => string | null): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const e of events) {
    const k = key(e);
    if (k === null) continue;
    const list = out.get(k);
    if (list) list.push(e.at);
    else out.set(k, [e.at]);
  }
  for (const list of out.values()) list.sort((a, b) => a - b);
  return out;
}

/** Whether a sorted list has a time in [from, from + windowMs). */
function hasWithin(times: readonly number[] | undefined, from: number, windowMs: number): boolean {
  if (!times?.length) return false;
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  return lo < times.length && withinWindow(from, times[lo]!, windowMs);
}

/** A decision's converted test: a goal event of the same customer (profile, or userId = customer id) within the window. */
export function converter(events: readonly GoalEvent[], windowMs: number): (d: Pick<GoalDecision, "customerId" | "profileId" | "at">) => boolean {
  const byProfile = timesBy(events, (e) => e.profileId);
  const byUser = timesBy(events, (e) => e.userId);
  return (d) => (d.profileId !== null && hasWithin(byProfile.get(d.profileId), d.at, windowMs)) || (d.customerId !== null && hasWithin(byUser.get(d.customerId), d.at, windowMs));
}

const customerKey = (d: GoalDecision) => d.customerId ?? (d.profileId !== null ? `profile:${d.profileId}` : null);
const isControl = (d: GoalDecision) => d.arm === CONTROL_ARM || d.channel === HOLDOUT_CHANNEL;

interface Group {
  label: string;
  control: boolean;
  first: Map<string, GoalDecision>;
}

function add(groups: Map<string, Group>, key: string, label: string, control: boolean, customer: string, d: GoalDecision) {
  let g = groups.get(key);
  if (!g) groups.set(key, (g = { label, control, first: new Map() }));
  const seen = g.first.get(customer);
  if (!seen || d.at < seen.at) g.first.set(customer, d);
}

function figure(key: string, g: Group, converted: (d: GoalDecision) => boolean, windowMs: number, now: number): GroupFigure {
  let x = 0;
  let pending = 0;
  for (const d of g.first.values()) {
    if (converted(d)) x++;
    else if (d.at + windowMs > now) pending++;
  }
  const n = g.first.size;
  const ci = wilsonInterval(x, n);
  return { key, label: g.label, control: g.control, customers: n, converted: x, rate: n ? x / n : null, ciLow: finiteOrNull(ci.low), ciHigh: finiteOrNull(ci.high), pending };
}

function compare(groups: readonly GroupFigure[]): GroupComparison[] {
  const control = groups.find((g) => g.control);
  if (!control?.customers) return [];
  return groups
    .filter((g) => !g.control && g.customers > 0)
    .map((g) => {
      const c = compareProportions(g.converted, g.customers, control.converted, control.customers);
      const tooFew = Math.min(g.converted, g.customers - g.converted, control.converted, control.customers - control.converted) < MIN_EACH;
      return { key: g.key, label: g.label, against: control.label, difference: finiteOrNull(c.difference), ciLow: finiteOrNull(c.low), ciHigh: finiteOrNull(c.high), pValue: finiteOrNull(c.pValue), tooFew };
    });
}

/** The control group first, then the others by label. */
const ordered = (list: GroupFigure[]) => list.sort((a, b) => Number(b.control) - Number(a.control) || a.label.localeCompare(b.label));

/**
 * Conversion per arm (the ledger's arm; the control group is arm "control") and per path (the node
 * the decision came from; every control-group decision is one path, "control"), each with its 95%
 * Wilson interval, and each against the control group: difference, 95% interval, p-value.
 * `nodeLabel` names a node for the path table.
 */
export function goalFigures(decisions: readonly GoalDecision[], events: readonly GoalEvent[], windowMs: number, now: number, nodeLabel: (nodeId: string) => string = (id) => id): GoalFigures {
  const converted = converter(events, windowMs);
  const arms = new Map<string, Group>();
  const paths = new Map<string, Group>();
  const everyone = new Set<string>();
  const withoutArm = new Set<string>();
  for (const d of decisions) {
    const customer = customerKey(d);
    if (customer === null) continue;
    everyone.add(customer);
    const control = isControl(d);
    if (control) add(arms, CONTROL_ARM, CONTROL_ARM, true, customer, d);
    else if (d.arm) add(arms, `arm:${d.arm}`, d.arm, false, customer, d);
    else withoutArm.add(customer);
    if (control) add(paths, CONTROL_ARM, CONTROL_ARM, true, customer, d);
    else add(paths, `node:${d.nodeId}`, nodeLabel(d.nodeId), false, customer, d);
  }
  const armFigures = ordered([...arms].map(([k, g]) => figure(k, g, converted, windowMs, now)));
  const pathFigures = ordered([...paths].map(([k, g]) => figure(k, g, converted, windowMs, now)));
  return {
    decisions: decisions.length,
    customers: everyone.size,
    hasControl: arms.has(CONTROL_ARM),
    withoutArm: withoutArm.size,
    arms: armFigures,
    paths: pathFigures,
    armComparisons: compare(armFigures),
    pathComparisons: compare(pathFigures),
  };
}
