// The dataset view over a real Parquet file in DuckDB: sort, filters and search with the rows
// worked out by hand, the columns in the useful order, and the CSV and Parquet exports (text cells
// neutralised, numbers left alone).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { viewSpecSchema, type ViewSpecInput } from "../lib/dataset-view";
import type { DatasetRef } from "../nodes/sdk/types";
import { csvColumn, exportDataset, viewColumns, viewDataset, whereOf } from "./dataset-query";
import { ParquetDatasetStore } from "./dataset-store";
import { openSqliteStore, type Store } from "./store";

// Seven customers, columns in an order a node might leave them in.
const CUSTOMERS = `SELECT name, segment, raw_score::DOUBLE AS raw_score, balance::DOUBLE AS balance, visits::INTEGER AS visits, note,
  churn_score::DOUBLE AS churn_score, customerID FROM (VALUES
  ('Ada Lovelace',    'gold',   3.5,  120.5, 4,  '=HYPERLINK("http://evil.example","click")', 0.91, 'C001'),
  ('Grace Hopper',    'silver', 0.0,  -2.0,  -2, '-2',                                           0.15, 'C002'),
  ('Alan Turing',     'gold',   1.25, 0.0,   0,  '@SUM(A1:A2)',                                  0.55, 'C003'),
  ('Edsger Dijkstra', NULL,     2.0,  10.0,  7,  'plain, with a comma',                          0.55, 'C004'),
  ('Barbara Liskov',  'bronze', 0.5,  -7.25, 1,  '+1',                                           NULL, 'C005'),
  ('ada''s friend',   'silver', 4.0,  300.0, 12, chr(9) || 'tabbed',                             0.02, 'C006'),
  ('Ken Thompson',    'gold',   NULL, 55.0,  3,  'say "hi"',                                     0.7,  'C007')
) t(name, segment, raw_score, balance, visits, note, churn_score, customerID)`;

let dir: string;
let db: Store;
let store: ParquetDatasetStore;
let ref: DatasetRef;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-o'view-"));
  db = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  store = new ParquetDatasetStore(dir, db);
  ref = await store.create(CUSTOMERS);
});

afterAll(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const spec = (s: ViewSpecInput) => viewSpecSchema.parse(s);
async function ids(s: ViewSpecInput, page: { limit: number; offset?: number } = { limit: 100 }) {
  const view = await viewDataset(store, ref, spec(s), page);
  return { ids: view.rows.map((r) => r.customerID), matching: view.matchingRows };
}

describe("the columns of a view", () => {
  it("puts identifiers first, then model outputs, and reads only 0..1 scores as percentages", async () => {
    const columns = await viewColumns(store, ref);
    expect(columns.map((c) => c.name)).toEqual(["customerID", "raw_score", "churn_score", "name", "segment", "balance", "visits", "note"]);
    expect(columns.map((c) => [c.name, c.kind, c.role, c.percent])).toEqual([
      ["customerID", "text", "id", false],
      ["raw_score", "number", "score", false], // 0 .. 4: not a probability
      ["churn_score", "number", "score", true], // 0.02 .. 0.91, one missing
      ["name", "text", null, false],
      ["segment", "text", null, false],
      ["balance", "number", null, false],
      ["visits", "number", null, false],
      ["note", "text", null, false],
    ]);
  });
});

describe("sorting, filtering and searching the whole dataset", () => {
  it("keeps the file's order without a sort, and counts every row", async () => {
    expect(await ids({})).toEqual({ ids: ["C001", "C002", "C003", "C004", "C005", "C006", "C007"], matching: 7 });
  });

  it("sorts by a column either way, missing values last, equal values in the file's order", async () => {
    // 0.91, 0.7, 0.55 (C003 before C004, as in the file), 0.15, 0.02, then C005 without a score.
    expect((await ids({ sort: { column: "churn_score", direction: "desc" } })).ids).toEqual(["C001", "C007", "C003", "C004", "C002", "C006", "C005"]);
    expect((await ids({ sort: { column: "churn_score", direction: "asc" } })).ids).toEqual(["C006", "C002", "C003", "C004", "C007", "C001", "C005"]);
    // Text sorts as text, byte by byte: capitals before small letters.
    expect((await ids({ sort: { column: "name", direction: "asc" } })).ids).toEqual(["C001", "C003", "C005", "C004", "C002", "C007", "C006"]);
  });

  it("pages through the sorted rows while the count stays the whole match", async () => {
    const desc = { sort: { column: "churn_score", direction: "desc" as const } };
    expect(await ids(desc, { limit: 2 })).toEqual({ ids: ["C001", "C007"], matching: 7 });
    expect(await ids(desc, { limit: 2, offset: 2 })).toEqual({ ids: ["C003", "C004"], matching: 7 });
  });

  it("filters text by 'contains' (any case) and 'is exactly', and numbers by comparisons", async () => {
    expect(await ids({ filters: [{ column: "segment", op: "equals", value: "gold" }] })).toEqual({ ids: ["C001", "C003", "C007"], matching: 3 });
    expect(await ids({ filters: [{ column: "segment", op: "equals", value: "Gold" }] })).toEqual({ ids: [], matching: 0 });
    expect(await ids({ filters: [{ column: "name", op: "contains", value: "ADA" }] })).toEqual({ ids: ["C001", "C006"], matching: 2 });
    expect(await ids({ filters: [{ column: "balance", op: "<", value: 0 }] })).toEqual({ ids: ["C002", "C005"], matching: 2 });
    expect(await ids({ filters: [{ column: "balance", op: ">=", value: 10 }] })).toEqual({ ids: ["C001", "C004", "C006", "C007"], matching: 4 });
    expect(await ids({ filters: [{ column: "visits", op: "=", value: -2 }] })).toEqual({ ids: ["C002"], matching: 1 });
    expect(await ids({ filters: [{ column: "visits", op: "!=", value: 0 }] })).toEqual({ ids: ["C001", "C002", "C004", "C005", "C006", "C007"], matching: 6 });
    // A number column compared as text: 0.55 is "0.55".
    expect(await ids({ filters: [{ column: "churn_score", op: "contains", value: ".55" }] })).toEqual({ ids: ["C003", "C004"], matching: 2 });
  });

  it("searches every text column at once, any case", async () => {
    expect(await ids({ search: "gold" })).toEqual({ ids: ["C001", "C003", "C007"], matching: 3 });
    expect(await ids({ search: "  hopper " })).toEqual({ ids: ["C002"], matching: 1 }); // trimmed
    expect(await ids({ search: "c00" })).toMatchObject({ matching: 7 }); // every customerID
    expect(await ids({ search: "SUM(" })).toEqual({ ids: ["C003"], matching: 1 }); // the note
    expect(await ids({ search: "120" })).toEqual({ ids: [], matching: 0 }); // balance is a number, not searched
  });

  it("combines filters, search and sort: the top customers at risk", async () => {
    // Score above 50 % and a segment with an "l" (gold, silver): C001 0.91, C007 0.7, C003 0.55
    // (C004 has no segment); then searched for Turing: C003 alone.
    const view = await viewDataset(
      store,
      ref,
      spec({
        sort: { column: "churn_score", direction: "desc" },
        filters: [
          { column: "churn_score", op: ">", value: 0.5 },
          { column: "segment", op: "contains", value: "L" },
        ],
        search: "turing",
      }),
      { limit: 20 },
    );
    expect(view.rows).toEqual([{ customerID: "C003", raw_score: 1.25, churn_score: 0.55, name: "Alan Turing", segment: "gold", balance: 0, visits: 0, note: "@SUM(A1:A2)" }]);
    expect(view.matchingRows).toBe(1);
    expect(await ids({ sort: { column: "churn_score", direction: "desc" }, filters: [{ column: "churn_score", op: ">", value: 0.5 }, { column: "segment", op: "contains", value: "L" }] })).toEqual({
      ids: ["C001", "C007", "C003"],
      matching: 3,
    });
  });

  it("binds what people type: quotes and SQL in values are only text to look for", async () => {
    expect(await ids({ filters: [{ column: "name", op: "contains", value: "'; DROP TABLE x; --" }] })).toEqual({ ids: [], matching: 0 });
    expect(await ids({ filters: [{ column: "name", op: "equals", value: "ada's friend" }] })).toEqual({ ids: ["C006"], matching: 1 });
    expect(await ids({ search: 'say "hi' })).toEqual({ ids: ["C007"], matching: 1 });
    expect(await ids({ search: "%" })).toEqual({ ids: [], matching: 0 }); // no LIKE wildcards
    const where = whereOf(ref.columns, spec({ filters: [{ column: "name", op: "contains", value: "x'y" }], search: "z" }));
    expect(where.sql).not.toContain("x'y");
    expect(where.params).toEqual(["x'y", "z"]);
  });

  it("refuses unknown columns and number comparisons on text, by name", async () => {
    await expect(viewDataset(store, ref, spec({ sort: { column: "Churn_Score", direction: "asc" } }), { limit: 5 })).rejects.toThrow('The dataset has no column "Churn_Score"');
    await expect(viewDataset(store, ref, spec({ filters: [{ column: 'x" OR 1=1 --', op: "contains", value: "" }] }), { limit: 5 })).rejects.toThrow("no column");
    await expect(viewDataset(store, ref, spec({ filters: [{ column: "name", op: ">", value: 3 }] }), { limit: 5 })).rejects.toThrow('Column "name" holds VARCHAR, not numbers');
  });

  it("quotes odd column names as identifiers", async () => {
    const odd = await store.create(`SELECT * FROM (VALUES (1, 'b'), (2, 'a'), (3, 'c')) t("we""ird id", "=cmd")`);
    const view = await viewDataset(store, odd, spec({ sort: { column: "=cmd", direction: "asc" }, filters: [{ column: 'we"ird id', op: ">", value: 1 }] }), { limit: 10 });
    expect(view.rows).toEqual([
      { 'we"ird id': 2, "=cmd": "a" },
      { 'we"ird id': 3, "=cmd": "c" },
    ]);
  });
});

describe("exports", () => {
  const read = async (format: "csv" | "parquet", s?: ViewSpecInput) => {
    const file = await exportDataset(store, ref, format, s ? spec(s) : undefined);
    try {
      return format === "csv" ? readFileSync(file, "utf8") : file;
    } finally {
      if (format === "csv") rmSync(file);
    }
  };

  it("writes the whole dataset as CSV, neutralising text cells that start like a formula, never numbers", async () => {
    // Worked out by hand: the dataset's own column order; -2 and -7.25 in numeric columns stay
    // numbers, "-2" and "+1" in the text column get a quote, like =HYPERLINK, @SUM and the tab.
    expect(await read("csv")).toBe(
      [
        "name,segment,raw_score,balance,visits,note,churn_score,customerID",
        `Ada Lovelace,gold,3.5,120.5,4,"'=HYPERLINK(""http://evil.example"",""click"")",0.91,C001`,
        "Grace Hopper,silver,0.0,-2.0,-2,'-2,0.15,C002",
        "Alan Turing,gold,1.25,0.0,0,'@SUM(A1:A2),0.55,C003",
        `Edsger Dijkstra,,2.0,10.0,7,"plain, with a comma",0.55,C004`,
        "Barbara Liskov,bronze,0.5,-7.25,1,'+1,,C005",
        "ada's friend,silver,4.0,300.0,12,'\ttabbed,0.02,C006",
        `Ken Thompson,gold,,55.0,3,"say ""hi""",0.7,C007`,
        "",
      ].join("\n"),
    );
  });

  it("writes the view as CSV: its rows in its order, columns as shown", async () => {
    expect(await read("csv", { sort: { column: "churn_score", direction: "desc" }, filters: [{ column: "balance", op: ">=", value: 0 }] })).toBe(
      [
        "customerID,raw_score,churn_score,name,segment,balance,visits,note",
        `C001,3.5,0.91,Ada Lovelace,gold,120.5,4,"'=HYPERLINK(""http://evil.example"",""click"")"`,
        `C007,,0.7,Ken Thompson,gold,55.0,3,"say ""hi"""`,
        "C003,1.25,0.55,Alan Turing,gold,0.0,0,'@SUM(A1:A2)",
        `C004,2.0,0.55,Edsger Dijkstra,,10.0,7,"plain, with a comma"`,
        "C006,4.0,0.02,ada's friend,silver,300.0,12,'\ttabbed",
        "",
      ].join("\n"),
    );
  });

  it("neutralises a header that starts like a formula, and text that is not VARCHAR", async () => {
    expect(csvColumn({ name: "=cmd", type: "INTEGER" })).toBe(`"=cmd" AS "'=cmd"`);
    const odd = await store.create(`SELECT * FROM (VALUES (-1, ['-a', 'b'], DATE '2024-05-01', true)) t("=cmd", tags, day, ok)`);
    const file = await exportDataset(store, odd, "csv");
    try {
      expect(readFileSync(file, "utf8")).toBe(`'=cmd,tags,day,ok\n-1,"[-a, b]",2024-05-01,true\n`);
    } finally {
      rmSync(file);
    }
  });

  it("writes the view as Parquet with its rows in order and the columns' types", async () => {
    const file = await read("parquet", { sort: { column: "balance", direction: "asc" }, search: "a" });
    try {
      const rows = await store.queryBound(ref, `SELECT customerID, balance FROM read_parquet('${file.replace(/'/g, "''")}')`, []);
      // "a" is in some text column of every row (Ken Thompson's through his note, "say").
      expect(rows).toEqual([
        { customerID: "C005", balance: -7.25 },
        { customerID: "C002", balance: -2 },
        { customerID: "C003", balance: 0 },
        { customerID: "C004", balance: 10 },
        { customerID: "C007", balance: 55 },
        { customerID: "C001", balance: 120.5 },
        { customerID: "C006", balance: 300 },
      ]);
      const described = await store.queryBound<{ column_type: string }>(ref, `DESCRIBE SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`, []);
      expect(described.map((d) => d.column_type)).toEqual(["VARCHAR", "DOUBLE", "DOUBLE", "VARCHAR", "VARCHAR", "DOUBLE", "INTEGER", "VARCHAR"]);
    } finally {
      rmSync(file);
    }
  });
});
