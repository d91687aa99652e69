import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import rfm from "./rfm.node.ts";

let h: Harness;
let purchases: DatasetRef;

// Five customers, built so each lands in a different quintile of each measure.
//   A: 3 purchases on 2 days, last 2024-03-01, 35   B: 1 purchase 2024-02-15, 100
//   C: 2 purchases, last 2024-01-20, 2              D: 4 purchases, last 2023-12-04, 20
//   E: 5 purchases on 2024-03-05, 5
// plus a purchase without a customer and one without a date.
const PURCHASES = `SELECT cust, day, strftime(day, '%d/%m/%Y') AS day_text, CAST(strftime(day, '%Y%m%d') AS INTEGER) AS day_int,
                          CAST(day AS TIMESTAMP) + INTERVAL 13 HOUR AS at, amount, CAST(amount * 100 AS INTEGER) AS cents
  FROM (VALUES
    ('A', DATE '2024-01-01', 10.0), ('A', DATE '2024-01-01', 5.0), ('A', DATE '2024-03-01', 20.0),
    ('B', DATE '2024-02-15', 100.0),
    ('C', DATE '2024-01-10', 1.0), ('C', DATE '2024-01-20', 1.0),
    ('D', DATE '2023-12-01', 5.0), ('D', DATE '2023-12-02', 5.0), ('D', DATE '2023-12-03', 5.0), ('D', DATE '2023-12-04', 5.0),
    ('E', DATE '2024-03-05', 1.0), ('E', DATE '2024-03-05', 1.0), ('E', DATE '2024-03-05', 1.0), ('E', DATE '2024-03-05', 1.0), ('E', DATE '2024-03-05', 1.0),
    (NULL, DATE '2024-03-05', 50.0), ('A', NULL, 7.0)
  ) t(cust, day, amount)`;

beforeAll(async () => {
  h = harness();
  purchases = await h.ctx("setup").datasets.create(PURCHASES);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, input: DatasetRef = purchases) {
  const res = await h.run(rfm, config, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  const rows = await ds.query(`SELECT * FROM ${ds.from(out)}`);
  return { out, rows, metrics: res.metrics };
}

const base = { customer: "cust", date: "day", amount: "amount" };
const pick = (rows: Record<string, unknown>[], ...keys: string[]) => rows.map((r) => keys.map((k) => r[k]));

describe("transform.rfm", () => {
  it("scores recency (reversed), frequency and monetary in quintiles", async () => {
    const { out, rows, metrics } = await run(base);
    expect(out.columns.map((c) => c.name)).toEqual(["cust", "recency", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_score", "last_purchase"]);
    expect(out.columns.find((c) => c.name === "rfm_score")!.type).toBe("VARCHAR");
    // As of 2024-03-06, the day after the last purchase (2024 is a leap year).
    expect(pick(rows, "cust", "recency", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_score")).toEqual([
      ["A", 5, 3, 35, 4, 3, 4, "434"],
      ["B", 20, 1, 100, 3, 1, 5, "315"],
      ["C", 46, 2, 2, 2, 2, 1, "221"],
      ["D", 93, 4, 20, 1, 4, 3, "143"],
      ["E", 1, 5, 5, 5, 5, 2, "552"],
    ]);
    expect((rows[0]!.last_purchase as Date).toISOString().slice(0, 10)).toBe("2024-03-01");
    expect(metrics).toEqual({
      rowsIn: 17,
      customers: 5,
      asOf: "2024-03-06",
      firstPurchase: "2023-12-01",
      lastPurchase: "2024-03-05",
      rowsSkipped: 2,
      rowsAfterAsOf: 0,
    });
  });

  it("counts purchase days instead of rows when asked", async () => {
    const { rows } = await run({ ...base, frequency: "days" });
    expect(pick(rows, "cust", "frequency")).toEqual([
      ["A", 2],
      ["B", 1],
      ["C", 2],
      ["D", 4],
      ["E", 1],
    ]);
  });

  it("scores as of a given date, leaving later purchases out", async () => {
    const { rows, metrics } = await run({ ...base, asOf: "2024-02-01" });
    expect(pick(rows, "cust", "recency", "frequency", "monetary")).toEqual([
      ["A", 31, 2, 15],
      ["C", 12, 2, 2],
      ["D", 59, 4, 20],
    ]);
    expect(metrics).toMatchObject({ customers: 3, asOf: "2024-02-01", rowsAfterAsOf: 7 });
    const early = await failure(run({ ...base, asOf: "2020-01-01" }));
    expect(early).toBeInstanceOf(ConfigError);
    expect(early.where).toBe("asOf");
    expect((await failure(run({ ...base, asOf: "2024-02-30" }))).where).toBe("asOf");
  });

  it("reads dates from text, numbers and timestamps, and keeps whole-number amounts whole", async () => {
    const expected = (await run(base)).rows;
    const text = await run({ ...base, date: "day_text", dateFormat: "%d/%m/%Y" });
    expect(text.rows).toEqual(expected);
    const num = await run({ ...base, date: "day_int", dateFormat: "%Y%m%d" });
    expect(num.rows).toEqual(expected);
    const ts = await run({ ...base, date: "at" });
    expect(ts.rows).toEqual(expected);
    const cents = await run({ ...base, amount: "cents" });
    expect(cents.out.columns.find((c) => c.name === "monetary")!.type).toBe("BIGINT");
    expect(pick(cents.rows, "monetary")).toEqual([[3500], [10000], [200], [2000], [500]]);
  });

  it("refuses dates it cannot read, naming an example", async () => {
    const bad = await failure(run({ ...base, date: "day_text" }));
    expect(bad).toBeInstanceOf(DataError);
    expect(bad.message).toBe('RFM: 16 values of "day_text" cannot be read as YYYY-MM-DD dates, e.g. "01/01/2024"');
    expect(bad.where).toBe("day_text");
    const wrongFormat = await failure(run({ ...base, date: "day_int", dateFormat: "%Y%d%m" }));
    expect(wrongFormat).toBeInstanceOf(DataError);
    expect(wrongFormat.message).toMatch(/^RFM: \d+ values of "day_int" cannot be read in the format %Y%d%m, e.g. "\d{8}"$/);
  });

  it("names what is wrong in the config", async () => {
    for (const field of ["customer", "date", "amount"] as const) {
      const err = await failure(run({ ...base, [field]: "nope" }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe(field);
      expect(err.message).toBe('RFM: no column "nope" in the input');
    }
    const textAmount = await failure(run({ ...base, amount: "day_text" }));
    expect(textAmount.where).toBe("amount");
    const noFormat = await failure(run({ ...base, date: "day_int" }));
    expect(noFormat.where).toBe("dateFormat");
    expect(noFormat.message).toContain("%Y%m%d");
    const badFormat = await failure(run({ ...base, date: "day_text", dateFormat: "%Q" }));
    expect(badFormat.where).toBe("dateFormat");
    expect(badFormat.message).toMatch(/^RFM: date format "%Q" is not valid/);
    expect((await failure(run({ ...base, date: "day_text", dateFormat: "dd/mm/yyyy" }))).where).toBe("dateFormat");
    expect((await failure(run({ ...base, date: "amount" }))).where).toBe("date");
    const ds = h.ctx("setup").datasets;
    const clash = await ds.create(`SELECT cust AS "Recency", day, amount FROM ${ds.from(purchases)}`);
    expect((await failure(run({ ...base, customer: "Recency" }, clash))).where).toBe("customer");
  });

  it("scores the 23,570 CDNOW customers from 69,659 purchases", async () => {
    const file = datasetFile("cdnow-transactions.txt");
    const ds = h.ctx("setup").datasets;
    // The file is padded with runs of spaces (DuckDB's CSV reader wants one delimiter): split it here.
    const cdnow = await ds.create(
      `WITH lines AS (SELECT unnest(string_split(replace(content, chr(13), ''), chr(10))) AS line FROM read_text(${ds.literal(file)})),
            f AS (SELECT string_split(trim(regexp_replace(line, '\\s+', ' ', 'g')), ' ') AS f FROM lines
                   WHERE trim(line) <> '' AND NOT contains(line, 'customer_id'))
       SELECT CAST(f[1] AS INTEGER) AS customer_id, CAST(f[2] AS INTEGER) AS date, CAST(f[3] AS INTEGER) AS number_of_cds,
              CAST(f[4] AS DECIMAL(12, 2)) AS dollar_value
         FROM f`,
    );
    expect(cdnow.rows).toBe(69_659);

    // Plain JavaScript over the raw file, to check the split above.
    const records = readFileSync(file, "utf8")
      .split(/\r?\n/)
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length === 4 && f[0] !== "customer_id");
    expect(records).toHaveLength(69_659);
    expect(new Set(records.map((f) => f[0])).size).toBe(23_570);
    const cents = records.reduce((s, f) => s + Math.round(Number(f[3]) * 100), 0);

    const { out, metrics } = await run({ customer: "customer_id", date: "date", dateFormat: "%Y%m%d", amount: "dollar_value" }, cdnow);
    expect(out.rows).toBe(23_570);
    expect(metrics).toEqual({
      rowsIn: 69_659,
      customers: 23_570,
      asOf: "1998-07-01",
      firstPurchase: "1997-01-01",
      lastPurchase: "1998-06-30",
      rowsSkipped: 0,
      rowsAfterAsOf: 0,
    });

    const q = h.ctx("q").datasets;
    const scored = q.from(out);
    const [totals] = await q.query<Record<string, number>>(
      `SELECT sum(frequency) AS frequency, CAST(sum(monetary) * 100 AS BIGINT) AS cents,
              min(r_score) AS rmin, max(r_score) AS rmax, min(f_score) AS fmin, max(f_score) AS fmax, min(m_score) AS mmin, max(m_score) AS mmax,
              count(*) FILTER (WHERE rfm_score <> concat(r_score, f_score, m_score) OR length(rfm_score) <> 3) AS bad_codes
         FROM ${scored}`,
    );
    expect(totals).toEqual({ frequency: 69_659, cents, rmin: 1, rmax: 5, fmin: 1, fmax: 5, mmin: 1, mmax: 5, bad_codes: 0 });

    // Per customer, against a plain group-by written here.
    const [diff] = await q.query<{ customers: number; mismatched: number }>(
      `WITH g AS (SELECT customer_id, count(*) AS n, sum(dollar_value) AS spent,
                         date_diff('day', max(strptime(CAST(date AS VARCHAR), '%Y%m%d')::DATE), DATE '1998-07-01') AS days
                    FROM ${ds.from(cdnow)} GROUP BY customer_id)
       SELECT count(*) AS customers,
              count(*) FILTER (WHERE s.frequency IS DISTINCT FROM g.n OR s.monetary IS DISTINCT FROM g.spent OR s.recency IS DISTINCT FROM g.days) AS mismatched
         FROM g FULL JOIN ${scored} s USING (customer_id)`,
    );
    expect(diff).toEqual({ customers: 23_570, mismatched: 0 });

    // Quintiles: 23,570 customers split into five groups of 4,714 on each measure.
    const sizes = await q.query<{ score: number; r: number; f: number; m: number }>(
      `SELECT s AS score, (SELECT count(*) FROM ${scored} WHERE r_score = s) AS r, (SELECT count(*) FROM ${scored} WHERE f_score = s) AS f,
              (SELECT count(*) FROM ${scored} WHERE m_score = s) AS m
         FROM range(1, 6) t(s) ORDER BY s`,
    );
    expect(sizes).toEqual([1, 2, 3, 4, 5].map((score) => ({ score, r: 4714, f: 4714, m: 4714 })));
    // Better scores mean better values: the top recency quintile bought more recently than the bottom one.
    const [order] = await q.query<Record<string, number>>(
      `SELECT max(recency) FILTER (WHERE r_score = 5) AS r5max, min(recency) FILTER (WHERE r_score = 1) AS r1min,
              min(frequency) FILTER (WHERE f_score = 5) AS f5min, max(frequency) FILTER (WHERE f_score = 1) AS f1max,
              min(monetary) FILTER (WHERE m_score = 5) AS m5min, max(monetary) FILTER (WHERE m_score = 1) AS m1max
         FROM ${scored}`,
    );
    expect(order!.r5max).toBeLessThanOrEqual(order!.r1min!);
    expect(order!.f5min).toBeGreaterThanOrEqual(order!.f1max!);
    expect(order!.m5min).toBeGreaterThan(order!.m1max!);

    // Customer 1 bought once, on 1997-01-01: 546 days before 1998-07-01.
    const [one] = await q.query(`SELECT recency, frequency, CAST(monetary AS DOUBLE) AS monetary FROM ${scored} WHERE customer_id = 1`);
    expect(one).toEqual({ recency: 546, frequency: 1, monetary: 11.77 });

    // Distinct purchase days: equal to an independent distinct count.
    const days = await run({ customer: "customer_id", date: "date", dateFormat: "%Y%m%d", amount: "dollar_value", frequency: "days" }, cdnow);
    const [sums] = await q.query<{ got: number; want: number }>(
      `SELECT (SELECT sum(frequency) FROM ${q.from(days.out)}) AS got, (SELECT count(*) FROM (SELECT DISTINCT customer_id, date FROM ${ds.from(cdnow)})) AS want`,
    );
    expect(sums!.got).toBe(sums!.want);
    expect(sums!.got).toBeLessThan(69_659);
  });
});
