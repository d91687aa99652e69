// The guardrails' store on both backends (a real SQLite file, a real PostgreSQL server): settings
// with defaults, contacts reserved under a cap in one transaction (requests in one call counting
// each other, a retry keeping its reservation, a release giving the slot back), three "flows"
// reserving at once through separate handles never passing the cap together, and the ledger's
// deferral rows (not settled, replaced by what happened later).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_GUARDRAILS, deferReason } from "../../lib/guardrails-rules";
import { startPostgres, type PostgresTestServer } from "../../lib/postgres-test-server";
import { guardrails, ledger, openSqliteStore, openStore, settings, type Store } from "./index";
import type { NewLedgerRow } from "./ledger";

let tmp: string;
let pgServer: PostgresTestServer | undefined;
const backends: Record<string, Store[]> = {};

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "loopwright-guardrails-"));
  const file = path.join(tmp, "loopwright.sqlite");
  backends.sqlite = [openSqliteStore(file), openSqliteStore(file), openSqliteStore(file)];
  pgServer = await startPostgres();
  backends.postgres = await Promise.all([1, 2, 3].map(() => openStore({ url: pgServer!.url })));
}, 120_000);

afterAll(async () => {
  for (const list of Object.values(backends)) for (const s of list) await s.close();
  await pgServer?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const NOW = Date.parse("2026-01-20T15:00:00Z");
const DAY = 86_400_000;
const cap = { max: 2, days: 7 };
const req = (key: string, subject = "p:ann", zone = "UTC") => ({ key, subject, zone });

describe.each(["sqlite", "postgres"])("guardrails on %s", (backend) => {
  let s: Store;
  beforeEach(async () => {
    s = backends[backend]![0]!;
    await s.use(async (q) => {
      await q.delete(s.t.contacts);
      await q.delete(s.t.ledger);
      await q.delete(s.t.settings);
    });
  });

  it("settings: the defaults until saved; a saved value comes back; one no longer valid gives the defaults", async () => {
    expect(await guardrails.settings(s)).toEqual(DEFAULT_GUARDRAILS);
    const mine = { caps: { email: cap }, quietHours: { enabled: true, from: "21:00", to: "08:00" }, timeZone: "Europe/Paris", controlPercent: 5 };
    await guardrails.saveSettings(s, mine);
    expect(await guardrails.settings(s)).toEqual(mine);
    await settings.set(s, "guardrails", { timeZone: "Nowhere/Else" });
    expect(await guardrails.settings(s)).toEqual(DEFAULT_GUARDRAILS);
  });

  it("reserves under the cap, in request order; earlier contacts count in the window only; a retry keeps its slot; a release frees it", async () => {
    // One earlier contact this week, one before the window.
    await guardrails.reserve(s, "email", [req("old")], null, NOW - 8 * DAY);
    await guardrails.reserve(s, "email", [req("r0:n:ann")], null, NOW - 2 * DAY);
    const refused = await guardrails.reserve(s, "email", [req("r1:n:ann"), req("r2:n:ann"), req("r1:n:bob", "p:bob")], cap, NOW);
    expect([...refused]).toEqual(["r2:n:ann"]);
    expect((await guardrails.contactsOf(s, "p:ann", "email")).map((c) => c.key)).toEqual(["old", "r0:n:ann", "r1:n:ann"]);
    // Other channels count apart.
    expect(await guardrails.reserve(s, "sms", [req("r3:n:ann")], cap, NOW)).toEqual(new Set());
    // A retry of the node that reserved r1 keeps it, without counting it twice.
    expect(await guardrails.reserve(s, "email", [req("r1:n:ann")], cap, NOW + 1000)).toEqual(new Set());
    expect(await guardrails.contactsOf(s, "p:ann", "email", NOW - 7 * DAY)).toHaveLength(2);
    await guardrails.release(s, ["r1:n:ann"]);
    expect(await guardrails.reserve(s, "email", [req("r4:n:ann")], cap, NOW + 2000)).toEqual(new Set());
    // No cap: everyone is reserved (counted for when a cap is set).
    expect(await guardrails.reserve(s, "email", [req("r5:n:ann")], null, NOW + 3000)).toEqual(new Set());
    expect(await guardrails.contactsOf(s, "p:ann", "email", NOW - 7 * DAY)).toHaveLength(3);
  });

  it("counts calendar days in the request's zone", async () => {
    // 23:50 on the 14th in New York (04:50 UTC on the 15th): with one a day, 00:10 there is a new day; in UTC it is not.
    await guardrails.reserve(s, "email", [req("a", "p:ny")], null, Date.parse("2026-01-15T04:50:00Z"));
    const oneADay = { max: 1, days: 1 };
    const later = Date.parse("2026-01-15T05:10:00Z");
    expect(await guardrails.reserve(s, "email", [req("b", "p:ny", "UTC")], oneADay, later)).toEqual(new Set(["b"]));
    expect(await guardrails.reserve(s, "email", [req("b", "p:ny", "America/New_York")], oneADay, later)).toEqual(new Set());
  });

  it("three flows reserving at once through their own handles give each customer the cap, never more", async () => {
    const customers = Array.from({ length: 60 }, (_, i) => `c${i}`);
    const handles = backends[backend]!;
    const results = await Promise.all(
      handles.map((h, flow) =>
        // Each flow in batches of 20, so the three interleave.
        (async () => {
          const refused: string[] = [];
          for (let i = 0; i < customers.length; i += 20) {
            const got = await guardrails.reserve(h, "email", customers.slice(i, i + 20).map((c) => req(`run${flow}:email:${c}`, `c:${c}`)), cap, NOW);
            refused.push(...got);
          }
          return refused;
        })(),
      ),
    );
    expect(results.flat()).toHaveLength(customers.length);
    for (const c of customers) expect(await guardrails.contactsOf(s, `c:${c}`, "email"), c).toHaveLength(2);
  });

  it("ledger: a deferral is not settled; a retry may overwrite it; the deferred part's outcome replaces it", async () => {
    const row = (key: string, status: NewLedgerRow["status"], reason: string | null = null): NewLedgerRow => ({
      key,
      runId: key.split(":")[0]!,
      flowId: "f",
      flowVersion: 1,
      nodeId: "email",
      channel: "email",
      customerId: key.split(":")[2]!,
      profileId: null,
      status,
      reason,
      content: null,
      model: null,
      arm: null,
      providerId: null,
    });
    const deferred = deferReason(NOW + DAY);
    await ledger.record(s, [row("run1:email:ann", "suppressed", deferred), row("run1:email:bob", "suppressed", deferred), row("run1:email:cy", "suppressed", "no consent")]);
    expect(await ledger.settled(s, ["run1:email:ann", "run1:email:bob", "run1:email:cy"])).toEqual(new Set(["run1:email:cy"]));
    // A retry of the node that deferred bob, once quiet hours are over, sends and records under the same key.
    await ledger.record(s, [row("run1:email:bob", "sent")]);
    // The deferred part (a child run) sends ann: its row replaces the deferral; cy's suppression is no deferral and stays.
    await ledger.record(s, [row("run1.email.1:email:ann", "sent")], ["run1:email:ann", "run1:email:cy"]);
    const rows = Object.fromEntries((await ledger.list(s)).map((r) => [r.key, r.status]));
    expect(rows).toEqual({ "run1:email:bob": "sent", "run1.email.1:email:ann": "sent", "run1:email:cy": "suppressed" });
  });
});
