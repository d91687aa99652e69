import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { files } from "../../db/store";
import { harness, datasetFile, type Harness, failure } from "../../tests/harness";
import { ConfigError, DataError, NotFoundError, type DatasetRef } from "../sdk";
import csvFile from "./csv-file.node.ts";
import rfm from "../transform/rfm.node.ts";

let h: Harness;
let dir: string;

beforeAll(() => {
  h = harness();
  dir = path.join(h.dataDir, "csv");
  mkdirSync(dir, { recursive: true });
});
afterAll(() => h.close());

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}


const read = (config: Record<string, unknown>) => h.run(csvFile, config);
const rowsOf = (ref: DatasetRef, sql: string) => h.ctx("q").datasets.query(sql.replace("$src", h.ctx("q").datasets.from(ref)));

describe("source.csv-file", () => {
  it("refuses paths outside the project and data directories, also through a symlink", async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), "loopwright-outside-"));
    try {
      writeFileSync(path.join(outside, "secret.csv"), "a,b\n1,2\n");
      symlinkSync(outside, path.join(dir, "link-out"));
      writeFileSync(path.join(h.dataDir, ".hidden.csv"), "a\n1\n");
      for (const p of ["/etc/passwd", path.join(outside, "secret.csv"), path.join(dir, "link-out", "secret.csv"), "../../etc/passwd", ".env", ".git/config", path.join(h.dataDir, ".hidden.csv")]) {
        const err = await failure(read({ path: p }));
        expect(err, p).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/outside the folders flows may use/);
      }
      // Inside the data directory is fine.
      expect((await read({ path: write("ok.csv", "a,b\n1,2\n") })).outputs.rows).toMatchObject({ rows: 1 });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("reads the Telco churn file", async () => {
    const res = await read({ path: datasetFile("telco-customer-churn.csv") });
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(7043);
    expect(ref.columns).toHaveLength(21);
    expect(ref.columns[0]!.name).toBe("customerID");
    expect(ref.columns.at(-1)!.name).toBe("Churn");
    expect(res.metrics).toMatchObject({ file: "telco-customer-churn.csv", rows: 7043, columns: 21 });
    const first = await rowsOf(ref, `SELECT customerID, MonthlyCharges FROM $src LIMIT 1`);
    expect(first).toEqual([{ customerID: "7590-VHVEG", MonthlyCharges: 29.85 }]);
  });

  it("warns of Telco's silent traps: TotalCharges read as text for 11 blank cells, five Yes/No columns read as true/false; the fixes it names work", async () => {
    const res = await read({ path: datasetFile("telco-customer-churn.csv") });
    // 11 lines of the file hold a single space as TotalCharges (grep -c ', ,'), every other cell a number.
    expect(res.metrics!.warnings).toEqual([
      'TotalCharges looks numeric but was read as text: 11 of 7,043 filled cells are blank (" "). Sums, filters and sorting treat it as text; to fix, add " " to Null strings ("", " ") so those cells read as empty and the column as numbers, or convert it with a Select / rename / cast node (cells that do not convert go to its Rejects output).',
      'Partner, Dependents, PhoneService, PaperlessBilling and Churn hold Yes/No in the file and were read as true/false: filters and joins must use true/false, not "Yes" (a filter on "Yes" finds nothing), and the data shows true/false. To keep the words, set their type to text in Types.',
    ]);
    const fixed = await read({ path: datasetFile("telco-customer-churn.csv"), nullStrings: ["", " "], types: [{ column: "Churn", type: "text" }] });
    const ref = fixed.outputs.rows as DatasetRef;
    expect(ref.columns.find((c) => c.name === "TotalCharges")!.type).toBe("DOUBLE");
    expect(ref.columns.find((c) => c.name === "Churn")!.type).toBe("VARCHAR");
    expect(await rowsOf(ref, `SELECT count(*) FILTER (WHERE TotalCharges IS NULL)::INTEGER AS blank, count(*) FILTER (WHERE Churn = 'Yes')::INTEGER AS churned FROM $src`)).toEqual([
      { blank: 11, churned: 1869 },
    ]);
    expect(fixed.metrics!.warnings).toEqual([
      'Partner, Dependents, PhoneService and PaperlessBilling hold Yes/No in the file and were read as true/false: filters and joins must use true/false, not "Yes" (a filter on "Yes" finds nothing), and the data shows true/false. To keep the words, set their type to text in Types.',
    ]);
  });

  it("names a numbers column's odd cells; no warning for text, true/false words or a clean file", async () => {
    const lines = ["id,amount,code,flag,ok"];
    // amount: 30 numbers (90.9 %), "N/A" twice and one blank-looking "  "; code: words; flag: true/false; ok: yes/no.
    const amounts = Array.from({ length: 30 }, (_, i) => String(i + 0.5));
    amounts.splice(3, 0, "N/A");
    amounts.splice(10, 0, "  ");
    amounts.splice(20, 0, "N/A");
    amounts.forEach((a, i) => lines.push(`${i},${a},c${i},${i % 2 ? "true" : "false"},${i % 2 ? "yes" : "no"}`));
    const res = await read({ path: write("odd.csv", lines.join("\n") + "\n") });
    expect(res.metrics!.warnings).toEqual([
      'amount looks numeric but was read as text: 3 of 33 filled cells are not numbers (1 blank, e.g. "N/A"). Sums, filters and sorting treat it as text; to fix, add "  ", "N/A" to Null strings ("", "  ", "N/A") so those cells read as empty and the column as numbers, or convert it with a Select / rename / cast node (cells that do not convert go to its Rejects output).',
      'ok holds Yes/No in the file and was read as true/false: filters and joins must use true/false, not "Yes" (a filter on "Yes" finds nothing), and the data shows true/false. To keep the words, set its type to text in Types.',
    ]);
    const clean = await read({ path: write("clean.csv", "a,b\n1,x\n2,y\n") });
    expect(clean.metrics!.warnings).toBeUndefined();
  });

  it("keeps commas inside quoted fields (Hillstrom)", async () => {
    const ref = (await read({ path: datasetFile("hillstrom-email.csv") })).outputs.rows as DatasetRef;
    expect(ref.rows).toBe(64000);
    expect(ref.columns).toHaveLength(12);
    // 1,859 lines of the file hold this quoted value (counted with grep).
    const [row] = await rowsOf(ref, `SELECT count(*)::INTEGER AS n FROM $src WHERE history_segment = '6) $750 - $1,000'`);
    expect(row).toEqual({ n: 1859 });
  });

  it("reports a row with too many columns with its file and line", async () => {
    const file = write("ragged.csv", "a,b,c\n1,2,3\n4,5,6\n7,8,9\n10,11,12,13\n14,15,16\n");
    const err = await failure(read({ path: file }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe("ragged.csv line 5: expected 3 columns, found 4");
    expect(err.where).toBe("ragged.csv line 5");
  });

  it("reports a row with too few columns even when the delimiter is given", async () => {
    const file = write("short.csv", "a;b;c\n1;2;3\n4;5\n");
    const err = await failure(read({ path: file, delimiter: ";" }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe("short.csv line 3: expected 3 columns, found 2");
  });

  it("reports an unterminated quote", async () => {
    const file = write("unterminated.csv", 'id,name,score\n1,ann,3\n2,bob,4\n3,"cy,5\n4,dee,6\n');
    const err = await failure(read({ path: file }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.where).toBe("unterminated.csv line 4");
    expect(err.message).toMatch(/^unterminated\.csv line 4: .*unterminated quote/i);
  });

  it("counts physical lines when a quoted field spans lines", async () => {
    const file = write("multiline.csv", 'a,b,c\n1,"two\nlines",3\n4,5,6\n7,8,9,10\n');
    const err = await failure(read({ path: file }));
    expect(err.where).toBe("multiline.csv line 5");
  });

  it("reports a bad row far past the part DuckDB samples", async () => {
    const lines = ["id,name,score"];
    for (let i = 1; i <= 30000; i++) lines.push(i === 25000 ? `${i},n${i},1.5,extra` : `${i},n${i},1.5`);
    const file = write("late.csv", `${lines.join("\n")}\n`);
    const err = await failure(read({ path: file }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe("late.csv line 25001: expected 3 columns, found 4");
  });

  it("reports a value that does not fit the type detected from the first rows", async () => {
    const lines = ["id,name"];
    for (let i = 1; i <= 30000; i++) lines.push(i === 29000 ? "n/a,x" : `${i},x`);
    const file = write("types.csv", `${lines.join("\n")}\n`);
    const err = await failure(read({ path: file }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.where).toBe("types.csv line 29001");
    expect(err.message).toMatch(/^types\.csv line 29001: column "id": could not convert string "n\/a" to 'BIGINT'/);
  });

  it("reads a tab-separated file without a header", async () => {
    const file = write("plain.tsv", "x\t1\ny\t2\nz\t3\n");
    const ref = (await read({ path: file, delimiter: "\\t", header: false })).outputs.rows as DatasetRef;
    expect(ref.rows).toBe(3);
    expect(await rowsOf(ref, "SELECT * FROM $src ORDER BY 2")).toEqual([
      { column0: "x", column1: 1 },
      { column0: "y", column1: 2 },
      { column0: "z", column1: 3 },
    ]);
  });

  it("fails with NotFoundError naming a missing file", async () => {
    const err = await failure(read({ path: path.join(dir, "nope.csv") }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toContain("nope.csv");
  });

  it("wants exactly one of path and fileId", async () => {
    for (const config of [{}, { path: "a.csv", fileId: "f1" }, { path: "", fileId: "" }]) {
      const err = await failure(read(config));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe("path");
    }
  });

  it("reads an uploaded file by id", async () => {
    mkdirSync(path.join(h.dataDir, "uploads"), { recursive: true });
    writeFileSync(path.join(h.dataDir, "uploads", "up1.csv"), "k,v\na,1\nb,2\n");
    await files.record(h.store, { id: "up_1", name: "people.csv", path: "uploads/up1.csv", bytes: 14, rows: null, columns: null, format: null });
    const res = await read({ fileId: "up_1" });
    expect((res.outputs.rows as DatasetRef).rows).toBe(2);
    expect(res.metrics).toMatchObject({ file: "up1.csv", rows: 2, columns: 2 });
    expect(await failure(read({ fileId: "nobody" }))).toBeInstanceOf(NotFoundError);
  });
});

describe("source.csv-file with whitespace-separated columns", () => {
  it("reads CDNOW (runs of spaces, CRLF) and feeds RFM: 69,659 transactions, 23,570 customers", async () => {
    const res = await read({ path: datasetFile("cdnow-transactions.txt"), delimiter: "whitespace" });
    const ref = res.outputs.rows as DatasetRef;
    expect(ref.rows).toBe(69_659);
    expect(ref.columns).toEqual([
      { name: "customer_id", type: "BIGINT" },
      { name: "date", type: "BIGINT" },
      { name: "number_of_cds", type: "BIGINT" },
      { name: "dollar_value", type: "DOUBLE" },
    ]);
    // The first data line of the file, as text: " 00001 19970101  1   11.77" (CRLF).
    const [first] = await rowsOf(ref, "SELECT * FROM $src LIMIT 1");
    expect(first).toEqual({ customer_id: 1, date: 19970101, number_of_cds: 1, dollar_value: 11.77 });
    const rfmOut = await h.run(rfm, { customer: "customer_id", date: "date", dateFormat: "%Y%m%d", amount: "dollar_value" }, { rows: ref });
    expect((rfmOut.outputs.rows as DatasetRef).rows).toBe(23_570);
  });

  it("names the line of a row with too many or too few fields", async () => {
    const err = await failure(read({ path: write("ragged.txt", "1  2  3\n4 5 6\n7 8\n"), header: false, delimiter: "whitespace" }));
    expect(err).toBeInstanceOf(DataError);
    expect(err.message).toBe("ragged.txt line 3: expected 3 columns, found 2");
    const wide = await failure(read({ path: write("wide.txt", "a b\n1 2\n3 4 5\n"), delimiter: "whitespace" }));
    expect(wide.message).toBe("wide.txt line 3: expected 2 columns, found 3");
  });
});

describe("file names with glob characters", () => {
  it("read exactly the named file, not its look-alikes", async () => {
    write("rep1.csv", "a\nfrom rep1\n");
    const named = write("rep[12].csv", "a\nfrom the bracket file\n");
    const ref = (await read({ path: named })).outputs.rows as DatasetRef;
    expect(await rowsOf(ref, "SELECT a FROM $src")).toEqual([{ a: "from the bracket file" }]);
    write("star-one.csv", "a\n1\n");
    const star = write("star*.csv", "a\n2\n");
    expect(await rowsOf((await read({ path: star })).outputs.rows as DatasetRef, "SELECT a FROM $src")).toEqual([{ a: 2 }]);
  });
});
