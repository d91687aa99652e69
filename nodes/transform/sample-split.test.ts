import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import sampleSplit from "./sample-split.node.ts";

let h: Harness;
let telco: DatasetRef;

// Telco has no quoted fields: a plain split reads it.
const lines = readFileSync(datasetFile("telco-customer-churn.csv"), "utf8").trim().split(/\r?\n/);
const header = lines[0]!.split(",");
const csvRows = lines.slice(1).map((l) => l.split(","));
const ID = header.indexOf("customerID");
const CHURN = header.indexOf("Churn");
const churnOf = new Map(csvRows.map((r) => [r[ID]!, r[CHURN]!]));
const csvOrder = csvRows.map((r) => r[ID]!);
const overallRate = csvRows.filter((r) => r[CHURN] === "Yes").length / csvRows.length;

beforeAll(async () => {
  h = harness();
  telco = (await h.run(csvFile, { path: datasetFile("telco-customer-churn.csv") })).outputs.rows as DatasetRef;
});
afterAll(() => h.close());

async function idsOf(ref: DatasetRef): Promise<string[]> {
  const ds = h.ctx("q").datasets;
  return (await ds.query<{ customerID: string }>(`SELECT "customerID" FROM ${ds.from(ref)}`)).map((r) => r.customerID);
}

async function run(config: Record<string, unknown>, input: DatasetRef = telco) {
  const res = await h.run(sampleSplit, config, { rows: input });
  const rows = res.outputs.rows as DatasetRef;
  const rest = res.outputs.rest as DatasetRef;
  return { rows, rest, ids: await idsOf(rows), restIds: await idsOf(rest), metrics: res.metrics as Record<string, any> };
}

const churnRate = (ids: string[]) => ids.filter((id) => churnOf.get(id) === "Yes").length / ids.length;

/** Whether `sub` appears in `all` in the same relative order. */
function inOrder(sub: string[], all: string[]): boolean {
  const at = new Map(all.map((id, i) => [id, i]));
  return sub.every((id, i) => i === 0 || at.get(sub[i - 1]!)! < at.get(id)!);
}

describe("transform.sample-split", () => {
  it("splits Telco 80/20 by Churn: disjoint, complete, the churn rate kept in both parts", async () => {
    const { rows, rest, ids, restIds, metrics } = await run({ mode: "split", trainFraction: 0.8, stratifyBy: "Churn", seed: 7 });
    expect(ids.length).toBe(Math.round(0.8 * 7043));
    expect(ids.length + restIds.length).toBe(7043);
    const all = new Set([...ids, ...restIds]);
    expect(all.size).toBe(7043);
    expect(all).toEqual(new Set(csvOrder));
    expect(Math.abs(churnRate(ids) - overallRate)).toBeLessThan(0.005);
    expect(Math.abs(churnRate(restIds) - overallRate)).toBeLessThan(0.005);
    expect(rows.columns).toEqual(telco.columns);
    expect(rest.columns).toEqual(telco.columns);
    expect(inOrder(ids, csvOrder) && inOrder(restIds, csvOrder)).toBe(true);
    const yes = csvRows.filter((r) => r[CHURN] === "Yes").length;
    // The CSV reader reads Churn's Yes/No as a boolean column.
    expect(telco.columns.find((c) => c.name === "Churn")!.type).toBe("BOOLEAN");
    expect(metrics.strata.true.rows + metrics.strata.true.rest).toBe(yes);
    expect(metrics).toMatchObject({ rowsIn: 7043, rowsOut: ids.length, rest: restIds.length });
  });

  it("gives the same split for the same seed and a different one for another seed", async () => {
    const one = await run({ stratifyBy: "Churn", seed: 7 });
    const again = await run({ stratifyBy: "Churn", seed: 7 });
    expect(again.rows.id).toBe(one.rows.id);
    expect(again.ids).toEqual(one.ids);
    const other = await run({ stratifyBy: "Churn", seed: 8 });
    expect(other.ids).not.toEqual(one.ids);
    expect(other.ids.length).toBe(one.ids.length);
    // About 80 % of one 80 % part lands in another random 80 % part: a real reshuffle, not a shift.
    const picked = new Set(one.ids);
    const shared = other.ids.filter((id) => picked.has(id)).length / one.ids.length;
    expect(shared).toBeGreaterThan(0.75);
    expect(shared).toBeLessThan(0.85);
  });

  it("samples an exact number of rows or share of rows, randomly or stratified", async () => {
    const n = await run({ mode: "sample", rows: 500, seed: 1 });
    expect(n.ids.length).toBe(500);
    expect(n.restIds.length).toBe(6543);
    expect(new Set([...n.ids, ...n.restIds]).size).toBe(7043);

    const share = await run({ mode: "sample", fraction: 0.1, stratifyBy: "Churn", seed: 1 });
    expect(share.ids.length).toBe(704);
    expect(Math.abs(churnRate(share.ids) - overallRate)).toBeLessThan(0.005);

    // Unstratified draws vary around the overall rate; the first 1,000 rows of the file are not what is picked.
    const random = await run({ mode: "sample", fraction: 0.5, seed: 3 });
    expect(random.ids.length).toBe(Math.round(0.5 * 7043));
    const firstHalf = new Set(csvOrder.slice(0, 1000));
    const fromFirst = random.ids.filter((id) => firstHalf.has(id)).length;
    expect(fromFirst).toBeGreaterThan(400);
    expect(fromFirst).toBeLessThan(600);

    const all = await run({ mode: "sample", rows: 100000 });
    expect(all.ids.length).toBe(7043);
    expect(all.restIds).toEqual([]);
  });

  it("picks the same rows whatever number of threads reads the file", async () => {
    const ds = h.ctx("setup").datasets;
    // 300,000 rows: several Parquet row groups, so DuckDB reads them in parallel when it can.
    const big = await ds.create(`SELECT range AS id, range % 7 AS g FROM range(300000)`);
    // DuckDB's settings are locked once it starts; a different thread count is its own instance.
    const before = process.env.LOOPWRIGHT_DUCKDB_THREADS;
    const picks: number[][] = [];
    try {
      for (const n of [1, 4]) {
        process.env.LOOPWRIGHT_DUCKDB_THREADS = String(n);
        const res = await h.run(sampleSplit, { mode: "sample", fraction: 0.01, stratifyBy: "g", seed: 99 }, { rows: big });
        const q = h.ctx("q").datasets;
        expect(await q.query(`SELECT current_setting('threads') AS threads`)).toEqual([{ threads: n }]);
        picks.push((await q.query<{ id: number }>(`SELECT id FROM ${q.from(res.outputs.rows as DatasetRef)}`)).map((r) => r.id));
      }
    } finally {
      if (before === undefined) delete process.env.LOOPWRIGHT_DUCKDB_THREADS;
      else process.env.LOOPWRIGHT_DUCKDB_THREADS = before;
    }
    expect(picks[0]).toHaveLength(3000);
    expect(picks[1]).toEqual(picks[0]);
    expect([...picks[0]!].sort((a, b) => a - b)).toEqual(picks[0]);
  });

  it("keeps every stratum, empty ones included, in proportion", async () => {
    const ds = h.ctx("setup").datasets;
    const tiny = await ds.create(`SELECT range AS id, CASE WHEN range % 10 = 0 THEN NULL WHEN range % 3 = 0 THEN 'a' ELSE 'b' END AS g FROM range(100)`);
    const res = await h.run(sampleSplit, { trainFraction: 0.5, stratifyBy: "g" }, { rows: tiny });
    const q = h.ctx("q").datasets;
    const counts = await q.query<{ g: string | null; n: number }>(`SELECT g, count(*)::INTEGER AS n FROM ${q.from(res.outputs.rows as DatasetRef)} GROUP BY g ORDER BY g NULLS LAST`);
    const full = await q.query<{ g: string | null; n: number }>(`SELECT g, count(*)::INTEGER AS n FROM ${q.from(tiny)} GROUP BY g ORDER BY g NULLS LAST`);
    expect(counts.reduce((s, c) => s + c.n, 0)).toBe(50);
    counts.forEach((c, i) => {
      expect(c.g).toBe(full[i]!.g);
      expect(Math.abs(c.n - full[i]!.n / 2)).toBeLessThanOrEqual(0.5);
    });
  });

  it("names the field of each configuration problem", async () => {
    const unknown = await failure(run({ stratifyBy: "churn_flag" }));
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown.where).toBe("stratifyBy");
    const nothing = await failure(run({ mode: "sample" }));
    expect(nothing.where).toBe("fraction");
    const both = await failure(run({ mode: "sample", fraction: 0.1, rows: 10 }));
    expect(both.where).toBe("rows");
    const whole = await failure(run({ trainFraction: 1 }));
    expect(whole.where).toBe("trainFraction");
  });
});
