// The inbox pump, run by every worker process: applies new inbox events to customer profiles,
// closes cohorts of matching events (and webhook calls) for event-triggered flows, evaluates
// audiences when due, starts a run for each cohort, and releases customers waiting for their
// event (./waits.ts). Every decision is a compare-and-set transaction with the cursor it
// advances, so several pumps never decide the same events twice,
// and a cohort's run id is derived from its inbox positions, so a crash between "decided" and
// "started" starts it later, once.
import type { Client } from "@temporalio/client";
import { events, profiles, triggers, type Store } from "../../db/store";
import type { InboxRow } from "../../db/store/events";
import type { CohortRow, TriggerRow } from "../../db/store/triggers";
import type { TemporalSettings } from "../../lib/temporal";
import type { NodeRegistry } from "../../nodes/node-registry";
import { passes, type Condition } from "../../nodes/trigger/conditions";
import type { RunTrigger } from "../../workflows/graph/plan";
import { startRun } from "../services/flows";
import { decide, takes } from "./cohorts";
import { exitTaker } from "./exits";
import { waitReleaser } from "./waits";

export interface PumpOptions {
  store: Store;
  registry: NodeRegistry;
  client: Client;
  settings: TemporalSettings;
  /** Pause between passes when there was nothing to do. */
  idleMs?: number;
  /**
   * Under load, a pass starts at most this often: back to back, each pass took a few events and
   * paid its fixed cost (a profiles transaction, the triggers, cohorts, waits and exits read again)
   * for them. Cohorts collect for a second, so this adds nothing they wait for.
   */
  busyMs?: number;
  log?: (message: string) => void;
}

const READ = 5000;

export interface Pump {
  /** One pass: profiles, cohorts, audiences, starts. Returns how much it did. */
  pass(): Promise<{ profiles: number; cohorts: number; started: number; released: number }>;
  stop(): Promise<void>;
}

export function startPump(o: PumpOptions): Pump {
  const log = o.log ?? ((m: string) => console.log(`pump: ${m}`));
  const idleMs = o.idleMs ?? 200;
  const busyMs = o.busyMs ?? 50;
  let stopped = false;
  let sourceNames = new Map<string, string>();
  let sourcesAt = 0;
  let retryAt = 0;
  let lastError = "";
  const waits = waitReleaser(o.store, o.client, log);
  const exits = exitTaker(o.store);

  async function sourceName(id: string): Promise<string> {
    if (Date.now() - sourcesAt > 30_000 || !sourceNames.has(id)) {
      sourceNames = new Map((await events.listSources(o.store)).map((s) => [s.id, s.name]));
      sourcesAt = Date.now();
    }
    return sourceNames.get(id) ?? (id.startsWith("webhook:") ? "webhook" : id);
  }

  // The inbox rows after the triggers' lowest position, kept from pass to pass: a cohort collects
  // for a second or more, and reading its whole window again on every pass (several a second under
  // load) cost the worker more CPU than sending the e-mails. Rows are added after `readTo` only.
  let window: { from: number; readTo: number; rows: InboxRow[] } = { from: 0, readTo: 0, rows: [] };

  /** The inbox rows after `from` up to `upTo` (at most READ): the kept window, with what arrived since. */
  async function inboxWindow(from: number, upTo: number): Promise<InboxRow[]> {
    // Another pump (or this one) moved the triggers: drop what they are past; a trigger behind the window starts it again.
    if (from < window.from) window = { from, readTo: from, rows: [] };
    else if (from > window.from) window = { from, readTo: Math.max(window.readTo, from), rows: window.rows.filter((e) => e.position > from) };
    if (window.readTo < upTo && window.rows.length < READ) {
      const more = (await triggers.inboxAfter(o.store, window.readTo, READ - window.rows.length)).filter((e) => e.position <= upTo);
      if (more.length) window = { ...window, readTo: more[more.length - 1]!.position, rows: [...window.rows, ...more] };
    }
    return window.rows.filter((e) => e.position <= upTo);
  }

  /** Cohorts of events (and webhook calls) for every trigger that takes them. */
  async function eventCohorts(list: TriggerRow[], upTo: number): Promise<number> {
    if (!list.length) return 0;
    const from = Math.min(...list.map((t) => t.position));
    if (from >= upTo) return 0;
    const read = await inboxWindow(from, upTo);
    const now = Date.now();
    const traits = new Map<string, Record<string, unknown> | undefined>();
    const needsTraits = list.some((t) => ((t.config.conditions as Condition[] | undefined) ?? []).some((c) => c.on === "trait"));
    // Profile ids only when a condition reads traits (they were looked up for every row read, on every pass).
    const ids = needsTraits ? await profileIdsOf(read) : new Map<string, string>();
    const traitsOf = (e: InboxRow) => {
      const id = (e.userId && ids.get(e.userId)) || (e.anonymousId && ids.get(e.anonymousId));
      return id ? traits.get(id) : undefined;
    };
    if (needsTraits) for (const p of await profiles.byIds(o.store, [...new Set(ids.values())])) traits.set(p.id, p.traits);
    let made = 0;
    for (const t of list) {
      const mine = read.filter((e) => e.position > t.position);
      const d = decide(t, mine, mine.filter((e) => takes(t, e, traitsOf)), now);
      if (d.kind === "wait") continue;
      const ok = await triggers.decide(o.store, t, t.position, d.to, d.kind === "cohort" ? d.cohort : null);
      if (ok && d.kind === "cohort") made++;
    }
    return made;
  }

  async function profileIdsOf(read: InboxRow[]): Promise<Map<string, string>> {
    return profiles.idsFor(
      o.store,
      read.flatMap((e) => [e.userId, e.anonymousId].filter((v): v is string => !!v)),
    );
  }

  /** Audiences due for evaluation: who entered and left since the last time. */
  async function audiences(list: TriggerRow[]): Promise<number> {
    const now = Date.now();
    const due = list.filter((t) => t.evaluatedAt === null || now - t.evaluatedAt >= Number(t.config.everyMinutes ?? 60) * 60_000);
    if (!due.length) return 0;
    const everyone = await profiles.all(o.store);
    let made = 0;
    for (const t of due) {
      const conds = (t.config.conditions as Condition[] | undefined) ?? [];
      const mode = (t.config.match as "all" | "any" | undefined) ?? "all";
      const now = new Set(everyone.filter((p) => passes(conds, mode, { traits: p.traits })).map((p) => p.id));
      const before = await triggers.audience(o.store, t.flowId);
      const entered = [...now].filter((id) => !before.has(id)).sort();
      const left = [...before].filter((id) => !now.has(id)).sort();
      const on = (t.config.on as string | undefined) ?? "entered";
      const members = [...(on !== "left" ? entered : []), ...(on !== "entered" ? left : [])];
      const detail = Object.fromEntries([...entered.map((id) => [id, "entered"]), ...left.map((id) => [id, "left"])].filter(([id]) => members.includes(id!)));
      const cohort = members.length ? { id: `${t.flowId}-a${t.evaluations + 1}`, members, detail, size: members.length, firstAt: null, lastAt: null } : null;
      if ((await triggers.evaluated(o.store, t, entered, left, cohort)) && cohort) made++;
    }
    return made;
  }

  /** Starts the runs of decided cohorts; a cohort whose run exists already is marked started. */
  async function startCohorts(): Promise<number> {
    if (Date.now() < retryAt) return 0;
    let started = 0;
    for (const c of await triggers.pendingCohorts(o.store)) {
      try {
        await startRun(o.store, o.registry, o.client, o.settings, { versionId: c.flowVersionId, runId: c.id, trigger: await runTrigger(c) });
        await triggers.markStarted(o.store, c.id);
        started++;
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if ((err as { code?: string }).code === "SERVICE_UNAVAILABLE") {
          // Temporal is away: the cohort waits (it is in the store) and is tried again shortly.
          retryAt = Date.now() + 2_000;
          if (message !== lastError) log(`cohort ${c.id} not started yet, will retry: ${message}`);
          lastError = message;
          return started;
        }
        // The flow version cannot run (deleted, or its nodes are gone from this worker): recorded, not retried.
        log(`cohort ${c.id} cannot start: ${message}`);
        await triggers.markStarted(o.store, c.id, message);
      }
    }
    lastError = "";
    return started;
  }

  async function runTrigger(c: CohortRow): Promise<RunTrigger> {
    if (c.kind === "upload") {
      const [e] = await triggers.inboxAt(o.store, [c.members[0] as number]);
      const p = (e?.payload ?? {}) as { fileId?: string; name?: string; format?: string };
      return { kind: "upload", cohortId: c.id, size: 1, source: p.name, fileId: p.fileId, fileFormat: p.format, ...(e ? { firstAt: e.receivedAt, lastAt: e.receivedAt } : {}) };
    }
    const source = c.kind === "event" ? await firstSource(c) : c.kind;
    return { kind: c.kind, cohortId: c.id, source, size: c.size, ...(c.firstAt ? { firstAt: c.firstAt } : {}), ...(c.lastAt ? { lastAt: c.lastAt } : {}) };
  }

  async function firstSource(c: CohortRow): Promise<string> {
    const [e] = await triggers.inboxAt(o.store, [c.members[0] as number]);
    return e ? sourceName(e.sourceId) : "events";
  }

  async function pass() {
    let applied = 0;
    let position = 0;
    // Profiles first, so conditions on traits see every identify before the event that needs it.
    for (let round = 0; round < 5; round++) {
      const r = await triggers.applyProfiles(o.store, 2000);
      applied += r.applied;
      position = r.position;
      if (r.applied < 2000) break;
    }
    const all = await triggers.list(o.store, ["event", "webhook", "upload", "audience"]);
    const made = (await eventCohorts(all.filter((t) => t.kind !== "audience"), position)) + (await audiences(all.filter((t) => t.kind === "audience")));
    const started = await startCohorts();
    // Exits before releases: a customer whose event both ends the journey and would release them leaves.
    const left = await exits.pass(position);
    const released = (await waits.pass(position)) + left;
    return { profiles: applied, cohorts: made, started, released };
  }

  const loop = (async () => {
    while (!stopped) {
      let busy = false;
      const began = Date.now();
      try {
        const r = await pass();
        busy = r.profiles + r.cohorts + r.started + r.released > 0;
      } catch (err) {
        // The store was busy or away: the pass is tried again; nothing was half-done (each step is one transaction).
        log(`pass failed, trying again: ${err instanceof Error ? err.message : String(err)}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
      const pause = busy ? busyMs - (Date.now() - began) : idleMs;
      if (pause > 0 && !stopped) await new Promise((r) => setTimeout(r, pause));
    }
  })();

  return {
    pass,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
