// model.score with a saved uplift model (model.train-uplift): scoring new customers, who have no
// treatment or outcome yet, by how much the treatment helps them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef, type ModelRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import score from "./score.node.ts";
import trainUplift from "./train-uplift.node.ts";

const FEATURES = ["recency", "history", "mens", "womens", "zip_code", "newbie", "channel"];
const TREATED = "Womens E-Mail";
const CONTROL = "No E-Mail";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

interface Outcome {
  id: number;
  segment: string;
  visit: number;
}

/** Visit rate of the treated rows minus that of the control rows, counted by hand. */
function observedUplift(rows: readonly Outcome[]): { uplift: number; treated: number; control: number; treatedRate: number; controlRate: number } {
  let treated = 0;
  let treatedVisits = 0;
  let control = 0;
  let controlVisits = 0;
  for (const r of rows) {
    if (r.segment === TREATED) {
      treated++;
      treatedVisits += r.visit;
    } else if (r.segment === CONTROL) {
      control++;
      controlVisits += r.visit;
    }
  }
  const treatedRate = treatedVisits / treated;
  const controlRate = controlVisits / control;
  return { uplift: treatedRate - controlRate, treated, control, treatedRate, controlRate };
}

// Hillstrom's e-mail experiment, real data (64,000 customers). Even rows (by file position) train the
// model (model.train-uplift, Womens E-Mail against No E-Mail, outcome visit; it holds back its own 5 %);
// the 32,000 odd rows are the "new customers": model.score sees only their features, not their
// segment or visit. Then, from the odd rows in the two arms (21,471 of them), by hand: the observed
// uplift (treated visit rate minus control visit rate) among the top 30 % by predicted uplift (6,441
// rows) against that of all of them. Measured (the test prints them):
//   all 21,471:           0.0456 (10,751 treated 0.1498, 10,720 control 0.1042)
//   two-model:            top 30 % 0.0675 (3,235 treated 0.1929, 3,206 control 0.1254), bottom 30 % 0.0132
//   class transformation: top 30 % 0.0712 (3,235 treated 0.1972, 3,206 control 0.1260), bottom 30 % 0.0195
describe("model.score with an uplift model, on the Hillstrom e-mail experiment", () => {
  let train: DatasetRef;
  let newCustomers: DatasetRef;
  let outcomes: Map<number, Outcome>;
  let inArms: number;
  beforeAll(async () => {
    const hillstrom = (await h.run(csvFile, { path: datasetFile("hillstrom-email.csv") })).outputs.rows as DatasetRef;
    const store = h.ctx("load").datasets;
    const numbered = `(SELECT file_row_number AS id, * EXCLUDE (file_row_number) FROM ${store.fromWithPosition(hillstrom)})`;
    train = await store.create(`SELECT * FROM ${numbered} WHERE id % 2 = 0 ORDER BY id`);
    newCustomers = await store.create(`SELECT id, ${FEATURES.join(", ")} FROM ${numbered} WHERE id % 2 = 1 ORDER BY id`);
    const held = await store.query<Outcome>(`SELECT CAST(id AS INTEGER) AS id, segment, CAST(visit AS INTEGER) AS visit FROM ${numbered} WHERE id % 2 = 1`);
    outcomes = new Map(held.map((r) => [r.id, r]));
    const [n] = await store.query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM ${numbered} WHERE id % 2 = 1 AND segment IN ('${TREATED}', '${CONTROL}')`);
    inArms = n!.n;
  });

  for (const method of ["two-model", "class-transformation"] as const) {
    it(`${method}: the top 30 % of new customers by predicted uplift gain more from the e-mail than all of them`, async () => {
      const trained = await h.run(
        trainUplift,
        { treatmentColumn: "segment", treatedValue: TREATED, controlValue: CONTROL, outcomeColumn: "visit", features: FEATURES, method, holdoutShare: 0.05, modelName: `hillstrom-${method}` },
        { rows: train },
      );
      const model = trained.outputs.model as ModelRef;

      // By name, as a flow that scores each week does (the current version).
      const res = await h.run(score, { modelName: `hillstrom-${method}` }, { rows: newCustomers });
      const out = res.outputs.rows as DatasetRef;
      const twoModel = method === "two-model";
      expect(out.rows).toBe(32000);
      expect(out.columns.map((c) => c.name)).toEqual(["id", ...FEATURES, "uplift", ...(twoModel ? ["p_treated", "p_control"] : [])]);
      expect(out.columns.slice(FEATURES.length + 1).every((c) => c.type === "DOUBLE")).toBe(true);
      expect(res.metrics).toMatchObject({ model: `hillstrom-${method}`, modelVersion: model.version, method, treatedValue: TREATED, controlValue: CONTROL, positiveOutcome: "1", rows: 32000 });

      const store = h.ctx("check").datasets;
      const scored = await store.query<{ id: number; uplift: number; p_treated?: number; p_control?: number }>(
        `SELECT CAST(id AS INTEGER) AS id, * EXCLUDE (id) FROM ${store.from(out)}`,
      );
      expect(scored).toHaveLength(32000);
      let sum = 0;
      for (const r of scored) {
        expect(r.uplift).toBeGreaterThanOrEqual(-1);
        expect(r.uplift).toBeLessThanOrEqual(1);
        sum += r.uplift;
        if (twoModel) {
          expect(r.p_treated).toBeGreaterThan(0);
          expect(r.p_treated).toBeLessThan(1);
          expect(r.p_control).toBeGreaterThan(0);
          expect(r.p_control).toBeLessThan(1);
          expect(Math.abs(r.uplift - (r.p_treated! - r.p_control!))).toBeLessThan(1e-12);
        }
      }
      expect((res.metrics as { meanUplift: number }).meanUplift).toBeCloseTo(sum / 32000, 9);

      // The new customers in the two arms, by predicted uplift, highest first.
      const ranked = scored
        .map((r) => ({ ...outcomes.get(r.id)!, predicted: r.uplift }))
        .filter((r) => r.segment === TREATED || r.segment === CONTROL)
        .sort((a, b) => b.predicted - a.predicted || a.id - b.id);
      expect(ranked).toHaveLength(inArms);
      const top = observedUplift(ranked.slice(0, Math.floor(0.3 * ranked.length)));
      const all = observedUplift(ranked);
      const bottom = observedUplift(ranked.slice(ranked.length - Math.floor(0.3 * ranked.length)));
      console.log(
        `Hillstrom new customers scored with the ${method} uplift model: observed uplift top 30 % ${top.uplift.toFixed(4)} ` +
          `(${top.treated} treated ${top.treatedRate.toFixed(4)}, ${top.control} control ${top.controlRate.toFixed(4)}), ` +
          `all ${all.uplift.toFixed(4)} (${all.treated} treated ${all.treatedRate.toFixed(4)}, ${all.control} control ${all.controlRate.toFixed(4)}), bottom 30 % ${bottom.uplift.toFixed(4)}`,
      );
      expect(all.treated + all.control).toBe(inArms);
      expect(top.uplift).toBeGreaterThan(all.uplift);
      expect(bottom.uplift).toBeLessThan(all.uplift);
    });
  }

  it("scores exactly as training scored the same rows", async () => {
    const trained = await h.run(
      trainUplift,
      { treatmentColumn: "segment", treatedValue: TREATED, controlValue: CONTROL, outcomeColumn: "visit", features: FEATURES, modelName: "hillstrom-again" },
      { rows: train },
    );
    const store = h.ctx("check").datasets;
    const features = await store.create(`SELECT id, ${FEATURES.join(", ")} FROM ${store.from(train)}`);
    const res = await h.run(score, { upliftColumn: "predicted", treatedColumn: "if_treated", controlColumn: "if_not" }, { rows: features, model: trained.outputs.model as ModelRef });
    const [r] = await store.query<{ n: number; differ: number }>(
      `SELECT count(*) AS n, count(*) FILTER (WHERE a.uplift <> b.predicted OR a.p_treated <> b.if_treated OR a.p_control <> b.if_not) AS differ
       FROM ${store.from(trained.outputs.rows as DatasetRef)} a JOIN ${store.from(res.outputs.rows as DatasetRef)} b USING (id)`,
    );
    expect(r).toEqual({ n: 32000, differ: 0 });
  });

  // Uses the models the first two tests saved.
  it("names what is wrong with the input or the settings", async () => {
    const store = h.ctx("check").datasets;
    const where = async (rows: DatasetRef, config: Record<string, unknown>, field: string, text: RegExp) => {
      const err = await failure(h.run(score, { modelName: "hillstrom-two-model", ...config }, { rows }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe(field);
      expect(err.message).toMatch(text);
    };
    const lacking = await store.create(`SELECT * EXCLUDE (recency, channel) FROM ${store.from(newCustomers)}`);
    await where(lacking, {}, "rows", /lacks columns "recency", "channel" needed by model "hillstrom-two-model" version 1/);
    const texts = await store.create(`SELECT * REPLACE (CAST(history AS VARCHAR) || ' USD' AS history) FROM ${store.from(newCustomers)}`);
    await where(texts, {}, "rows", /column "history" is VARCHAR \(text\), but the model learned it as a number/);
    const scored = await store.create(`SELECT *, 0.1 AS uplift, 0.2 AS P_Control FROM ${store.from(newCustomers)}`);
    await where(scored, {}, "upliftColumn", /already has a column "uplift"; choose another name in upliftColumn/);
    await where(scored, { upliftColumn: "uplift_v2" }, "controlColumn", /already has a column "p_control"/);
    await where(newCustomers, { upliftColumn: "x", treatedColumn: "x" }, "treatedColumn", /column "x"/);
    // Class transformation adds no probabilities, so their names cannot clash.
    const ct = await h.run(score, { modelName: "hillstrom-class-transformation", upliftColumn: "uplift_ct" }, { rows: scored });
    expect((ct.outputs.rows as DatasetRef).columns.map((c) => c.name).slice(-3)).toEqual(["uplift", "P_Control", "uplift_ct"]);
  });
});
