import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { models } from "../../db/store";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef, type ModelRef, type NodeResult } from "../sdk";
import promote from "./promote-if-better.node.ts";
import score from "./score.node.ts";
import trainClassifier from "./train-classifier.node.ts";
import trainUplift from "./train-uplift.node.ts";

let h: Harness;
const ds = () => h.ctx("check").datasets;

// churn follows x1 (plus noise); x2 is noise. Rows 0-1,999 train, 2,000-3,499 are the fresh holdout.
const u = (salt: number) => `((hash(i * ${salt} + ${salt}) % 10000) / 10000.0)`;
const CHURN = (from: number, to: number) => `
  SELECT i AS id, ${u(1)} AS x1, ${u(7)} AS x2,
         CASE WHEN ${u(1)} + (${u(13)} - 0.5) * 0.8 > 0.5 THEN 'Yes' ELSE 'No' END AS churn
  FROM range(${from}, ${to}) t(i)`;
// An experiment: even rows e-mailed (T), odd not (C). The e-mail works when x >= 0.5; region is noise.
const EXPERIMENT = (from: number, to: number) => `
  SELECT i AS id, ${u(3)} AS x, CASE i % 3 WHEN 0 THEN 'a' WHEN 1 THEN 'b' ELSE 'c' END AS region,
         CASE WHEN i % 2 = 0 THEN 'T' ELSE 'C' END AS arm,
         CASE WHEN ${u(5)} < 0.1 + (CASE WHEN i % 2 = 0 AND ${u(3)} >= 0.5 THEN 0.4 ELSE 0 END) THEN 'yes' ELSE 'no' END AS bought
  FROM range(${from}, ${to}) t(i)`;

let train: DatasetRef;
let holdout: DatasetRef;
const classifier = async (features: string[]) =>
  (await h.run(trainClassifier, { target: "churn", features, algorithm: "logistic", modelName: "churn" }, { rows: train })).outputs.model as ModelRef;
const run = (config: object, challenger?: ModelRef, rows = holdout) => h.run(promote, config, { rows, ...(challenger ? { model: challenger } : {}) });
const currentVersion = async (name: string) => (await models.current(h.store, name))!.version;

/** ROC AUC of a version on the holdout, from model.score's column and ranks in SQL (ties share their average rank). */
async function aucOf(ref: ModelRef): Promise<number> {
  const scored = (await h.run(score, {}, { rows: holdout, model: ref })).outputs.rows as DatasetRef;
  const [r] = await ds().query<{ auc: number }>(`
    WITH r AS (SELECT churn = 'Yes' AS y, rank() OVER (ORDER BY score) + (count(*) OVER (PARTITION BY score) - 1) / 2.0 AS rk FROM ${ds().from(scored)}),
         n AS (SELECT count(*) FILTER (WHERE y) AS p, count(*) FILTER (WHERE NOT y) AS q, sum(rk) FILTER (WHERE y) AS s FROM r)
    SELECT (s - p * (p + 1) / 2.0) / (p * q) AS auc FROM n`);
  return r!.auc;
}

interface Figures {
  decision: string;
  promoted: boolean;
  currentVersion: number;
  challenger: { version: number; rocAuc?: number; qini?: number };
  previousCurrent: { version: number; rocAuc?: number; qini?: number };
  improvement: number;
  rows: number;
}
const figures = (res: NodeResult) => res.metrics as unknown as Figures;

beforeAll(async () => {
  h = harness();
  train = await ds().create(CHURN(0, 2000));
  holdout = await ds().create(CHURN(2000, 3500));
});
afterAll(() => h.close());

describe("model.promote-if-better", () => {
  let weak: ModelRef;
  let strong: ModelRef;
  beforeAll(async () => {
    weak = await classifier(["x2"]); // version 1: current, being the first
    strong = await classifier(["x1", "x2"]); // version 2: a candidate
  });

  it("keeps the current version when the challenger is better by less than the margin", async () => {
    const res = await run({ margin: 0.9 }, strong);
    expect(figures(res)).toMatchObject({ decision: "kept the current version", promoted: false, currentVersion: 1, challenger: { version: 2 }, previousCurrent: { version: 1 }, rows: 1500 });
    expect(await currentVersion("churn")).toBe(1);
    expect((res.outputs.model as ModelRef).version).toBe(1);
  });

  it("promotes a challenger better by the margin, recording both figures as measured on the holdout", async () => {
    const res = await run({}, strong);
    const f = figures(res);
    expect(f).toMatchObject({ decision: "promoted", promoted: true, currentVersion: 2, challenger: { version: 2 }, previousCurrent: { version: 1 } });
    expect(f.challenger.rocAuc).toBeCloseTo(await aucOf(strong), 5);
    expect(f.previousCurrent.rocAuc).toBeCloseTo(await aucOf(weak), 5);
    expect(f.challenger.rocAuc! - f.previousCurrent.rocAuc!).toBeGreaterThan(0.2);
    expect(await currentVersion("churn")).toBe(2);
    const all = await models.list(h.store);
    expect(all.find((m) => m.name === "churn" && m.version === 1)!.status).toBe("candidate");
    expect((res.outputs.model as ModelRef).version).toBe(2);
  });

  it("keeps the current version against a worse challenger, and says so for one already current", async () => {
    const worse = await classifier(["x2"]); // version 3
    const res = await run({ margin: 0 }, worse);
    expect(figures(res)).toMatchObject({ decision: "kept the current version", promoted: false, currentVersion: 2, challenger: { version: 3 } });
    expect(figures(res).improvement).toBeLessThan(0);
    expect(await currentVersion("churn")).toBe(2);
    const same = await run({ modelName: "churn", challengerVersion: 2 });
    expect(figures(same)).toMatchObject({ decision: "already current", promoted: false, currentVersion: 2 });
  });

  it("refuses what is missing, naming the field", async () => {
    const noX1 = await ds().create(`SELECT id, x2, churn FROM ${ds().from(holdout)}`);
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => run({ modelName: "churn" }), "challengerVersion", /connect the challenger/],
      [() => run({ modelName: "nope", challengerVersion: 1 }), "modelName", /No saved model named "nope"/],
      [() => run({ modelName: "churn", challengerVersion: 9 }), "challengerVersion", /has no version 9/],
      [() => run({ labelColumn: "churned" }, weak), "labelColumn", /no column "churned"/],
      [() => run({ modelName: "other" }, strong), "modelName", /version of "churn", not of "other"/],
      [() => run({}, weak, noX1), "rows", /lacks column "x1" needed by version 2 of model "churn"/],
      [() => run({ metric: "qini" }, weak), "metric", /qini does not apply/],
    ];
    for (const [p, field, message] of cases) {
      const err = await failure(p()).catch((e: Error) => { throw new Error(`${field}: ${e.message}`); });
      expect(err, field).toBeInstanceOf(ConfigError);
      expect(err.where, err.message).toBe(field);
      expect(err.message).toMatch(message);
    }
  });

  it("compares uplift models by their Qini coefficient, on the treatment and outcome they were trained with", async () => {
    const experiment = await ds().create(EXPERIMENT(0, 3000));
    const fresh = await ds().create(EXPERIMENT(3000, 6000));
    const uplift = async (features: string[]) =>
      (await h.run(trainUplift, { treatmentColumn: "arm", treatedValue: "T", controlValue: "C", outcomeColumn: "bought", features, modelName: "email-uplift" }, { rows: experiment })).outputs.model as ModelRef;
    await uplift(["region"]);
    const better = await uplift(["x", "region"]);
    const res = await run({}, better, fresh);
    const f = figures(res);
    expect(f).toMatchObject({ decision: "promoted", promoted: true, currentVersion: 2, rows: 3000 });
    expect(f.challenger.qini! - f.previousCurrent.qini!).toBeGreaterThan(0.1);
    expect(await currentVersion("email-uplift")).toBe(2);
    const err = await failure(run({ modelName: "email-uplift" }, strong));
    expect(err.where).toBe("modelName");
    const mixed = await failure(run({ modelName: "email-uplift", challengerVersion: 1, metric: "rocAuc" }, undefined, fresh));
    expect(mixed.where).toBe("metric");
  });
});
