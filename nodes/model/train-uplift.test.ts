import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef, type ModelRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import trainUplift from "./train-uplift.node.ts";
import type { UpliftArtifact } from "./uplift-model";

interface UpliftMetrics {
  method: string;
  upliftAtTopK: number;
  qiniCoefficient: number;
  trainUpliftAtTopK: number;
  heldOutTopK: { rows: number; treatedRows: number; treatedRate: number; controlRows: number; controlRate: number };
  heldOutTreatedRate: number;
  heldOutControlRate: number;
  heldOutUplift: number;
  rows: number;
  trainRows: number;
  heldOutRows: number;
  ignoredRows?: number;
  missingOutcomeRows?: number;
  qini: { share: number; model: number; perfect: number; random: number }[];
  trainSeconds: number;
}

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

// 2,100 rows: arm T (even i), C (odd i) or "other" (every seventh); x in [0, 1). Treated rows buy when
// x >= 0.5 or i % 5 = 0, control rows only when i % 5 = 0: the e-mail works on high x alone.
const SYNTHETIC = `
  SELECT i AS id, (i * 37 % 100) / 100.0 AS x, CASE i % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END AS region,
         CASE WHEN i % 7 = 0 THEN 'other' WHEN i % 2 = 0 THEN 'T' ELSE 'C' END AS arm,
         CASE WHEN i = 1 THEN NULL WHEN i % 5 = 0 OR (i % 2 = 0 AND i * 37 % 100 >= 50) THEN 'yes' ELSE 'no' END AS bought
  FROM range(2100) r(i)`;
const base = { treatmentColumn: "arm", treatedValue: "T", controlValue: "C", outcomeColumn: "bought", exclude: ["id"], modelName: "synthetic" };

describe("model.train-uplift", () => {
  let rows: DatasetRef;
  beforeAll(async () => {
    rows = await h.ctx("load").datasets.create(SYNTHETIC);
  });

  it("scores every row, holds out a seeded half of the treated and control rows, and measures on it what the output rows say", async () => {
    const res = await h.run(trainUplift, base, { rows });
    const m = res.metrics as unknown as UpliftMetrics;
    expect(JSON.parse(JSON.stringify(m))).toEqual(m);
    const store = h.ctx("check").datasets;
    const out = res.outputs.rows as DatasetRef;
    expect(out.rows).toBe(2100);
    expect(out.columns.slice(-4)).toEqual([
      { name: "uplift", type: "DOUBLE" },
      { name: "p_treated", type: "DOUBLE" },
      { name: "p_control", type: "DOUBLE" },
      { name: "part", type: "VARCHAR" },
    ]);

    // 300 rows are "other"; row 1 (C) has no outcome: 1,799 used, ceil(0.5 * 1799) = 900 held out.
    expect(m).toMatchObject({ method: "two-model", rows: 2100, ignoredRows: 300, missingOutcomeRows: 1, trainRows: 899, heldOutRows: 900, topPercent: 30 });
    const [parts] = await store.query<Record<string, number>>(
      `SELECT count(*) FILTER (WHERE part = 'train') AS train, count(*) FILTER (WHERE part = 'held out') AS held, count(*) FILTER (WHERE part IS NULL) AS unused,
              count(*) FILTER (WHERE uplift IS NULL) AS unscored, max(abs(uplift - (p_treated - p_control))) AS gap,
              count(*) FILTER (WHERE part IS NULL AND arm <> 'other' AND bought IS NOT NULL) AS wrongly_unused
       FROM ${store.from(out)}`,
    );
    expect(parts).toMatchObject({ train: 899, held: 900, unused: 301, unscored: 0, wrongly_unused: 0 });
    expect(parts!.gap).toBeLessThan(1e-12);

    // Uplift at the top 30 %, recomputed in SQL from the held-out rows: floor(0.3 * 900) = 270 by uplift, highest first.
    const [top] = await store.query<{ t: number; c: number; n: number }>(
      `SELECT avg(CASE WHEN bought = 'yes' THEN 1 ELSE 0 END) FILTER (WHERE arm = 'T') AS t, avg(CASE WHEN bought = 'yes' THEN 1 ELSE 0 END) FILTER (WHERE arm = 'C') AS c, count(*) AS n
       FROM (SELECT * FROM ${store.fromWithPosition(out)} WHERE part = 'held out' ORDER BY uplift DESC, file_row_number DESC LIMIT 270)`,
    );
    expect(top!.n).toBe(270);
    expect(m.upliftAtTopK).toBeCloseTo(top!.t - top!.c, 12);
    expect(m.heldOutTopK.rows).toBe(270);
    // The model finds the rows the e-mail works on: nearly all treated ones at the top buy, control ones at the base rate.
    expect(m.upliftAtTopK).toBeGreaterThan(0.6);
    // (The perfect ranking also knows who buys anyway, by i % 5, which no feature tells.)
    expect(m.qiniCoefficient).toBeGreaterThan(0.2);
    const [byX] = await store.query<{ high: number; low: number }>(`SELECT avg(uplift) FILTER (WHERE x >= 0.5) AS high, avg(uplift) FILTER (WHERE x < 0.5) AS low FROM ${store.from(out)}`);
    expect(byX!.high - byX!.low).toBeGreaterThan(0.5);

    // The chart: 101 points from (0, 0) to the same end for model, perfect and random.
    expect(m.qini).toHaveLength(101);
    expect(m.qini[0]).toEqual({ share: 0, model: 0, perfect: 0, random: 0 });
    const end = m.qini[100]!;
    expect(end.share).toBe(1);
    expect(end.model).toBeCloseTo(end.perfect, 9);
    expect(end.random).toBeCloseTo(end.perfect, 9);

    // The model: saved with its feature preparation and both regressions; the same seed trains the same one.
    const saved = await h.ctx("check").models.load({ id: (res.outputs.model as ModelRef).id });
    expect(saved.kind).toBe("uplift/logistic");
    const artifact = saved.artifact as UpliftArtifact;
    expect(artifact.method).toBe("two-model");
    expect(artifact.features.inputs).toEqual(["x", "region"]);
    expect(artifact.treatment).toEqual({ column: "arm", treatedValue: "T", controlValue: "C" });
    expect(artifact.outcome).toEqual({ column: "bought", positiveLabel: "yes", negativeLabel: "no" });
    expect(artifact.treated?.inputs).toBe(artifact.features.names.length);
    const again = await h.run(trainUplift, base, { rows });
    expect((again.outputs.model as ModelRef).version).toBe(2);
    expect((again.metrics as unknown as UpliftMetrics).upliftAtTopK).toBe(m.upliftAtTopK);
    expect((await h.ctx("check").models.load({ name: "synthetic", version: 2 })).artifact).toEqual(saved.artifact);
    // Another seed holds out other rows.
    const other = await h.run(trainUplift, { ...base, seed: 7 }, { rows });
    expect((other.metrics as unknown as UpliftMetrics).upliftAtTopK).not.toBe(m.upliftAtTopK);
  });

  it("class transformation: one regression, no per-arm probabilities", async () => {
    const res = await h.run(trainUplift, { ...base, method: "class-transformation", holdoutShare: 0.3 }, { rows });
    const m = res.metrics as unknown as UpliftMetrics;
    expect(m).toMatchObject({ method: "class-transformation", heldOutRows: Math.ceil(0.3 * 1799) });
    expect(m.upliftAtTopK).toBeGreaterThan(0.5);
    const store = h.ctx("check").datasets;
    const [r] = await store.query<{ probabilities: number; lo: number; hi: number }>(
      `SELECT count(p_treated) + count(p_control) AS probabilities, min(uplift) AS lo, max(uplift) AS hi FROM ${store.from(res.outputs.rows as DatasetRef)}`,
    );
    expect(r).toMatchObject({ probabilities: 0 });
    expect(r!.lo).toBeGreaterThanOrEqual(-1);
    expect(r!.hi).toBeLessThanOrEqual(1);
  });

  it("says which setting is wrong", async () => {
    const fails = async (config: Record<string, unknown>, input = rows) => failure(h.run(trainUplift, { ...base, ...config }, { rows: input }));
    const where = async (config: Record<string, unknown>, field: string, text: RegExp, input = rows) => {
      const err = await fails(config, input);
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe(field);
      expect(err.message).toMatch(text);
    };
    await where({ treatmentColumn: "segment" }, "treatmentColumn", /"segment" is not in the input/);
    await where({ outcomeColumn: "visit" }, "outcomeColumn", /"visit" is not in the input/);
    await where({ treatedValue: "Email" }, "treatedValue", /No row has "Email" in the treatment column "arm" \(values: .*T \(900\).*other \(300\)\)/);
    await where({ controlValue: "None" }, "controlValue", /No row has "None"/);
    await where({ treatedValue: "Email", controlValue: "None" }, "treatmentColumn", /neither "Email" nor "None"/);
    await where({ positiveOutcome: "maybe" }, "positiveOutcome", /"maybe" is not a value of "bought"/);
    await where({ features: ["x", "age"] }, "features", /"age" is not in the input/);
    await where({ features: ["x", "bought"] }, "features", /outcome "bought" cannot also be a feature/);
    await where({ exclude: ["nope"] }, "exclude", /"nope" is not in the input/);
    const scored = await h.ctx("t").datasets.create(`SELECT *, 0.5 AS uplift FROM (${SYNTHETIC})`);
    await where({}, "rows", /already has column "uplift"/, scored);
    // Three outcome values, or one.
    const three = await h.ctx("t").datasets.create(`SELECT * REPLACE (CASE WHEN id % 3 = 0 THEN 'maybe' ELSE bought END AS bought) FROM (${SYNTHETIC})`);
    expect(await fails({}, three)).toBeInstanceOf(DataError);
    // A value differing only in case and spaces is found.
    expect((await h.run(trainUplift, { ...base, treatedValue: " t " }, { rows })).metrics).toMatchObject({ treatedValue: "T" });
    const tiny = await h.ctx("t").datasets.create(`SELECT * FROM (${SYNTHETIC}) WHERE id < 12`);
    expect((await fails({}, tiny)).message).toMatch(/too few/);
  });
});

// Acceptance on the Hillstrom e-mail test: Womens E-Mail against No E-Mail (Mens E-Mail rows left
// out), outcome visit, a seeded 50/50 split. scikit-uplift's reference notebook (pipeline_usage_EN)
// reports uplift@30 % = 0.066 on the held-out half, with class transformation on XGBoost; the
// held-out rows here are the ones its train_test_split(test_size=0.5, random_state=42) picks.
// Checked once by hand with scikit-uplift 0.5.1's own uplift_at_k(strategy="overall") and
// qini_auc_score on these held-out scores in file order: the same figures (two models: 0.066355,
// 0.059516; class transformation: 0.070852, 0.048635).
describe("model.train-uplift on the Hillstrom e-mail experiment", () => {
  let hillstrom: DatasetRef;
  beforeAll(async () => {
    hillstrom = (await h.run(csvFile, { path: datasetFile("hillstrom-email.csv") })).outputs.rows as DatasetRef;
  });

  for (const method of ["two-model", "class-transformation"] as const) {
    it(`${method}: uplift at the top 30 % of the held-out half`, async () => {
      const started = Date.now();
      const res = await h.run(
        trainUplift,
        {
          treatmentColumn: "segment",
          treatedValue: "Womens E-Mail",
          controlValue: "No E-Mail",
          outcomeColumn: "visit",
          features: ["recency", "history", "mens", "womens", "zip_code", "newbie", "channel"],
          method,
          modelName: `hillstrom-${method}`,
        },
        { rows: hillstrom },
      );
      const seconds = (Date.now() - started) / 1000;
      const m = res.metrics as unknown as UpliftMetrics;
      console.log(
        `Hillstrom, Womens E-Mail against No E-Mail on visit, ${method} logistic regression: held-out uplift@30% ${m.upliftAtTopK.toFixed(4)} ` +
          `(train ${m.trainUpliftAtTopK.toFixed(4)}), Qini coefficient ${m.qiniCoefficient.toFixed(4)}, average uplift ${m.heldOutUplift.toFixed(4)}; node run ${seconds.toFixed(1)} s`,
      );
      expect(m.upliftAtTopK).toBeGreaterThanOrEqual(0.06);
      expect(m.qiniCoefficient).toBeGreaterThan(0);
      // 21,387 Womens E-Mail + 21,306 No E-Mail rows; ceil(0.5 * 42,693) held out.
      expect(m).toMatchObject({ rows: 64000, ignoredRows: 21307, trainRows: 21346, heldOutRows: 21347 });
      expect(m.heldOutTopK.rows).toBe(Math.floor(0.3 * 21347));
    });
  }
});
