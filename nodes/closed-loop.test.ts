// The loop closed, simulated: a seeded population of 20,000 customers whose response to an e-mail
// depends on features the flow does not know matter (the true response is written by hand below).
// Round one (40 days ago) e-mails half of everyone at random, the other half held out by
// control.split; the purchases come in as events through the store's events API, as the ingest
// commits them. Round two (now) learns an uplift model (model.train-uplift) from round one's ledger
// joined with those purchases (source.outcomes), e-mails the 25 % with the highest predicted uplift
// with a control group of its own, and its purchases come in. Measured over its own control group
// (insight.ab-test, with its interval), round two's lift must be higher than round one's.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { events, flows, profiles, runs } from "../db/store";
import type { NewInboxRow } from "../db/store/events";
import { harness, type Harness } from "../tests/harness";
import abTest from "./insight/ab-test.node.ts";
import trainUplift from "./model/train-uplift.node.ts";
import type { DatasetRef, NodeContext } from "./sdk";
import split from "./control/split.node.ts";
import outcomes from "./source/outcomes.node.ts";
import join from "./transform/join.node.ts";

const N = 20_000;
const DAY = 86_400_000;
const TOP = 0.25;

/** A small seeded generator (mulberry32), so the population and its purchases are the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Customer {
  id: string;
  tenure: number;
  visits: number;
  plan: "basic" | "pro";
  age: number;
}

// The truth, by hand: a small base rate of buying within two weeks; the e-mail adds 30 points for
// new customers who visit often, takes 3 away from long-standing pro customers (it annoys them), and
// adds 1 point for everyone else.
const base = (c: Customer) => 0.04 + (c.plan === "pro" ? 0.04 : 0) + 0.01 * (c.visits / 9);
const effect = (c: Customer) => (c.tenure < 12 && c.visits >= 4 ? 0.3 : c.plan === "pro" && c.tenure >= 36 ? -0.03 : 0.01);

let h: Harness;
let flowId: string;
let population: DatasetRef;
const customers: Customer[] = [];
const rand = random(20_250_614);
let message = 0;

const ds = () => h.ctx("check").datasets;
const ctxOf = (runId: string, nodeId: string): NodeContext => h.ctx(nodeId, { runId });
const idsOf = async (ref: DatasetRef) => (await ds().query<{ customer_id: string }>(`SELECT customer_id FROM ${ds().from(ref)}`)).map((r) => r.customer_id);

/** Purchases (Order Completed) within 10 days of `at` for those who buy, as the ingest stores them; returns who bought. */
async function purchases(who: readonly Customer[], treated: ReadonlySet<string>, at: number): Promise<Set<string>> {
  const bought = new Set<string>();
  const rows: NewInboxRow[] = [];
  for (const c of who) {
    if (rand() >= base(c) + (treated.has(c.id) ? effect(c) : 0)) continue;
    bought.add(c.id);
    const ts = Math.round(at + (0.1 + rand() * 9.9) * DAY);
    const messageId = `order-${++message}`;
    const properties = { total: Math.round(20 + rand() * 80) };
    rows.push({ sourceId: "shop", messageId, type: "track", event: "Order Completed", userId: c.id, anonymousId: null, timestamp: ts, receivedAt: ts, payload: { type: "track", event: "Order Completed", messageId, userId: c.id, properties } });
  }
  await events.commit(h.store, [{ events: rows }]);
  return bought;
}

/** control.split, then the e-mail to arm a, recorded as send-email records what it sent. */
async function target(cohort: DatasetRef, runId: string, emailPercent: number): Promise<Set<string>> {
  const res = await h.run(split, { customerId: "customer_id", arms: [{ name: "email", percent: emailPercent }], controlPercent: 100 - emailPercent, salt: runId }, { rows: cohort }, ctxOf(runId, "split"));
  const emailed = await idsOf(res.outputs.a as DatasetRef);
  const email = ctxOf(runId, "email");
  await email.ledger.record(emailed.map((customer) => ({ customer, channel: "email", status: "sent", arm: "email", content: { campaign: "churn-save" } })));
  await email.ledger.flush(); // the node's end
  return new Set(emailed);
}

interface Lift {
  difference: number;
  ciLow: number;
  ciHigh: number;
  n: number;
}

/** The e-mailed arm's purchase rate minus its control group's, with its 95 % interval (insight.ab-test). */
async function liftOf(rows: DatasetRef, runId: string): Promise<Lift> {
  const part = await ds().create(`SELECT arm, converted FROM ${ds().from(rows)} WHERE run_id = ${ds().literal(runId)}`);
  const res = await h.run(abTest, { treatmentColumn: "arm", outcomeColumn: "converted", controlValue: "control" }, { rows: part });
  const [cmp] = (res.metrics as { comparisons: Lift[] }).comparisons;
  return { ...cmp!, n: part.rows };
}

/** Per customer of a run, whether source.outcomes says they converted. */
async function convertedIn(rows: DatasetRef, runId: string): Promise<Map<string, boolean>> {
  const list = await ds().query<{ customer_id: string; converted: boolean }>(`SELECT customer_id, converted FROM ${ds().from(rows)} WHERE run_id = ${ds().literal(runId)}`);
  return new Map(list.map((r) => [r.customer_id, r.converted]));
}

beforeAll(async () => {
  h = harness();
  for (let i = 0; i < N; i++) {
    customers.push({ id: `c${String(i).padStart(5, "0")}`, tenure: Math.floor(rand() * 60), visits: Math.floor(rand() * 10), plan: rand() < 0.4 ? "pro" : "basic", age: 18 + Math.floor(rand() * 60) });
  }
  const csv = path.join(h.dataDir, "population.csv");
  writeFileSync(csv, ["customer_id,tenure,visits,plan,age", ...customers.map((c) => `${c.id},${c.tenure},${c.visits},${c.plan},${c.age}`)].join("\n") + "\n");
  population = await ds().create(`SELECT * FROM read_csv(${ds().filePath(csv)}, header = true, columns = {'customer_id': 'VARCHAR', 'tenure': 'INTEGER', 'visits': 'INTEGER', 'plan': 'VARCHAR', 'age': 'INTEGER'})`);
  await profiles.writeTraits(h.store, customers.map((c) => ({ userId: c.id, traits: { plan: c.plan } })));
  const flow = await flows.create(h.store, { name: "Churn save", nodes: [], edges: [] });
  flowId = flow.flowId;
  for (const runId of ["round-1", "round-2"]) {
    await runs.create(h.store, { runId, flowId, flowVersionId: flow.versionId, flowVersion: 1, triggerKind: "schedule", workflowId: `wf-${runId}`, temporalUrl: "http://temporal.test", nodes: [] });
  }
});
afterAll(() => h.close());

describe("the loop, closed", () => {
  it("targets better in round two, by an uplift model learned from round one's outcomes, than round one did at random", async () => {
    const byId = new Map(customers.map((c) => [c.id, c]));
    const started = Date.now();

    // Round one, 40 days ago: everyone, half e-mailed at random, half held out.
    const round1At = started - 40 * DAY;
    vi.useFakeTimers({ toFake: ["Date"], now: round1At });
    let treated1: Set<string>;
    try {
      treated1 = await target(population, "round-1", 50);
    } finally {
      vi.useRealTimers();
    }
    const bought1 = await purchases(customers, treated1, round1At);

    // Round two, now: learn from round one's settled outcomes.
    const learned = await h.run(outcomes, { event: "Order Completed", days: 14, closedWindowsOnly: true, valueProperty: "total" }, {}, ctxOf("round-2", "outcomes"));
    const settled = learned.outputs.rows as DatasetRef;
    expect(settled.rows).toBe(N);
    // The join found exactly the purchases the simulation made.
    const seen1 = await convertedIn(settled, "round-1");
    expect([...seen1].filter(([id, c]) => c !== bought1.has(id))).toEqual([]);

    const withFeatures = await h.run(join, { keys: [{ left: "customer_id", right: "customer_id" }] }, { left: settled, right: population });
    const trained = await h.run(
      trainUplift,
      { treatmentColumn: "arm", treatedValue: "email", controlValue: "control", outcomeColumn: "converted", features: ["tenure", "visits", "plan", "age"], modelName: "churn-save-uplift" },
      { rows: withFeatures.outputs.rows as DatasetRef },
    );
    const scored = trained.outputs.rows as DatasetRef;
    const top = await ds().create(`SELECT customer_id FROM ${ds().fromWithPosition(scored)} ORDER BY uplift DESC, file_row_number LIMIT ${Math.round(N * TOP)}`);
    const treated2 = await target(top, "round-2", 80);
    const targeted = (await idsOf(top)).map((id) => byId.get(id)!);
    const bought2 = await purchases(targeted, treated2, Date.now());

    // Both rounds measured from the ledger and the purchases, each over its own control group.
    const measured = (await h.run(outcomes, { event: "Order Completed", days: 14 }, {}, ctxOf("round-2", "measure"))).outputs.rows as DatasetRef;
    const seen2 = await convertedIn(measured, "round-2");
    expect(seen2.size).toBe(targeted.length);
    expect([...seen2].filter(([id, c]) => c !== bought2.has(id))).toEqual([]);
    const lift1 = await liftOf(measured, "round-1");
    const lift2 = await liftOf(measured, "round-2");

    const pct = (v: number) => `${(v * 100).toFixed(2)} pts`;
    const trueEffect = (ids: Iterable<string>) => {
      const list = [...ids];
      return list.reduce((s, id) => s + effect(byId.get(id)!), 0) / list.length;
    };
    console.log(
      [
        `round one (random, ${lift1.n} customers): lift ${pct(lift1.difference)}, 95% CI [${pct(lift1.ciLow)}, ${pct(lift1.ciHigh)}]; true mean effect on the e-mailed ${pct(trueEffect(treated1))}`,
        `round two (top ${TOP * 100}% by predicted uplift, ${lift2.n} customers): lift ${pct(lift2.difference)}, 95% CI [${pct(lift2.ciLow)}, ${pct(lift2.ciHigh)}]; true mean effect on the e-mailed ${pct(trueEffect(treated2))}`,
        `uplift model: held-out uplift at top ${(trained.metrics as { topPercent: number }).topPercent}% ${pct((trained.metrics as { upliftAtTopK: number }).upliftAtTopK)}; the loop took ${((Date.now() - started) / 1000).toFixed(1)} s`,
      ].join("\n"),
    );
    expect(lift2.difference).toBeGreaterThan(lift1.difference);
    // Not by chance: round two's whole interval lies above round one's estimate.
    expect(lift2.ciLow).toBeGreaterThan(lift1.difference);
  });
});
