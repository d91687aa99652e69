// The tracking plan from the app's side: save an entry (checked by compiling it), count failed
// events by reason, and replay failed events once the plan (or the sender) is fixed.
import { events, plan, type Store } from "../../db/store";
import { BadRequest } from "../../lib/errors";
import { record, type Principal } from "../access";
import { normalise } from "../ingest/events";
import { checkPlanSchema, IDENTIFY_ENTRY, PlanCheck } from "../ingest/plan-check";

export async function savePlanEntry(store: Store, by: Principal, input: { event: string; schema: unknown; description?: string | null }) {
  const event = input.event.trim();
  if (!event || event.length > 200) throw new BadRequest(`An entry is named after its event (1 to 200 characters), or "${IDENTIFY_ENTRY}" for identify traits`);
  const schema = checkPlanSchema(input.schema);
  const row = await plan.save(store, { event, schema, description: input.description ?? null, createdBy: by.userId });
  await record(store, by, "plan.save", { target: event, detail: { version: row.version } });
  return row;
}

/** Failed events not yet replayed, counted per reason (path and rule), largest first. */
export async function failureSummary(store: Store, sourceId?: string) {
  const counts = new Map<string, { path: string; rule: string; message: string; count: number; events: Set<string> }>();
  for (const f of await plan.unreplayed(store, { sourceId, limit: 50_000 })) {
    for (const r of f.reasons) {
      const key = `${r.path}\u0000${r.rule}`;
      const c = counts.get(key) ?? { path: r.path, rule: r.rule, message: r.message, count: 0, events: new Set<string>() };
      c.count++;
      if (f.event) c.events.add(f.event);
      counts.set(key, c);
    }
  }
  return [...counts.values()].sort((a, b) => b.count - a.count).map((c) => ({ path: c.path, rule: c.rule, message: c.message, count: c.count, events: [...c.events].slice(0, 20) }));
}

/**
 * Checks failed events again against the current plan: those that pass go into the inbox (a
 * messageId already there is not stored twice) and are marked replayed; the others stay.
 */
export async function replayFailed(store: Store, by: Principal, opts: { sourceId?: string; ids?: string[] } = {}) {
  const [failed, entries, sources] = await Promise.all([plan.unreplayed(store, opts), plan.latest(store), events.listSources(store)]);
  const check = new PlanCheck(entries);
  const byId = new Map(sources.map((s) => [s.id, s]));
  const rows: events.NewInboxRow[] = [];
  const passed: string[] = [];
  for (const f of failed) {
    const source = byId.get(f.sourceId);
    if (!source || source.revokedAt) continue;
    const out = normalise(f.payload, f.type, { sourceId: f.sourceId, receivedAt: f.receivedAt });
    if (!("row" in out)) continue;
    const checked = check.check(out.row, source);
    if (checked.reasons.length) continue;
    rows.push({ ...out.row, unplanned: checked.unplanned });
    passed.push(f.id);
  }
  const [result] = await events.commit(store, [{ events: rows }]);
  await plan.markReplayed(store, passed);
  await record(store, by, "events.replay", { target: opts.sourceId ?? "all sources", detail: { tried: failed.length, replayed: passed.length, duplicates: result?.duplicates ?? 0 } });
  return { tried: failed.length, replayed: passed.length, stored: result?.stored ?? 0, stillFailing: failed.length - passed.length };
}
