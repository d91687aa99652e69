// Profile updates, measured: the inbox pump's profile step (triggers.applyProfiles) over 20,000
// inbox events from 5,000 customers (anonymous tracks, identifies with traits, tracks by userId,
// aliases that join a second anonymous id, some of which merge two existing profiles), on SQLite
// and on PostgreSQL, in batches of 2,000 (the pump's limit) and of 100 (what it reads at a few
// hundred events a second). Prints events applied per second, the process's CPU per 1,000 events,
// and the SQL statements sent per batch (counted at the driver: better-sqlite3 prepare, pg query;
// so the batch's own cursor and inbox reads are included, and on PostgreSQL BEGIN/COMMIT/locks).
import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { events, openStore, triggers, type Store } from "../db/store";
import type { NewInboxRow } from "../db/store/events";
import { startPostgres } from "../lib/postgres-test-server";
import { fmt } from "./stats";

const EVENTS = Number(process.env.LOOPWRIGHT_BENCH_PROFILE_EVENTS) || 20_000;
const CUSTOMERS = 5_000;
const T0 = Date.UTC(2026, 0, 1);

let statements = 0;
function countStatements(): void {
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, ...args: Parameters<typeof prepare>) {
    statements++;
    return prepare.apply(this, args);
  } as typeof prepare;
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    statements++;
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
}

/** The same events on every run: a seeded mix of track, identify and alias. */
function inboxEvents(): NewInboxRow[] {
  // mulberry32, seeded
  let seed = 42;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out: NewInboxRow[] = [];
  const identified = new Set<number>();
  for (let n = 0; n < EVENTS; n++) {
    const c = Math.floor(rand() * CUSTOMERS);
    const r = rand();
    const at = T0 + n * 10;
    const anon = `anon-${c}`;
    const user = `user-${c}`;
    let row: Pick<NewInboxRow, "type" | "event" | "userId" | "anonymousId" | "payload">;
    const device = rand() < 0.5 ? "b" : "c";
    if (r < 0.1) {
      // Another device: its anonymous id (often seen before as another customer) joins the userId's
      // profile; that, or a later identify, merges two profiles, or three into the oldest.
      row = { type: "alias", event: null, userId: user, anonymousId: null, payload: { previousId: `anon-${c}-${device}` } };
    } else if (r < 0.25) {
      row = { type: "track", event: "Page Viewed", userId: null, anonymousId: `anon-${c}-${device}`, payload: { properties: { path: "/" } } };
    } else if (r < 0.45) {
      identified.add(c);
      row = { type: "identify", event: null, userId: user, anonymousId: anon, payload: { traits: { email: `${user}@example.com`, plan: rand() < 0.5 ? "free" : "pro", visits: n }, context: { timezone: "Europe/Paris" } } };
    } else if (identified.has(c)) {
      row = { type: "track", event: "Product Viewed", userId: user, anonymousId: null, payload: { properties: { sku: `A-${n % 50}` } } };
    } else {
      row = { type: "track", event: "Product Viewed", userId: null, anonymousId: anon, payload: { properties: { sku: `A-${n % 50}` } } };
    }
    const messageId = `m-${n}`;
    out.push({ sourceId: "bench", messageId, timestamp: at, receivedAt: at, ...row, payload: { ...row.payload, type: row.type, messageId, timestamp: new Date(at).toISOString() } });
  }
  return out;
}

/**
 * The live profiles and a digest of what they hold (their ids are random, so each is described by
 * its identities, traits, userId, sightings and how many profiles were merged into it):
 * equal digests from two versions of the code mean they resolved the events alike.
 */
async function outcome(store: Store): Promise<[number, number, string]> {
  const [profiles, identities] = await store.use(async (q) => Promise.all([q.select().from(store.t.profiles), q.select().from(store.t.identities)]));
  const ids = new Map<string, string[]>();
  for (const i of identities) ids.set(i.profileId, [...(ids.get(i.profileId) ?? []), `${i.kind}:${i.value}`]);
  const names = new Map(profiles.map((p) => [p.id, (ids.get(p.id) ?? []).sort().join(",")]));
  const live = profiles.filter((p) => !p.mergedInto);
  const merged = new Map<string, number>();
  for (const p of profiles) if (p.mergedInto) merged.set(p.mergedInto, (merged.get(p.mergedInto) ?? 0) + 1);
  const lines = live.map((p) => JSON.stringify([names.get(p.id), p.userId, p.traits, Number(p.firstSeen), Number(p.lastSeen), merged.get(p.id) ?? 0])).sort();
  const dangling = profiles.filter((p) => p.mergedInto && !names.has(p.mergedInto)).length;
  return [live.length, profiles.length - live.length, `${createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 12)}${dangling ? ` (${dangling} merged into a missing profile)` : ""}`];
}

async function once(store: Store, rows: NewInboxRow[], batch: number): Promise<string[]> {
  await store.use(async (q) => {
    for (const t of [store.t.profiles, store.t.identities, store.t.inbox, store.t.inboxCursors]) await q.delete(t);
  });
  for (let i = 0; i < rows.length; i += 5_000) await events.commit(store, [{ events: rows.slice(i, i + 5_000) }]);
  const cpu0 = process.cpuUsage();
  const before = statements;
  const t0 = performance.now();
  let applied = 0;
  let batches = 0;
  // Every event here has an id, so each is applied: done when all are.
  while (applied < rows.length) {
    const r = await triggers.applyProfiles(store, batch);
    if (!r.applied) throw new Error(`Stopped after ${applied} events`);
    applied += r.applied;
    batches++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const [live, merged, digest] = await outcome(store);
  return [
    `${store.dialect === "sqlite" ? "SQLite" : "PostgreSQL"}, batches of ${batch}`,
    fmt(applied / seconds, 0),
    fmt(((cpu.user + cpu.system) / 1000 / applied) * 1000, 0),
    fmt((statements - before) / batches, 0),
    `${batches}`,
    `${live}`,
    `${merged}`,
    digest,
  ];
}

export async function profilesBench(): Promise<void> {
  countStatements();
  const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-bench-profiles-"));
  const server = await startPostgres();
  const out: string[][] = [];
  const rows = inboxEvents();
  try {
    const sqlite = await openStore({ sqliteFile: path.join(dir, "loopwright.sqlite") });
    const postgres = await openStore({ url: server.url });
    for (const store of [sqlite, postgres]) for (const batch of [2_000, 100]) out.push(await once(store, rows, batch));
    await sqlite.close();
    await postgres.close();
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nProfiles: ${EVENTS.toLocaleString("en-US")} inbox events from ${CUSTOMERS.toLocaleString("en-US")} customers applied by triggers.applyProfiles, ${os.cpus().length} CPUs`);
  console.log(["backend", "events/s", "CPU ms per 1,000 events", "statements per batch", "batches", "live profiles", "merged profiles", "digest"].join(" | "));
  for (const r of out) console.log(r.join(" | "));
}
