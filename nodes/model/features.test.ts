import { afterAll, describe, expect, it } from "vitest";
import { harness, datasetFile } from "../../tests/harness";
import { encodedWidth, encodeRow, fitFeatures, isIdentifierLike, looksNumeric, missingInputs, selectInFileOrder } from "./features";

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
