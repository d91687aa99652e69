import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, harness, type Harness } from "../../tests/harness";
import { flows, ledger, runs } from "../../db/store";
import { ConfigError, type DatasetRef, type NodeResult } from "../sdk";
import split from "./split.node.ts";
import { shareEnds, shareOf, unitHash } from "./split-assign";

const N = 100_000;
// 45 + 30 + 15 + 10 (control) = 100.
const CONFIG = { customerId: "customer_id", arms: [{ name: "A", percent: 45 }, { name: "B", percent: 30 }, { name: "C", percent: 15 }], controlPercent: 10 };

let h: Harness;
let cohort: DatasetRef;
let flowId: string;
const ds = () => h.ctx("check").datasets;
const out = (res: NodeResult, port: string) => res.outputs[port] as DatasetRef;
const runSplit = (config: object, input: DatasetRef, ctx: { runId?: string; flowId?: string } = {}) => h.run(split, config, { rows: input }, h.ctx("split", ctx));

/** Of the customers in both, the share with the same arm in the two results' "rows" outputs. */
async function agreement(x: NodeResult, y: NodeResult): Promise<{ both: number; same: number }> {
  const d = ds();
  const [r] = await d.query<{ both: bigint; same: bigint }>(
    `SELECT count(*)::BIGINT AS both, count(*) FILTER (WHERE x.arm = y.arm)::BIGINT AS same FROM ${d.from(out(x, "rows"))} x JOIN ${d.from(out(y, "rows"))} y USING (customer_id)`,
  );
  return { both: Number(r!.both), same: Number(r!.same) };
}

beforeAll(async () => {
  h = harness();
  cohort = await ds().create(`SELECT 'cust-' || range AS customer_id, range AS n FROM range(${N})`);
  const flow = await flows.create(h.store, { name: "Split test", nodes: [], edges: [] });
  flowId = flow.flowId;
  for (const runId of ["run-1", "run-2"]) {
    await runs.create(h.store, { runId, flowId, flowVersionId: flow.versionId, flowVersion: 1, triggerKind: "manual", workflowId: `run-${runId}`, temporalUrl: "http://temporal.test", nodes: [] });
  }
});
afterAll(() => h.close());

describe("split assignment (pure)", () => {
  it("reads the first 8 bytes of sha256([flow, salt, customer]) as a fraction", () => {
    // Digests from `printf '%s' '<json>' | sha256sum`; the 14th hex digit's top bit is 0 in both,
    // so the 53-bit fraction equals the first 13 hex digits over 2^52.
    expect(unitHash("c1", "flow-1", "")).toBeCloseTo(parseInt("dce39d125e784", 16) / 2 ** 52, 14); // dce39d125e7843...
    expect(unitHash("42", "", "s")).toBeCloseTo(parseInt("854182428e1db", 16) / 2 ** 52, 14); // 854182428e1db2...
  });

  it("puts the control group first, then the arms in order", () => {
    const ends = shareEnds(10, [45, 30, 15]);
    expect(ends).toEqual([10, 55, 85, 100]);
    expect([0, 0.0999, 0.1, 0.5499, 0.55, 0.8499, 0.85, 0.999999].map((u) => shareOf(u, ends))).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    // No control group: nobody lands in share 0.
    expect(shareOf(0, shareEnds(0, [50, 50]))).toBe(1);
  });
});

describe("control.split", () => {
  let first: NodeResult;
  beforeAll(async () => {
    first = await runSplit(CONFIG, cohort, { runId: "run-1" });
  });

  it("gives each arm and the control group their share, within 1 percentage point", async () => {
    const shares = Object.fromEntries(["a", "b", "c", "control"].map((p) => [p, out(first, p).rows / N]));
    expect(Math.abs(shares.a! - 0.45)).toBeLessThan(0.01);
    expect(Math.abs(shares.b! - 0.3)).toBeLessThan(0.01);
    expect(Math.abs(shares.c! - 0.15)).toBeLessThan(0.01);
    expect(Math.abs(shares.control! - 0.1)).toBeLessThan(0.01);
    expect(out(first, "a").rows + out(first, "b").rows + out(first, "c").rows + out(first, "control").rows).toBe(N);
    // Ports past the number of arms are empty tables with the same columns.
    expect(out(first, "d").rows).toBe(0);
    expect(out(first, "e").columns.map((c) => c.name)).toEqual(["customer_id", "n", "arm"]);
    expect(out(first, "rows").rows).toBe(N);
    expect(first.metrics).toMatchObject({ rows: N, control: out(first, "control").rows, arms: { A: out(first, "a").rows, B: out(first, "b").rows, C: out(first, "c").rows } });
  });

  it("keeps the control group apart: only control rows in it, none of them in an arm", async () => {
    const d = ds();
    const arms = (port: string) => d.query<{ arm: string; rows: bigint }>(`SELECT arm, count(*)::BIGINT AS rows FROM ${d.from(out(first, port))} GROUP BY arm`);
    expect((await arms("control")).map((r) => r.arm)).toEqual(["control"]);
    expect((await arms("a")).map((r) => r.arm)).toEqual(["A"]);
    expect((await arms("b")).map((r) => r.arm)).toEqual(["B"]);
    expect((await arms("c")).map((r) => r.arm)).toEqual(["C"]);
    const [r] = await d.query<{ n: bigint }>(
      `SELECT count(DISTINCT customer_id)::BIGINT AS n FROM (SELECT customer_id FROM ${d.from(out(first, "control"))} UNION ALL SELECT customer_id FROM ${d.from(out(first, "a"))} UNION ALL SELECT customer_id FROM ${d.from(out(first, "b"))} UNION ALL SELECT customer_id FROM ${d.from(out(first, "c"))})`,
    );
    expect(Number(r!.n)).toBe(N);
  });

  it("is deterministic: the same ids give the same arms", async () => {
    const again = await runSplit(CONFIG, cohort, { runId: "run-1" });
    for (const port of ["a", "b", "c", "control", "rows"]) expect(out(again, port).id).toBe(out(first, port).id);
  });

  it("records each control-group customer in the ledger once, as held out, and a retry adds nothing", async () => {
    const d = ds();
    const control = (await d.query<{ customer_id: string }>(`SELECT customer_id FROM ${d.from(out(first, "control"))}`)).map((r) => r.customer_id).sort();
    const rowsOf = async () => (await ledger.list(h.store, { flowId })).filter((r) => r.runId === "run-1" && r.nodeId === "split");
    const rows = await rowsOf();
    expect(rows.map((r) => r.customerId).sort()).toEqual(control);
    expect(new Set(rows.map((r) => `${r.channel}|${r.status}|${r.reason}|${r.arm}|${r.flowVersion}`))).toEqual(new Set(["holdout|suppressed|control group|control|1"]));
    expect(rows.every((r) => r.key === `run-1:split:${r.customerId}`)).toBe(true);
    expect(first.metrics).toMatchObject({ controlRecorded: control.length });
    // The same node again in the same run (a retry): the same rows, untouched.
    const before = new Map(rows.map((r) => [r.key, r.at]));
    await runSplit(CONFIG, cohort, { runId: "run-1" });
    const after = await rowsOf();
    expect(after.length).toBe(rows.length);
    expect(after.every((r) => before.get(r.key) === r.at)).toBe(true);
  });

  it("splits into a single arm and a control group (a holdout test)", async () => {
    const res = await runSplit({ customerId: "customer_id", arms: [{ name: "email", percent: 80 }], controlPercent: 20 }, cohort, { runId: "single", flowId: "single-arm" });
    expect(out(res, "a").rows + out(res, "control").rows).toBe(N);
    expect(out(res, "b").rows).toBe(0);
    expect(Math.abs(out(res, "control").rows / N - 0.2)).toBeLessThan(0.01);
    expect((await ledger.countsByRun(h.store, "single")).map((c) => ({ ...c }))).toEqual([{ nodeId: "split", channel: "holdout", status: "suppressed", n: out(res, "control").rows }]);
  });

  it("is sticky: a later run of the same flow, with another cohort, keeps each customer's arm", async () => {
    // Every third customer, in reverse order, plus 1,000 new ones; the flow is found from the run.
    const later = await ds().create(
      `SELECT customer_id, n FROM (SELECT 'cust-' || range AS customer_id, range AS n FROM range(0, ${N}, 3) UNION ALL SELECT 'new-' || range, range FROM range(1000)) ORDER BY n DESC`,
    );
    const second = await runSplit(CONFIG, later, { runId: "run-2" });
    expect(await agreement(first, second)).toEqual({ both: Math.ceil(N / 3), same: Math.ceil(N / 3) });
    const named = await runSplit(CONFIG, later, { runId: "run-2", flowId });
    expect(out(named, "rows").id).toBe(out(second, "rows").id);
  });

  it("splits independently in another flow, and with another salt", async () => {
    // By chance two independent splits agree with probability 0.45² + 0.30² + 0.15² + 0.10² = 0.325.
    const other = await runSplit(CONFIG, cohort, { runId: "other", flowId: "another-flow" });
    const flows = await agreement(first, other);
    expect(flows.both).toBe(N);
    expect(Math.abs(flows.same / N - 0.325)).toBeLessThan(0.01);
    const salted = await runSplit({ ...CONFIG, salt: "spring" }, cohort, { runId: "run-1" });
    const salts = await agreement(first, salted);
    expect(Math.abs(salts.same / N - 0.325)).toBeLessThan(0.01);
  });

  it("leaves rows without a customer id out of the arms and the control group", async () => {
    const input = await ds().create(`SELECT * FROM (VALUES ('x1'), (NULL), ('  '), ('x2')) t(customer_id)`);
    const res = await runSplit({ ...CONFIG, controlPercent: 0, arms: [{ name: "A", percent: 50 }, { name: "B", percent: 50 }] }, input, { flowId: "f" });
    expect(out(res, "a").rows + out(res, "b").rows).toBe(2);
    expect(out(res, "control").rows).toBe(0);
    expect(res.metrics).toMatchObject({ rowsWithoutCustomerId: 2 });
    const rows = await ds().query<{ customer_id: string | null; arm: string | null }>(`SELECT * FROM ${ds().from(out(res, "rows"))}`);
    expect(rows.filter((r) => r.arm === null).map((r) => r.customer_id)).toEqual([null, "  "]);
  });

  it("refuses bad configs, naming the field", async () => {
    const small = await ds().create(`SELECT 'c' || range AS customer_id, 'old' AS arm FROM range(3)`);
    const cases: [object, string, RegExp][] = [
      [{ ...CONFIG, controlPercent: 20 }, "arms", /add up to 110, not 100/],
      [{ ...CONFIG, arms: [] }, "arms", /at least 1 arm/],
      [{ ...CONFIG, controlPercent: 0, arms: ["A", "B", "C", "D", "E", "F"].map((name) => ({ name, percent: 100 / 6 })) }, "arms", /at most 5 arms/],
      [{ ...CONFIG, controlPercent: 55, arms: [{ name: "A", percent: 22.5 }, { name: "B", percent: 22.5 }] }, "controlPercent", /50/],
      [{ ...CONFIG, arms: [{ name: "A", percent: 45 }, { name: "a", percent: 45 }] }, "arms.1.name", /Two arms are named "a"/],
      [{ ...CONFIG, arms: [{ name: "Control", percent: 45 }, { name: "B", percent: 45 }] }, "arms.0.name", /control group's name/],
      [{ ...CONFIG, arms: [{ name: "A", percent: 0 }, { name: "B", percent: 90 }] }, "arms.0.percent", /above 0/],
      [{ ...CONFIG, customerId: "user" }, "customerId", /no column "user"/],
      [CONFIG, "armColumn", /already has a column "arm"/],
    ];
    for (const [config, field, message] of cases) {
      const err = await failure(runSplit(config, small));
      expect(err, field).toBeInstanceOf(ConfigError);
      expect(err.where).toBe(field);
      expect(err.message).toMatch(message);
    }
    // Decimals that add up to 100 are fine, and so is another name for the arm column.
    const thirds = await runSplit({ ...CONFIG, controlPercent: 0, armColumn: "variant", arms: [{ name: "A", percent: 33.33 }, { name: "B", percent: 33.33 }, { name: "C", percent: 33.34 }] }, small);
    expect(out(thirds, "rows").columns.map((c) => c.name)).toEqual(["customer_id", "arm", "variant"]);
  });
});
