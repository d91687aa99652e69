import { afterAll, describe, expect, it } from "vitest";
import { harness, datasetFile } from "../../tests/harness";
import { NeuralNetwork } from "brain.js";
import { DataError } from "../sdk";
import { encodedWidth, encodeRow, fitFeatures, isIdentifierLike, looksNumeric, missingInputs, selectInFileOrder } from "./features";
import { NumericTextAudit, schemaMismatches, typeFamily } from "./feature-checks";
import { CLASSIFIER_KIND, classifierFromArtifact, LOGISTIC_CLASSIFIER_KIND, MULTICLASS_LOGISTIC_KIND, MULTICLASS_NET_KIND, netOutputs } from "./saved-classifiers";
import { fitLogistic } from "./logistic";

const col = (name: string, type: string) => ({ name, type });

describe("numeric columns", () => {
  it("are standardised with the training mean and population std, missing values imputed and flagged", () => {
    const spec = fitFeatures([{ x: 1 }, { x: 2 }, { x: 3 }, { x: null }], [col("x", "DOUBLE")], ["x"]);
    expect(spec.names).toEqual(["x", "x (missing)"]);
    // mean 2, variance ((1)^2 + 0 + (1)^2) / 3 = 2/3
    const sd = Math.sqrt(2 / 3);
    const [v, flag] = encodeRow(spec, { x: 3 });
    expect(v).toBeCloseTo(1 / sd, 12);
    expect(flag).toBe(0);
    expect(encodeRow(spec, { x: null })).toEqual([0, 1]);
    expect(encodeRow(spec, {})).toEqual([0, 1]);
    expect(encodeRow(spec, { x: 0 })[0]).toBeCloseTo(-2 / sd, 12);
  });

  it("get no missing flag when training had no gaps, and a constant column is not divided by 0", () => {
    const spec = fitFeatures([{ x: 5n, k: 7 }, { x: 7n, k: 7 }], [col("x", "BIGINT"), col("k", "INTEGER")], ["x", "k"]);
    expect(spec.names).toEqual(["x", "k"]);
    expect(encodeRow(spec, { x: 7n, k: 9 })).toEqual([1, 2]);
    // Missing at scoring time still becomes the mean (0 after scaling).
    expect(encodeRow(spec, { x: null, k: 7 })).toEqual([0, 0]);
  });
});

describe("text that holds numbers", () => {
  it("is numeric when at least 95% of non-blank values parse", () => {
    const nineteen = Array.from({ length: 19 }, (_, i) => String(i));
    expect(looksNumeric([...nineteen, "abc", " ", null])).toBe(true);
    expect(looksNumeric([...nineteen.slice(0, 18), "abc", "def"])).toBe(false);
    expect(looksNumeric([" ", null])).toBe(false);
  });

  it("treats blank and unparseable values as missing", () => {
    const rows = [{ t: "10" }, { t: " " }, { t: "20" }, { t: "30" }];
    const spec = fitFeatures(rows, [col("t", "VARCHAR")], ["t"]);
    expect(spec.features[0]).toMatchObject({ kind: "numeric", mean: 20, missingIndicator: true });
    expect(encodeRow(spec, { t: " " })).toEqual([0, 1]);
    expect(encodeRow(spec, { t: "n/a" })).toEqual([0, 1]);
    expect(encodeRow(spec, { t: " 20 " })).toEqual([0, 0]);
  });
});

describe("categorical columns", () => {
  it("one-hot encode the 20 most frequent values, with null as its own category and the rest as other", () => {
    // Category c<i> appears 30 - i times, so c0..c19 are the top 20; c20..c24 fall into "other".
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 25; i++) for (let k = 0; k < 30 - i; k++) rows.push({ c: `c${i}` });
    for (let k = 0; k < 29; k++) rows.push({ c: null }); // ties with c1 at 29; "(missing)" sorts before "c1"
    const spec = fitFeatures(rows, [col("c", "VARCHAR")], ["c"]);
    expect(encodedWidth(spec)).toBe(21);
    expect(spec.names[0]).toBe("c=c0");
    expect(spec.names[1]).toBe("c=(missing)");
    expect(spec.names[2]).toBe("c=c1");
    expect(spec.names[20]).toBe("c=(other)");
    expect(spec.names).not.toContain("c=c19"); // pushed out by "(missing)"
    const hot = (row: Record<string, unknown>) => encodeRow(spec, row).flatMap((v, i) => (v === 1 ? [spec.names[i]] : []));
    expect(hot({ c: "c1" })).toEqual(["c=c1"]);
    expect(hot({ c: null })).toEqual(["c=(missing)"]);
    expect(hot({ c: "c24" })).toEqual(["c=(other)"]);
    expect(hot({ c: "never seen" })).toEqual(["c=(other)"]);
    expect(encodeRow(spec, { c: "c3" }).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("encode an unseen value as all zeros when training kept every value", () => {
    const spec = fitFeatures([{ b: true }, { b: false }, { b: true }], [col("b", "BOOLEAN")], ["b"]);
    expect(spec.names).toEqual(["b=true", "b=false"]);
    expect(encodeRow(spec, { b: false })).toEqual([0, 1]);
    expect(encodeRow(spec, { b: null })).toEqual([0, 0]);
  });

  it("spot id-like text columns", () => {
    const ids = Array.from({ length: 30 }, (_, i) => ({ id: `cust-${i}`, n: String(i), g: i % 2 ? "a" : "b" }));
    expect(isIdentifierLike(ids, col("id", "VARCHAR"))).toBe(true);
    expect(isIdentifierLike(ids, col("n", "VARCHAR"))).toBe(false); // numbers, so numeric
    expect(isIdentifierLike(ids, col("g", "VARCHAR"))).toBe(false);
    expect(isIdentifierLike(ids.slice(0, 5), col("id", "VARCHAR"))).toBe(false); // too few to tell
  });
});

describe("options", () => {
  it("keep as many categories as asked", () => {
    const rows = ["a", "a", "a", "b", "b", "c"].map((c) => ({ c }));
    expect(fitFeatures(rows, [col("c", "VARCHAR")], ["c"], { maxCategories: 1 }).names).toEqual(["c=a", "c=(other)"]);
    expect(fitFeatures(rows, [col("c", "VARCHAR")], ["c"], { maxCategories: 3 }).names).toEqual(["c=a", "c=b", "c=c"]);
  });

  it("turn text columns into a bag of words fitted on the given rows", () => {
    const rows = [
      { review: "Great food, great service", n: 1 },
      { review: "Bad service", n: 2 },
      { review: "great value", n: 3 },
      { review: "bad food, great", n: 4 },
    ];
    const columns = [col("review", "VARCHAR"), col("n", "INTEGER")];
    const spec = fitFeatures(rows, columns, ["review", "n"], { textColumns: ["review"] });
    expect(spec.features[0]).toMatchObject({ kind: "text", column: "review", type: "VARCHAR", vocabulary: ["great", "bad", "food", "service"], binary: true });
    expect(spec.names).toEqual(["review: great", "review: bad", "review: food", "review: service", "n"]);
    expect(encodeRow(spec, { review: "GREAT great bad, unknown", n: 2.5 }).slice(0, 4)).toEqual([1, 1, 0, 0]);
    const counts = fitFeatures(rows, columns, ["review"], { textColumns: ["review"], textMode: "counts", textVocabulary: 2 });
    expect(counts.names).toEqual(["review: great", "review: bad"]);
    expect(encodeRow(counts, { review: "great GREAT great" })).toEqual([3, 0]);
    expect(encodeRow(JSON.parse(JSON.stringify(counts)), { review: "bad great" })).toEqual([1, 1]);
    expect(() => fitFeatures(rows, columns, ["n"], { textColumns: ["review"] })).toThrow(/not among the features/);
  });
});

describe("a scoring table's columns", () => {
  const rows = [
    { tenure: 1n, total: "10", partner: true, plan: "a", at: new Date(0) },
    { tenure: 5n, total: " ", partner: false, plan: "b", at: new Date(1) },
  ];
  const trained = [col("tenure", "BIGINT"), col("total", "VARCHAR"), col("partner", "BOOLEAN"), col("plan", "VARCHAR"), col("at", "TIMESTAMP")];
  const spec = fitFeatures(rows, trained, ["tenure", "total", "partner", "plan", "at"]);

  it("are typed into families", () => {
    expect(["BIGINT", "DECIMAL(18,3)", "DOUBLE", "DATE", "TIMESTAMP WITH TIME ZONE", "VARCHAR", "BOOLEAN", "UUID"].map(typeFamily)).toEqual([
      "number",
      "number",
      "number",
      "time",
      "time",
      "text",
      "boolean",
      "other",
    ]);
  });

  it("fit when each keeps its kind of values, numbers as any number type and number-like text as text or numbers", () => {
    expect(spec.features.map((f) => [f.kind, f.type])).toEqual([
      ["numeric", "BIGINT"],
      ["numeric", "VARCHAR"],
      ["categorical", "BOOLEAN"],
      ["categorical", "VARCHAR"],
      ["numeric", "TIMESTAMP"],
    ]);
    expect(schemaMismatches(spec, trained)).toEqual([]);
    expect(schemaMismatches(spec, [col("tenure", "DOUBLE"), col("total", "DOUBLE"), col("partner", "BOOLEAN"), col("plan", "VARCHAR"), col("at", "TIMESTAMP")])).toEqual([]);
  });

  it("do not fit when text comes where numbers, true/false values or times were learned", () => {
    const now = [col("tenure", "VARCHAR"), col("total", "BOOLEAN"), col("partner", "VARCHAR"), col("plan", "BIGINT"), col("at", "VARCHAR")];
    const problems = schemaMismatches(spec, now);
    expect(problems.map((p) => p.column)).toEqual(["tenure", "total", "partner", "plan", "at"]);
    expect(problems[0]!.message).toBe('column "tenure" is VARCHAR (text), but the model learned it as a number from BIGINT');
    expect(problems[2]!.message).toContain("learned it as categories of true/false values from BOOLEAN");
    // Absent columns are someone else's message; specs without types cannot be compared.
    expect(schemaMismatches(spec, [])).toEqual([]);
    const old = JSON.parse(JSON.stringify(spec, (k, v) => (k === "type" ? undefined : v)));
    expect(schemaMismatches(old, now)).toEqual([]);
  });

  it("are audited for text that no longer reads as numbers", () => {
    const scoring = [col("tenure", "BIGINT"), col("total", "VARCHAR")];
    const ok = new NumericTextAudit(spec, scoring);
    for (let i = 0; i < 40; i++) ok.observe({ tenure: i, total: i === 0 ? "n/a" : i % 5 ? String(i) : " " });
    expect(ok.problems()).toEqual([]); // 1 bad of 32 non-blank
    const bad = new NumericTextAudit(spec, scoring);
    for (let i = 0; i < 10; i++) bad.observe({ tenure: "x", total: i < 2 ? "lots" : "12.5" });
    expect(bad.problems()).toEqual([{ column: "total", message: expect.stringContaining('2 of 10 values (e.g. "lots")') }]);
  });
});

describe("saved classifiers", () => {
  const rows = [{ x: 0 }, { x: 1 }, { x: 2 }, { x: 3 }];
  const spec = fitFeatures(rows, [col("x", "DOUBLE")], ["x"]);
  const x = Float32Array.of(1);

  it("read brain.js networks, one output or one per class, even when brain.js answers with an object", () => {
    const net = new NeuralNetwork<Float32Array, Float32Array>({ inputSize: 1, hiddenLayers: [2], outputSize: 1 });
    // Training on typed arrays makes brain.js keep index lookup tables, as saved models have.
    net.train([{ input: Float32Array.of(0), output: Float32Array.of(0) }, { input: Float32Array.of(1), output: Float32Array.of(1) }], { iterations: 5 });
    expect(Array.isArray(net.run(x)) || ArrayBuffer.isView(net.run(x))).toBe(false);
    expect(netOutputs(net, x)).toHaveLength(1);
    const binary = classifierFromArtifact(CLASSIFIER_KIND, { net: net.toJSON(), features: spec, target: "y", positiveLabel: "Yes" });
    expect(binary.classes).toEqual(["not Yes", "Yes"]);
    const p = binary.predict(x, new Float64Array(2));
    expect(p[1]).toBeCloseTo((net.run(x) as unknown as Record<string, number>)[0]!, 6);
    expect(p[0]! + p[1]!).toBeCloseTo(1, 12);

    const three = new NeuralNetwork<Float32Array, Float32Array>({ inputSize: 1, hiddenLayers: [2], outputSize: 3 });
    three.initialize();
    const multi = classifierFromArtifact(MULTICLASS_NET_KIND, { net: three.toJSON(), features: spec, target: "y", classes: ["a", "b", "c"] });
    expect(multi.positiveLabel).toBeUndefined();
    expect(multi.predict(x, new Float64Array(3)).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it("read logistic regressions of two or more classes", async () => {
    const two = await fitLogistic([[0], [1], [2], [3]], [0, 0, 1, 1], 2);
    const binary = classifierFromArtifact(LOGISTIC_CLASSIFIER_KIND, { logistic: two, features: spec, target: "y", positiveLabel: "Yes", negativeLabel: "No" });
    expect(binary.classes).toEqual(["No", "Yes"]);
    expect(binary.predict(Float32Array.of(3), new Float64Array(2))[1]).toBeGreaterThan(0.5);
    const three = await fitLogistic([[0], [1], [2], [3]], [0, 1, 2, 2], 3);
    const multi = classifierFromArtifact(MULTICLASS_LOGISTIC_KIND, { logistic: three, features: spec, target: "y", classes: ["a", "b", "c"] });
    expect(multi.predict(Float32Array.of(3), new Float64Array(3)).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
  });

  it("refuse artifacts that lack what their kind needs", async () => {
    const two = await fitLogistic([[0], [1]], [0, 1], 2);
    expect(() => classifierFromArtifact(CLASSIFIER_KIND, { features: spec, positiveLabel: "Yes" })).toThrow(DataError);
    expect(() => classifierFromArtifact(CLASSIFIER_KIND, null)).toThrow(/no feature preparation/);
    expect(() => classifierFromArtifact(LOGISTIC_CLASSIFIER_KIND, { logistic: two, features: spec })).toThrow(/no positive label/);
    expect(() => classifierFromArtifact(MULTICLASS_LOGISTIC_KIND, { logistic: two, features: spec, classes: ["a", "b", "c"] })).toThrow(/3 classes/);
    expect(() => classifierFromArtifact("segmentation/kmeans", { features: spec })).toThrow(/not a classifier/);
  });
});

describe("a spec", () => {
  it("survives JSON and lists the inputs scoring needs in the given order", () => {
    const rows = [
      { a: 1, b: "x", z: "ignored" },
      { a: null, b: "y", z: "ignored" },
      { a: 4, b: null, z: "ignored" },
    ];
    const spec = fitFeatures(rows, [col("a", "DOUBLE"), col("b", "VARCHAR"), col("z", "VARCHAR")], ["b", "a"]);
    expect(spec.inputs).toEqual(["b", "a"]);
    const copy = JSON.parse(JSON.stringify(spec));
    for (const r of rows) expect(encodeRow(copy, r)).toEqual(encodeRow(spec, r));
    expect(missingInputs(spec, [col("a", "DOUBLE"), col("z", "VARCHAR")])).toEqual(["b"]);
  });
});

describe("on the real Telco data", () => {
  const h = harness();
  afterAll(() => h.close());
  const csv = datasetFile("telco-customer-churn.csv");

  it("reads TotalCharges, text with 11 blanks, as numeric with a missing flag and the mean of the parsed values", async () => {
    const store = h.ctx("features").datasets;
    const ref = await store.create(`SELECT * FROM read_csv('${csv}')`);
    expect(ref.columns.find((c) => c.name === "TotalCharges")?.type).toBe("VARCHAR");
    const rows = await store.query(`SELECT * FROM ${store.from(ref)}`);
    const spec = fitFeatures(rows, ref.columns, ["TotalCharges", "Contract", "tenure"]);
    const [stats] = await store.query<{ mean: number; blanks: number }>(
      `SELECT avg(TRY_CAST(TotalCharges AS DOUBLE)) AS mean, count(*) FILTER (WHERE trim(TotalCharges) = '') AS blanks FROM ${store.from(ref)}`,
    );
    expect(stats!.blanks).toBe(11);
    expect(spec.features[0]).toMatchObject({ kind: "numeric", column: "TotalCharges", missingIndicator: true });
    expect((spec.features[0] as { mean: number }).mean).toBeCloseTo(stats!.mean, 6);
    expect(spec.names).toEqual(["TotalCharges", "TotalCharges (missing)", "Contract=Month-to-month", "Contract=Two year", "Contract=One year", "tenure"]);
  });

  it("selects rows in file order", async () => {
    const store = h.ctx("order").datasets;
    const ref = await store.create(`SELECT range AS i FROM range(200000)`);
    let expected = 0;
    let inOrder = true;
    for await (const batch of store.batches<{ i: number }>(selectInFileOrder(store, ref, ["i"]))) {
      for (const r of batch) if (r.i !== expected++) inOrder = false;
    }
    expect(expected).toBe(200000);
    expect(inOrder).toBe(true);
  });
});
