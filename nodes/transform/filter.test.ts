import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import filter from "./filter.node.ts";

let h: Harness;
let hillstrom: DatasetRef;
let small: DatasetRef;

/** A CSV line split by commas outside double quotes ("" inside quotes is a quote). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") out.push(field), (field = "");
    else field += ch;
  }
  out.push(field);
  return out;
}

const lines = readFileSync(datasetFile("hillstrom-email.csv"), "utf8").trim().split(/\r?\n/);
const header = splitCsvLine(lines[0]!);
type HRow = Record<string, string>;
const hRows: HRow[] = lines.slice(1).map((l) => {
  const f = splitCsvLine(l);
  return Object.fromEntries(header.map((name, i) => [name, f[i]!]));
});
const countWhere = (pred: (r: HRow) => boolean) => hRows.filter(pred).length;

const SMALL = `SELECT * FROM (VALUES
  (1, 'Anna',  true,  DATE '2024-01-10', 10.5, '10115'),
  (2, '  ',    false, DATE '2024-02-01', NULL, '90210'),
  (3, NULL,    NULL,  NULL,              -2.0, NULL),
  (4, 'bob',   true,  DATE '2023-12-31', 0.0,  '94105'),
  (5, 'Zoë',   false, DATE '2024-03-15', 99.0, '')
) t(id, name, opted, joined, score, zip)`;

beforeAll(async () => {
  h = harness();
  hillstrom = (await h.run(csvFile, { path: datasetFile("hillstrom-email.csv") })).outputs.rows as DatasetRef;
  small = await h.ctx("setup").datasets.create(SMALL);
});
afterAll(() => h.close());

async function run(config: Record<string, unknown>, input: DatasetRef = small) {
  const res = await h.run(filter, config, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  return { out, metrics: res.metrics as Record<string, number> };
}

async function ids(config: Record<string, unknown>) {
  const { out } = await run(config);
  const ds = h.ctx("q").datasets;
  return (await ds.query<{ id: number }>(`SELECT id FROM ${ds.from(out)}`)).map((r) => r.id);
}

describe("transform.filter", () => {
  it("keeps the Hillstrom Womens E-Mail segment, counted independently from the CSV", async () => {
    const expected = countWhere((r) => r.segment === "Womens E-Mail");
    expect(hRows.length).toBe(64000);
    const { out, metrics } = await run({ conditions: [{ column: "segment", operator: "=", value: "Womens E-Mail" }] }, hillstrom);
    expect(out.rows).toBe(expected);
    expect(out.columns).toEqual(hillstrom.columns);
    expect(metrics).toEqual({ rowsIn: 64000, rowsOut: expected, removed: 64000 - expected });
    // Input order is kept: the first kept rows are the first matching lines of the file.
    const ds = h.ctx("q").datasets;
    const first = await ds.query<{ recency: number; history: number }>(`SELECT recency, history FROM ${ds.from(out)} LIMIT 5`);
    const firstExpected = hRows.filter((r) => r.segment === "Womens E-Mail").slice(0, 5);
    expect(first).toEqual(firstExpected.map((r) => ({ recency: Number(r.recency), history: Number(r.history) })));
  });

  it("combines typed number tests with all / any", async () => {
    const all = await run(
      {
        conditions: [
          { column: "recency", operator: "between", values: ["3", "6"] },
          { column: "channel", operator: "in list", values: ["Web", "Phone"] },
          { column: "history", operator: ">=", value: "100.5" },
        ],
      },
      hillstrom,
    );
    expect(all.out.rows).toBe(countWhere((r) => +r.recency! >= 3 && +r.recency! <= 6 && ["Web", "Phone"].includes(r.channel!) && +r.history! >= 100.5));

    const any = await run(
      {
        match: "any",
        conditions: [
          { column: "segment", operator: "=", value: "Mens E-Mail" },
          { column: "spend", operator: ">", value: 0 },
        ],
      },
      hillstrom,
    );
    expect(any.out.rows).toBe(countWhere((r) => r.segment === "Mens E-Mail" || +r.spend! > 0));

    const decimalOnWhole = await run({ conditions: [{ column: "recency", operator: "<", value: "2.5" }] }, hillstrom);
    expect(decimalOnWhole.out.rows).toBe(countWhere((r) => +r.recency! < 2.5));
  });

  it("matches text inside quoted fields, with and without case", async () => {
    const thousand = await run({ conditions: [{ column: "history_segment", operator: "contains", value: "$1,000" }] }, hillstrom);
    expect(thousand.out.rows).toBe(countWhere((r) => r.history_segment!.includes("$1,000")));
    expect(thousand.out.rows).toBeGreaterThan(0);

    const starts = await run({ conditions: [{ column: "history_segment", operator: "starts with", value: "2)" }] }, hillstrom);
    expect(starts.out.rows).toBe(countWhere((r) => r.history_segment!.startsWith("2)")));

    const notRural = await run({ conditions: [{ column: "zip_code", operator: "!=", value: "Rural" }] }, hillstrom);
    expect(notRural.out.rows).toBe(countWhere((r) => r.zip_code !== "Rural"));

    const womens = countWhere((r) => r.segment === "Womens E-Mail");
    const lower = { conditions: [{ column: "segment", operator: "=", value: "womens e-mail" }] };
    expect((await run(lower, hillstrom)).out.rows).toBe(0);
    expect((await run({ ...lower, ignoreCase: true }, hillstrom)).out.rows).toBe(womens);
    const endsMail = await run({ conditions: [{ column: "segment", operator: "ends with", value: "E-MAIL" }], ignoreCase: true }, hillstrom);
    expect(endsMail.out.rows).toBe(countWhere((r) => r.segment!.endsWith("E-Mail")));
  });

  it("treats blanks as empty and keeps empty values for !=", async () => {
    expect(await ids({ conditions: [{ column: "name", operator: "is empty" }] })).toEqual([2, 3]);
    expect(await ids({ conditions: [{ column: "name", operator: "is not empty" }] })).toEqual([1, 4, 5]);
    expect(await ids({ conditions: [{ column: "score", operator: "is empty" }] })).toEqual([2]);
    expect(await ids({ conditions: [{ column: "name", operator: "!=", value: "bob" }] })).toEqual([1, 2, 3, 5]);
    expect(await ids({ conditions: [{ column: "score", operator: "!=", value: "0" }] })).toEqual([1, 2, 3, 5]);
    expect(await ids({ conditions: [{ column: "score", operator: "<", value: "1" }] })).toEqual([3, 4]);
  });

  it("reads yes/no and date values as the column's type", async () => {
    expect(await ids({ conditions: [{ column: "opted", operator: "=", value: "yes" }] })).toEqual([1, 4]);
    expect(await ids({ conditions: [{ column: "opted", operator: "=", value: false }] })).toEqual([2, 5]);
    expect(await ids({ conditions: [{ column: "joined", operator: ">=", value: "2024-02-01" }] })).toEqual([2, 5]);
    expect(await ids({ conditions: [{ column: "joined", operator: "between", values: ["2024-01-01", "2024-02-01"] }] })).toEqual([1, 2]);
    expect(await ids({ conditions: [{ column: "id", operator: "in list", values: ["5", "1", "9"] }] })).toEqual([1, 5]);
    expect(await ids({ conditions: [{ column: "id", operator: "ends with", value: "4" }] })).toEqual([4]);
    expect(await ids({ conditions: [{ column: "zip", operator: "starts with", value: "9" }] })).toEqual([2, 4]);
    expect(await ids({ conditions: [{ column: "name", operator: "contains", value: "ë" }] })).toEqual([5]);
  });

  it("names the condition field of a value that does not fit the column", async () => {
    const bad = await failure(
      run({
        conditions: [
          { column: "name", operator: "=", value: "Anna" },
          { column: "score", operator: ">", value: "ten" },
        ],
      }),
    );
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.where).toBe("conditions.1.value");
    expect(bad.message).toContain('"ten"');

    const badDate = await failure(run({ conditions: [{ column: "joined", operator: "<", value: "31/12/2024" }] }));
    expect(badDate.where).toBe("conditions.0.value");
    expect(badDate.message).toContain("YYYY-MM-DD");

    const badImpossibleDate = await failure(run({ conditions: [{ column: "joined", operator: "<", value: "2024-02-30" }] }));
    expect(badImpossibleDate.where).toBe("conditions.0.value");

    const badBool = await failure(run({ conditions: [{ column: "opted", operator: "=", value: "maybe" }] }));
    expect(badBool.where).toBe("conditions.0.value");

    const badList = await failure(run({ conditions: [{ column: "id", operator: "in list", values: ["1", "two"] }] }));
    expect(badList.where).toBe("conditions.0.values.1");

    const oneBound = await failure(run({ conditions: [{ column: "id", operator: "between", values: ["1"] }] }));
    expect(oneBound.where).toBe("conditions.0.values");

    const noValue = await failure(run({ conditions: [{ column: "id", operator: ">" }] }));
    expect(noValue.where).toBe("conditions.0.value");

    const unknown = await failure(run({ conditions: [{ column: "id", operator: "is empty" }, { column: "Nope", operator: "is empty" }] }));
    expect(unknown).toBeInstanceOf(ConfigError);
    expect(unknown.where).toBe("conditions.1.column");

    const badOperator = await failure(run({ conditions: [{ column: "id", operator: "like", value: "1" }] }));
    expect(badOperator).toBeInstanceOf(ConfigError);
    expect(badOperator.where).toBe("conditions.0.operator");
  });

  it("never lets a value reach the SQL as code", async () => {
    const { out } = await run({ conditions: [{ column: "name", operator: "=", value: "x' OR '1'='1" }] });
    expect(out.rows).toBe(0);
  });
});
