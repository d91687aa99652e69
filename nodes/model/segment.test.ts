import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef, type ModelRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import rfm from "../transform/rfm.node.ts";
import { kmeans, orderBySize, sampleIndices, silhouette, type SegmentationArtifact } from "./kmeans";
import segment from "./segment.node.ts";

let h: Harness;
let blobs: DatasetRef;

// Three blobs of unequal size on very different scales (x in units, y in hundreds), with a
// deterministic jitter of at most ±0.5 and ±5: 300 rows around (0, 0), 200 around (10, 1000),
// 100 around (-10, 500); plus one row without a y.
const BLOBS = `
  WITH base AS (SELECT i, CASE WHEN i < 300 THEN 0 WHEN i < 500 THEN 1 ELSE 2 END AS blob,
                       (hash(i, 'x') % 1000) / 1000.0 - 0.5 AS jx, (hash(i, 'y') % 1000) / 100.0 - 5 AS jy
                  FROM range(600) t(i))
  SELECT CAST(i AS INTEGER) AS id, blob,
         [0.0, 10.0, -10.0][blob + 1] + jx AS x, [0.0, 1000.0, 500.0][blob + 1] + jy AS y
    FROM base
  UNION ALL SELECT 600, NULL, 1.0, NULL
  ORDER BY id`;

beforeAll(async () => {
  h = harness();
  blobs = await h.ctx("setup").datasets.create(BLOBS);
});
afterAll(() => h.close());

const q = () => h.ctx("q").datasets;

describe("k-means helpers", () => {
  it("are deterministic for a seed and find well separated groups", async () => {
    // Two tight pairs far apart, in one dimension.
    const data = Float64Array.from([0, 0.1, 10, 10.1, 0.05]);
    const a = await kmeans(data, 5, 1, 2, { seed: 1, nInit: 3, maxIterations: 100 });
    const b = await kmeans(data, 5, 1, 2, { seed: 1, nInit: 3, maxIterations: 100 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    const ordered = orderBySize(a, 1);
    expect(Array.from(ordered.labels)).toEqual([0, 0, 1, 1, 0]);
    expect(ordered.sizes).toEqual([3, 2]);
    expect(ordered.centres[0]).toBeCloseTo(0.05, 12);
    expect(ordered.centres[1]).toBeCloseTo(10.05, 12);
    expect(a.inertia).toBeCloseTo(0.005 + 0.005, 12);
    expect(a.converged).toBe(true);
    // Silhouette by hand for the same five points: close to 1 for such separated groups.
    const s = silhouette(data, 1, ordered.labels, 2, [0, 1, 2, 3, 4]);
    const dist = (i: number, j: number) => Math.abs(data[i]! - data[j]!);
    const expected = [0, 1, 2, 3, 4].map((i) => {
      const own = [0, 1, 2, 3, 4].filter((j) => j !== i && ordered.labels[j] === ordered.labels[i]);
      const other = [0, 1, 2, 3, 4].filter((j) => ordered.labels[j] !== ordered.labels[i]);
      const ai = own.reduce((t, j) => t + dist(i, j), 0) / own.length;
      const bi = other.reduce((t, j) => t + dist(i, j), 0) / other.length;
      return (bi - ai) / Math.max(ai, bi);
    });
    expect(s).toBeCloseTo(expected.reduce((t, v) => t + v, 0) / 5, 12);
  });

  it("keeps k segments when there are fewer distinct points than asked for, and samples without repeats", async () => {
    const same = new Float64Array(6).fill(3);
    const r = await kmeans(same, 6, 1, 3, { seed: 5, nInit: 2, maxIterations: 10 });
    expect(r.inertia).toBe(0);
    const sample = sampleIndices(10_000, 3_000, 9);
    expect(new Set(sample).size).toBe(3_000);
    expect(Array.from(sample)).toEqual(Array.from(sample).sort((x, y) => x - y));
    expect(Array.from(sampleIndices(10_000, 3_000, 9))).toEqual(Array.from(sample));
    expect(Array.from(sampleIndices(4, 3_000, 9))).toEqual([0, 1, 2, 3]);
  });
});

describe("model.segment", () => {
  it("finds the three blobs by silhouette, numbers them by size, and gives centres in the columns' own units", async () => {
    const fractions: (number | null)[] = [];
    const ctx = h.ctx("segment", { onProgress: ({ fraction }) => void fractions.push(fraction) });
    const res = await h.run(segment, { columns: ["x", "y"], kMax: 6 }, { rows: blobs }, ctx);
    const m = res.metrics as { k: number; chosenBy: string; tried: { k: number; silhouette: number }[]; sizes: number[]; rowsWithoutSegment: number; silhouette: number };
    expect(m.k).toBe(3);
    expect(m.chosenBy).toBe("silhouette");
    expect(m.tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6]);
    expect(Math.max(...m.tried.map((t) => t.silhouette))).toBe(m.silhouette);
    expect(m.silhouette).toBeGreaterThan(0.9);
    expect(m.sizes).toEqual([300, 200, 100]);
    expect(m.rowsWithoutSegment).toBe(1);
    expect(fractions.at(-1)).toBe(1);

    const out = res.outputs.rows as DatasetRef;
    expect(out.columns).toEqual([...blobs.columns, { name: "segment", type: "INTEGER" }]);
    const ds = q();
    // Segment 1 is the biggest blob, 2 the next, 3 the smallest; the row without y has none.
    const mapping = await ds.query(`SELECT blob, segment, count(*) AS n FROM ${ds.from(out)} GROUP BY ALL ORDER BY blob NULLS LAST`);
    expect(mapping).toEqual([
      { blob: 0, segment: 1, n: 300 },
      { blob: 1, segment: 2, n: 200 },
      { blob: 2, segment: 3, n: 100 },
      { blob: null, segment: null, n: 1 },
    ]);
    // Same rows in the same order.
    const [order] = await ds.query<{ differ: number }>(
      `SELECT count(*) FILTER (WHERE a.id <> b.id) AS differ FROM ${ds.fromWithPosition(blobs)} a JOIN ${ds.fromWithPosition(out)} b USING (file_row_number)`,
    );
    expect(order!.differ).toBe(0);

    // Centres: the mean of each blob, in x and y units (no log, so the centre is the plain mean).
    const centres = res.outputs.centres as DatasetRef;
    expect(centres.columns.map((c) => c.name)).toEqual(["segment", "size", "share", "x", "y"]);
    const got = await ds.query<{ segment: number; size: number; share: number; x: number; y: number }>(`SELECT * FROM ${ds.from(centres)} ORDER BY segment`);
    const want = await ds.query<{ x: number; y: number }>(`SELECT avg(x) AS x, avg(y) AS y FROM ${ds.from(blobs)} WHERE y IS NOT NULL GROUP BY blob ORDER BY blob`);
    got.forEach((c, i) => {
      expect(c.segment).toBe(i + 1);
      expect(c.size).toBe([300, 200, 100][i]);
      expect(c.share).toBeCloseTo([0.5, 1 / 3, 1 / 6][i]!, 12);
      expect(c.x).toBeCloseTo(want[i]!.x, 9);
      expect(c.y).toBeCloseTo(want[i]!.y, 9);
    });

    // The model: kind, scaling and centres, then the same run again gives the same datasets.
    const model = res.outputs.model as ModelRef;
    const saved = await ctx.models.load({ id: model.id });
    expect(saved.kind).toBe("segmentation/kmeans");
    const art = saved.artifact as SegmentationArtifact;
    expect(art.columns).toEqual(["x", "y"]);
    expect(art.log).toEqual([false, false]);
    expect(art.sizes).toEqual([300, 200, 100]);
    const again = await h.run(segment, { columns: ["x", "y"], kMax: 6 }, { rows: blobs });
    expect((again.outputs.rows as DatasetRef).id).toBe(out.id);
    expect((again.outputs.centres as DatasetRef).id).toBe(centres.id);

  });

  it("takes a given k, and logs skewed columns before scaling (centres back in the original units)", async () => {
    const ds = q();
    // Spend spread over orders of magnitude: two groups around 10 and 1,000.
    const spend = await ds.create(`SELECT i, CASE WHEN i % 4 = 0 THEN 1000 * (1 + (i % 7) / 100.0) ELSE 10 * (1 + (i % 5) / 100.0) END AS spend FROM range(400) t(i)`);
    const res = await h.run(segment, { columns: ["spend"], logColumns: ["spend"], k: 2, modelName: "spend" }, { rows: spend });
    expect(res.metrics).toMatchObject({ k: 2, chosenBy: "given", sizes: [300, 100], logColumns: ["spend"] });
    const [one, two] = await ds.query<{ spend: number }>(`SELECT spend FROM ${ds.from(res.outputs.centres as DatasetRef)} ORDER BY segment`);
    // The centre of a logged column is exp(mean(log(1 + x))) - 1: between the group's min and max.
    const [g] = await ds.query<{ small: number; large: number }>(
      `SELECT exp(avg(ln(1 + spend)) FILTER (WHERE i % 4 <> 0)) - 1 AS small, exp(avg(ln(1 + spend)) FILTER (WHERE i % 4 = 0)) - 1 AS large FROM ${ds.from(spend)}`,
    );
    expect(one!.spend).toBeCloseTo(g!.small, 9);
    expect(two!.spend).toBeCloseTo(g!.large, 9);
  });

  it("names what is wrong in the config or the data", async () => {
    const err = async (config: Record<string, unknown>, rows = blobs) => failure(h.run(segment, config, { rows }));
    const unknown = await err({ columns: ["x", "nope"] });
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown.where).toBe("columns");
    expect(unknown.message).toContain('"nope"');
    const text = await h.ctx("setup").datasets.create(`SELECT 'a' AS name, 1.0 AS x FROM range(5)`);
    expect((await err({ columns: ["name"] }, text)).message).toBe('Column "name" holds VARCHAR, not numbers');
    expect((await err({ columns: ["x"], segmentColumn: "y" })).where).toBe("segmentColumn");
    expect((await err({ columns: ["x"], logColumns: ["y"] })).message).toContain("logColumns");
    expect((await err({ columns: ["x"], kMin: 5, kMax: 3 })).message).toContain("kMax");
    const few = await err({ columns: ["x"], k: 9 }, text);
    expect(few).toBeInstanceOf(DataError);
    expect(few.message).toBe("5 rows with values cannot make 9 segments");
    const empty = await h.ctx("setup").datasets.create(`SELECT CAST(NULL AS DOUBLE) AS x FROM range(3)`);
    expect(await err({ columns: ["x"] }, empty)).toBeInstanceOf(DataError);
  });

  it("stops when cancelled and saves nothing", async () => {
    const ctx = h.ctx("cancelled", { signal: AbortSignal.abort(new Error("run cancelled")) });
    await expect(h.run(segment, { columns: ["x", "y"], modelName: "never" }, { rows: blobs }, ctx)).rejects.toThrow("run cancelled");
    await expect(ctx.models.load({ name: "never" })).rejects.toThrow();
    // Cancelled while iterating: the abort gets through between iterations.
    const controller = new AbortController();
    const big = await h.ctx("setup").datasets.create(`SELECT (hash(i) % 100000) / 1000.0 AS a, (hash(i, 2) % 100000) / 1000.0 AS b FROM range(200000) t(i)`);
    const late = h.ctx("late", {
      signal: controller.signal,
      onProgress: ({ message }) => {
        if (message?.startsWith("k = ")) controller.abort(new Error("cancelled mid-run"));
      },
    });
    await expect(h.run(segment, { columns: ["a", "b"], k: 8, modelName: "never" }, { rows: big }, late)).rejects.toThrow("cancelled mid-run");
  });
});

describe("model.segment on CDNOW RFM", () => {
  it("puts each of the 23,570 customers in exactly one segment, segments that differ in spend", async () => {
    const tx = (await h.run(csvFile, { path: datasetFile("cdnow-transactions.txt"), delimiter: "whitespace" })).outputs.rows as DatasetRef;
    const scored = (await h.run(rfm, { customer: "customer_id", date: "date", dateFormat: "%Y%m%d", amount: "dollar_value" }, { rows: tx })).outputs.rows as DatasetRef;
    expect(scored.rows).toBe(23_570);
    const ds = q();
    const rfmConfig: { columns: string[]; logColumns: string[]; modelName: string; k?: number } = {
      columns: ["recency", "frequency", "monetary"],
      logColumns: ["frequency", "monetary"],
      modelName: "cdnow",
    };

    for (const config of [rfmConfig, { ...rfmConfig, k: 4 }]) {
      const started = Date.now();
      const res = await h.run(segment, config, { rows: scored });
      const seconds = (Date.now() - started) / 1000;
      const m = res.metrics as { k: number; inertia: number; silhouette: number; tried: { k: number; inertia: number; silhouette: number; iterations: number }[]; sizes: number[] };
      const out = res.outputs.rows as DatasetRef;
      const [counts] = await ds.query<{ rows: number; customers: number; segmented: number; segments: number; lo: number; hi: number }>(
        `SELECT count(*) AS rows, count(DISTINCT customer_id) AS customers, count(segment) AS segmented, count(DISTINCT segment) AS segments,
                min(segment) AS lo, max(segment) AS hi FROM ${ds.from(out)}`,
      );
      expect(counts).toEqual({ rows: 23_570, customers: 23_570, segmented: 23_570, segments: m.k, lo: 1, hi: m.k });
      const sizes = await ds.query<{ segment: number; n: number; recency: number; frequency: number; monetary: number }>(
        `SELECT segment, count(*) AS n, avg(recency) AS recency, avg(frequency) AS frequency, avg(monetary) AS monetary FROM ${ds.from(out)} GROUP BY segment ORDER BY segment`,
      );
      expect(sizes.reduce((t, s) => t + s.n, 0)).toBe(23_570);
      expect(sizes.map((s) => s.n)).toEqual(m.sizes);
      expect(m.sizes).toEqual([...m.sizes].sort((a, b) => b - a));
      const spend = sizes.map((s) => s.monetary);
      const ratio = Math.max(...spend) / Math.min(...spend);
      console.log(
        `CDNOW RFM k-means (${config.k ? `k given` : "k by silhouette"}): k = ${m.k}, inertia ${m.inertia.toFixed(1)}, silhouette ${m.silhouette.toFixed(3)}, ${seconds.toFixed(1)} s; ` +
          `tried ${m.tried.map((t) => `k=${t.k} s=${t.silhouette.toFixed(3)} inertia=${t.inertia.toFixed(0)} (${t.iterations} it.)`).join(", ")}\n` +
          sizes.map((s) => `  segment ${s.segment}: ${s.n} customers, mean recency ${s.recency.toFixed(0)} d, frequency ${s.frequency.toFixed(2)}, monetary $${s.monetary.toFixed(2)}`).join("\n") +
          `\n  max/min mean monetary = ${ratio.toFixed(1)}`,
      );
      expect(ratio).toBeGreaterThanOrEqual(3);
    }
  });
});
