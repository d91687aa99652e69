import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { failure, harness, type Harness } from "../../tests/harness";
import segment from "../model/segment.node.ts";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import segmentProfile, { type SegmentProfile } from "./segment-profile.node.ts";

let h: Harness;
let table: DatasetRef;

// Six customers in two segments, plus one without a segment (left out of the whole):
//   segment 1: spend 10, 20, 30 (mean 20), orders 1, 1, 4 (mean 2)
//   segment 2: spend 100, 140 (mean 120), orders 5, 5 (mean 5)
//   whole (5 rows): spend mean 60, population sd sqrt(((−50)² + (−40)² + (−30)² + 40² + 80²) / 5) = sqrt(2600)
//                   orders mean 3.2, population sd sqrt((2.2² + 2.2² + 0.8² + 1.8² + 1.8²) / 5) = sqrt(3.36)
const ROWS = `SELECT * FROM (VALUES
  (1, 1, 10.0, 1, 'a'), (2, 1, 20.0, 1, 'b'), (3, 1, 30.0, 4, 'c'), (4, 2, 100.0, 5, 'd'), (5, 2, 140.0, 5, 'e'), (6, NULL, 999.0, 9, 'f')
) t(customer_id, segment, spend, orders, name)`;

beforeAll(async () => {
  h = harness();
  table = await h.ctx("setup").datasets.create(ROWS);
});
afterAll(() => h.close());

describe("insight.segment-profile", () => {
  it("gives each segment's size, share and means, and how they differ from the whole", async () => {
    const res = await h.run(segmentProfile, { exclude: ["customer_id"] }, { rows: table });
    const m = res.metrics as { rows: number; rowsWithoutSegment: number; segmentCount: number; columns: string[]; overall: Record<string, Record<string, number>>; segments: SegmentProfile[] };
    expect(m).toMatchObject({ rows: 6, rowsWithoutSegment: 1, segmentCount: 2, columns: ["spend", "orders"] });
    expect(m.overall.size).toBe(5);
    expect(m.overall.mean).toEqual({ spend: 60, orders: 3.2 });
    expect(m.overall.std!.spend).toBeCloseTo(Math.sqrt(2600), 12);
    expect(m.overall.std!.orders).toBeCloseTo(Math.sqrt(3.36), 12);

    const [one, two] = m.segments;
    expect(one).toMatchObject({ segment: 1, size: 3, share: 0.6 });
    expect(two).toMatchObject({ segment: 2, size: 2, share: 0.4 });
    const close = (got: Record<string, number | null>, want: Record<string, number>) => {
      for (const [k, v] of Object.entries(want)) expect(got[k], k).toBeCloseTo(v, 12);
    };
    close(one!.features.spend! as never, { mean: 20, difference: -40, ratio: 1 / 3, standardisedDifference: -40 / Math.sqrt(2600) });
    close(one!.features.orders! as never, { mean: 2, difference: -1.2, ratio: 2 / 3.2, standardisedDifference: -1.2 / Math.sqrt(3.36) });
    close(two!.features.spend! as never, { mean: 120, difference: 60, ratio: 2, standardisedDifference: 60 / Math.sqrt(2600) });
    close(two!.features.orders! as never, { mean: 5, difference: 1.8, ratio: 5 / 3.2, standardisedDifference: 1.8 / Math.sqrt(3.36) });

    // The table holds the same, one row per segment and column, in column order.
    const out = res.outputs.profile as DatasetRef;
    expect(out.columns).toEqual([
      { name: "segment", type: "INTEGER" },
      { name: "size", type: "BIGINT" },
      { name: "share", type: "DOUBLE" },
      { name: "feature", type: "VARCHAR" },
      { name: "mean", type: "DOUBLE" },
      { name: "overall_mean", type: "DOUBLE" },
      { name: "difference", type: "DOUBLE" },
      { name: "ratio", type: "DOUBLE" },
      { name: "standardised_difference", type: "DOUBLE" },
    ]);
    const ds = h.ctx("q").datasets;
    const rows = await ds.query<Record<string, number | string>>(`SELECT * FROM ${ds.fromWithPosition(out)} ORDER BY file_row_number`);
    expect(rows.map((r) => [r.segment, r.size, r.feature])).toEqual([
      [1, 3, "spend"],
      [1, 3, "orders"],
      [2, 2, "spend"],
      [2, 2, "orders"],
    ]);
    rows.forEach((r, i) => {
      const f = m.segments[Math.floor(i / 2)]!.features[r.feature as string]!;
      expect(r.mean).toBe(f.mean);
      expect(r.difference).toBe(f.difference);
      expect(r.ratio).toBe(f.ratio);
      expect(r.standardised_difference).toBe(f.standardisedDifference);
      expect(r.overall_mean).toBe(m.overall.mean![r.feature as string]);
    });
  });

  it("takes every numeric column by default, keeps text segments as text, and leaves undefined ratios empty", async () => {
    const ds = h.ctx("setup").datasets;
    const named = await ds.create(`SELECT CASE WHEN x < 3 THEN 'low' ELSE 'high' END AS tier, x, 0.0 AS zero, 'n' || x AS label FROM range(6) t(x)`);
    const res = await h.run(segmentProfile, { segmentColumn: "tier" }, { rows: named });
    const m = res.metrics as { columns: string[]; segments: SegmentProfile[] };
    expect(m.columns).toEqual(["x", "zero"]);
    expect(m.segments.map((s) => s.segment)).toEqual(["high", "low"]);
    expect(m.segments[0]!.features.x).toMatchObject({ mean: 4, difference: 1.5, ratio: 4 / 2.5 });
    expect(m.segments[0]!.features.zero).toEqual({ mean: 0, difference: 0, ratio: null, standardisedDifference: null });
    const out = res.outputs.profile as DatasetRef;
    expect(out.columns[0]).toEqual({ name: "segment", type: "VARCHAR" });
  });

  it("profiles the segments k-means made", async () => {
    const ds = h.ctx("setup").datasets;
    const customers = await ds.create(
      `SELECT i AS customer_id, CASE WHEN i % 3 = 0 THEN 400 + i % 17 ELSE 20 + i % 11 END AS spend, CASE WHEN i % 3 = 0 THEN 9 ELSE 1 + i % 2 END AS orders FROM range(300) t(i)`,
    );
    const seg = await h.run(segment, { columns: ["spend", "orders"], k: 2 }, { rows: customers });
    const segmented = seg.outputs.rows as DatasetRef;
    const res = await h.run(segmentProfile, { exclude: ["customer_id"] }, { rows: segmented });
    const m = res.metrics as { segments: SegmentProfile[] };
    expect(m.segments.map((s) => s.size)).toEqual((seg.metrics as { sizes: number[] }).sizes);
    expect(m.segments.map((s) => s.size)).toEqual([200, 100]);
    const want = await ds.query<{ spend: number; orders: number }>(`SELECT avg(spend) AS spend, avg(orders) AS orders FROM ${ds.from(segmented)} GROUP BY segment ORDER BY segment`);
    m.segments.forEach((s, i) => {
      expect(s.features.spend!.mean).toBeCloseTo(want[i]!.spend, 12);
      expect(s.features.orders!.mean).toBeCloseTo(want[i]!.orders, 12);
    });
    // The big spenders (a third of the rows) sit about 1.4 standard deviations above the whole.
    expect(m.segments[1]!.features.spend!.standardisedDifference).toBeGreaterThan(1);
    expect(m.segments[0]!.features.spend!.standardisedDifference).toBeLessThan(0);
  });

  it("names what is wrong", async () => {
    const noSeg = await failure(h.run(segmentProfile, { segmentColumn: "tier" }, { rows: table }));
    expect(noSeg).toBeInstanceOf(ConfigError);
    expect(noSeg.where).toBe("segmentColumn");
    expect((await failure(h.run(segmentProfile, { columns: ["name"] }, { rows: table }))).message).toBe('Column "name" holds VARCHAR, not numbers');
    expect((await failure(h.run(segmentProfile, { columns: ["nope"] }, { rows: table }))).where).toBe("columns");
    expect((await failure(h.run(segmentProfile, { exclude: ["nope"] }, { rows: table }))).where).toBe("exclude");
    expect((await failure(h.run(segmentProfile, { columns: ["segment"] }, { rows: table }))).where).toBe("columns");
    const ds = h.ctx("setup").datasets;
    const ids = await ds.create(`SELECT i AS segment, i * 2 AS x FROM range(500) t(i)`);
    const many = await failure(h.run(segmentProfile, {}, { rows: ids }));
    expect(many.message).toBe('"segment" has 500 different values; a segment column has at most 100');
    const empty = await ds.create(`SELECT CAST(NULL AS INTEGER) AS segment, 1.0 AS x`);
    expect(await failure(h.run(segmentProfile, {}, { rows: empty }))).toBeInstanceOf(DataError);
  });
});
