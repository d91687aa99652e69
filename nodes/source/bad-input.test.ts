// Broken and odd files, written here into the harness data dir (no binary fixtures in git). Each
// case expects the exact parse, worked out in the test, or a DataError naming the file and line.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef } from "../sdk";
import csvFile from "./csv-file.node.ts";
import jsonFile from "./json-file.node.ts";

let h: Harness;
let dir: string;

beforeAll(() => {
  h = harness();
  dir = path.join(h.dataDir, "bad");
  mkdirSync(dir, { recursive: true });
});
afterAll(() => h.close());

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

const csv = (file: string, extra: Record<string, unknown> = {}) => h.run(csvFile, { path: file, ...extra });
const json = (file: string, extra: Record<string, unknown> = {}) => h.run(jsonFile, { path: file, ...extra });
const rows = async (p: Promise<{ outputs: Record<string, unknown> }>, select = "*", order = "") => {
  const ref = (await p).outputs.rows as DatasetRef;
  const ds = h.ctx("q").datasets;
  return ds.query(`SELECT ${select} FROM ${ds.from(ref)} ${order}`);
};

async function expectDataError(p: Promise<unknown>, where: string, message: RegExp | string) {
  const err = await failure(p);
  expect(err, err.message).toBeInstanceOf(DataError);
  expect(err.where).toBe(where);
  if (typeof message === "string") expect(err.message).toBe(message);
  else expect(err.message).toMatch(message);
  return err;
}

describe("CSV: quoting and line ends", () => {
  it("keeps commas inside quoted fields", async () => {
    const f = write("commas.csv", 'id,name\n1,"Smith, John"\n2,"a,b,c"\n');
    expect(await rows(csv(f))).toEqual([{ id: 1, name: "Smith, John" }, { id: 2, name: "a,b,c" }]);
  });

  it("keeps line breaks inside quoted fields", async () => {
    const f = write("newlines.csv", 'id,note\n1,"line one\nline two"\n2,plain\n');
    expect(await rows(csv(f))).toEqual([{ id: 1, note: "line one\nline two" }, { id: 2, note: "plain" }]);
  });

  it('reads doubled quotes ("") and backslash escapes when the escape is configured', async () => {
    const doubled = write("doubled.csv", 'id,q\n1,"say ""hi"""\n2,"x"\n');
    expect(await rows(csv(doubled))).toEqual([{ id: 1, q: 'say "hi"' }, { id: 2, q: "x" }]);
    const backslash = write("backslash.csv", 'id,q\n1,"say \\"hi\\", then go"\n2,"x"\n');
    expect(await rows(csv(backslash, { escape: "\\" }))).toEqual([{ id: 1, q: 'say "hi", then go' }, { id: 2, q: "x" }]);
  });

  it("reads CRLF line ends, keeping a quoted CRLF in the value", async () => {
    const f = write("crlf.csv", 'a,b\r\n1,"x\r\ny"\r\n3,z\r\n');
    expect(await rows(csv(f))).toEqual([{ a: 1, b: "x\r\ny" }, { a: 3, b: "z" }]);
  });

  it("reads lone-CR line ends and counts them as lines in errors", async () => {
    const f = write("cr.csv", "a,b\r1,x\r2,y\r");
    expect(await rows(csv(f))).toEqual([{ a: 1, b: "x" }, { a: 2, b: "y" }]);
    const bad = write("cr-ragged.csv", "a,b,c\r1,2,3\r4,5,6\r7,8,9,10\r11,12,13\r");
    await expectDataError(csv(bad), "cr-ragged.csv line 4", "cr-ragged.csv line 4: expected 3 columns, found 4");
  });

  it("reports a ragged row after a quoted CRLF with its physical line", async () => {
    const f = write("crlf-ragged.csv", 'a,b\r\n1,"two\r\nlines"\r\n2,x\r\n3,y,z\r\n');
    await expectDataError(csv(f), "crlf-ragged.csv line 5", "crlf-ragged.csv line 5: expected 2 columns, found 3");
  });
});

describe("CSV: encodings", () => {
  const latin1 = Buffer.from("name,city\nJos\xe9,K\xf6ln\nA,B\n", "latin1");

  it("drops a UTF-8 byte-order mark from the first column name, quoted or not", async () => {
    for (const [name, text] of [["bom.csv", "\ufeffid,name\n1,x\n"], ["bom-quoted.csv", '\ufeff"id","name"\n1,"x"\n']]) {
      const ref = (await csv(write(name!, text!))).outputs.rows as DatasetRef;
      expect(ref.columns.map((c) => c.name), name).toEqual(["id", "name"]);
      expect(ref.columns[0]!.name.charCodeAt(0)).toBe("i".charCodeAt(0));
    }
  });

  it("reads Latin-1 with encoding latin-1", async () => {
    expect(await rows(csv(write("latin1.csv", latin1), { encoding: "latin-1" }))).toEqual([{ name: "José", city: "Köln" }, { name: "A", city: "B" }]);
  });

  it("says where Latin-1 text stops being UTF-8 and which setting to change", async () => {
    await expectDataError(
      csv(write("latin1-as-utf8.csv", latin1)),
      "latin1-as-utf8.csv line 2",
      "latin1-as-utf8.csv line 2: byte 0xE9 is not UTF-8 text; set encoding to the file's one (latin-1, windows-1252 or utf-16)",
    );
  });

  it("reads Windows-1252 (euro sign, curly quotes) by transcoding, and latin-1 points there", async () => {
    // 0x80 is the euro sign and 0x93/0x94 curly quotes in Windows-1252; in Latin-1 they are control codes.
    const bytes = Buffer.concat([Buffer.from("item,price\n"), Buffer.from([0x93, 0x41, 0x94]), Buffer.from(",5 "), Buffer.from([0x80]), Buffer.from("\nb,6\n")]);
    const f = write("cp1252.csv", bytes);
    expect(await rows(csv(f, { encoding: "windows-1252" }))).toEqual([{ item: "\u201cA\u201d", price: "5 \u20ac" }, { item: "b", price: "6" }]);
    await expectDataError(csv(f, { encoding: "latin-1" }), "cp1252.csv line 2", /^cp1252\.csv line 2: byte 0x93 is not Latin-1 text; .*windows-1252/);
    // The scratch copy is gone once the node is done.
    expect(readdirSync(path.join(h.dataDir, "tmp"))).toEqual([]);
  });

  it("names the user's file, not the scratch copy, for a ragged row in transcoded text", async () => {
    const f = write("cp1252-ragged.csv", Buffer.from("a,b\n\xe9,1\nx,2,3\n", "latin1"));
    await expectDataError(csv(f, { encoding: "windows-1252" }), "cp1252-ragged.csv line 3", "cp1252-ragged.csv line 3: expected 2 columns, found 3");
  });

  it("reads UTF-16 in both byte orders", async () => {
    const text = "name,city\nJosé,Köln\nA,B\n";
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    for (let i = 0; i < be.length; i += 2) [be[i], be[i + 1]] = [be[i + 1]!, be[i]!];
    for (const [name, bytes] of [["utf16le.csv", le], ["utf16be.csv", be]] as const) {
      expect(await rows(csv(write(name, bytes), { encoding: "utf-16" })), name).toEqual([{ name: "José", city: "Köln" }, { name: "A", city: "B" }]);
    }
  });

  it("reports UTF-16 that ends in the middle of a character", async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("a,b\n1,2\n", "utf16le"), Buffer.from([0x41])]);
    await expectDataError(csv(write("odd.csv", bytes), { encoding: "utf-16" }), "odd.csv line 3", /^odd\.csv line 3: not valid UTF-16LE text/);
  });
});

describe("CSV: shapes and sizes", () => {
  it("reports a ragged row with the file and line", async () => {
    const f = write("ragged.csv", "a,b,c\n1,2,3\n4,5\n6,7,8\n");
    await expectDataError(csv(f), "ragged.csv line 3", "ragged.csv line 3: expected 3 columns, found 2");
  });

  it("refuses an empty file clearly", async () => {
    await expectDataError(csv(write("empty.csv", "")), "empty.csv", "empty.csv: the file is empty");
  });

  it("reads a header-only file as 0 rows with its columns", async () => {
    const ref = (await csv(write("header-only.csv", "id,name,score\n"))).outputs.rows as DatasetRef;
    expect(ref.rows).toBe(0);
    expect(ref.columns.map((c) => c.name)).toEqual(["id", "name", "score"]);
  });

  it("reads a 1 MB field whole", async () => {
    // Commas, quotes and line breaks inside, so the field has to stay quoted.
    const unit = 'ab,"c"\nd';
    const big = unit.repeat(Math.ceil((1 << 20) / unit.length)).slice(0, 1 << 20);
    const f = write("big-field.csv", `id,blob,tail\n1,"${big.replace(/"/g, '""')}",end\n2,small,end\n`);
    const got = await rows(csv(f), "id, length(blob) AS n, md5(blob) AS sum, tail", "ORDER BY id");
    const md5 = (s: string) => createHash("md5").update(s).digest("hex");
    expect(got).toEqual([{ id: 1, n: 1 << 20, sum: md5(big), tail: "end" }, { id: 2, n: 5, sum: md5("small"), tail: "end" }]);
  });

  it("skips lines above the header and counts them in error lines", async () => {
    const f = write("skip.csv", "Sales export\ncreated 2024-01-01\nid,amount\n1,10\n2,20\n");
    expect(await rows(csv(f, { skipRows: 2 }))).toEqual([{ id: 1, amount: 10 }, { id: 2, amount: 20 }]);
    const bad = write("skip-ragged.csv", 'Report "Q1\nnotes\nid,amount\n1,10\n2,20,30\n');
    await expectDataError(csv(bad, { skipRows: 2 }), "skip-ragged.csv line 5", "skip-ragged.csv line 5: expected 2 columns, found 3");
  });

  it("reads the given null strings as NULL", async () => {
    const f = write("nulls.csv", "id,score\n1,NA\n2,-\n3,7\n");
    expect(await rows(csv(f, { nullStrings: ["NA", "-"] }))).toEqual([{ id: 1, score: null }, { id: 2, score: null }, { id: 3, score: 7 }]);
    // Without them the column cannot be numeric.
    expect(await rows(csv(f), "score")).toEqual([{ score: "NA" }, { score: "-" }, { score: "7" }]);
  });
});

describe("CSV: type overrides and lineage on the Telco file", () => {
  const telco = datasetFile("telco-customer-churn.csv");
  const lines = readFileSync(telco, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));

  it("reads the given types; TotalCharges as text keeps the 11 blanks", async () => {
    const before = Date.now();
    const res = await csv(telco, {
      types: [
        { column: "TotalCharges", type: "text" },
        { column: "SeniorCitizen", type: "boolean" },
        { column: "tenure", type: "integer" },
        { column: "MonthlyCharges", type: "number" },
      ],
    });
    const ref = res.outputs.rows as DatasetRef;
    const typeOf = (n: string) => ref.columns.find((c) => c.name === n)?.type;
    expect([typeOf("TotalCharges"), typeOf("SeniorCitizen"), typeOf("tenure"), typeOf("MonthlyCharges")]).toEqual(["VARCHAR", "BOOLEAN", "BIGINT", "DOUBLE"]);
    const ds = h.ctx("q").datasets;
    const [got] = await ds.query(
      `SELECT count(*)::INTEGER AS n, count(*) FILTER (WHERE trim(TotalCharges) = '')::INTEGER AS blanks, count(*) FILTER (WHERE SeniorCitizen)::INTEGER AS seniors FROM ${ds.from(ref)}`,
    );
    expect(got).toEqual({
      n: 7043,
      blanks: lines.filter((l) => l[19]!.trim() === "").length,
      seniors: lines.filter((l) => l[2] === "1").length,
    });
    expect(got!.blanks).toBe(11);

    const lineage = (res.metrics as { lineage: Record<string, unknown> }).lineage;
    expect(lineage).toMatchObject({ source: "telco-customer-churn.csv", kind: "file", format: "csv", rows: 7043, bytes: statSync(telco).size });
    const readAt = Date.parse(lineage.readAt as string);
    expect(new Date(readAt).toISOString()).toBe(lineage.readAt);
    expect(readAt).toBeGreaterThanOrEqual(before - 1);
    expect(readAt).toBeLessThanOrEqual(Date.now());
  });

  it("names the first blank TotalCharges line when it is forced to a number", async () => {
    const first = lines.findIndex((l) => l[19]!.trim() === "") + 2; // +1 for the header, +1 for 1-based
    const err = await expectDataError(
      csv(telco, { types: [{ column: "TotalCharges", type: "number" }] }),
      `telco-customer-churn.csv line ${first}`,
      /column "TotalCharges": could not convert string " " to 'DOUBLE' \(the column type was set in types\)$/,
    );
    expect(err.message.startsWith(`telco-customer-churn.csv line ${first}: `)).toBe(true);
  });

  it("refuses a type for a column the file does not have, and two types for one column", async () => {
    const err = await failure(csv(telco, { types: [{ column: "Nope", type: "text" }] }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe('CSV file: types: no column "Nope" in telco-customer-churn.csv');
    const twice = await failure(csv(telco, { types: [{ column: "tenure", type: "text" }, { column: "tenure", type: "integer" }] }));
    expect(twice).toBeInstanceOf(ConfigError);
    expect(twice.where).toBe("types.1.column");
  });
});

describe("JSON: broken and odd files", () => {
  it("reports trailing garbage after the array with its line", async () => {
    const f = write("trailing.json", '[\n  {"a": 1},\n  {"a": 2}\n]\ngarbage\n');
    await expectDataError(json(f), "trailing.json line 5", "trailing.json line 5: unexpected text after the end of the JSON array");
    const second = write("two-arrays.json", '[{"a": 1}]\n[{"a": 2}]\n');
    await expectDataError(json(second, { format: "array" }), "two-arrays.json line 2", "two-arrays.json line 2: unexpected text after the end of the JSON array");
  });

  it("reports a malformed value inside the array with its line", async () => {
    const f = write("bad-value.json", '[\n  {"a": 1, "b": "x"},\n  {"a": 2, "b": y},\n  {"a": 3}\n]\n');
    await expectDataError(json(f), "bad-value.json line 3", 'bad-value.json line 3: "y" is not a JSON value');
  });

  it("names the one bad NDJSON line, or skips it when asked and counts it", async () => {
    const lines = ['{"a":1,"b":"x"}', '{"a":2,"b":"y"}', '{"a":3,"b":oops}', "", '{"a":4,"b":"w"}'];
    const f = write("one-bad.ndjson", `${lines.join("\n")}\n`);
    for (const format of ["ndjson", "auto"]) {
      await expectDataError(json(f, { format }), "one-bad.ndjson line 3", 'one-bad.ndjson line 3: "oops" is not a JSON value');
    }
    const res = await json(f, { format: "ndjson", ignoreErrors: true });
    expect(res.metrics).toMatchObject({ rows: 3, skippedLines: 1, firstSkippedLines: [3] });
    expect(await rows(Promise.resolve(res), "a, b", "ORDER BY a")).toEqual([{ a: 1, b: "x" }, { a: 2, b: "y" }, { a: 4, b: "w" }]);
  });

  it("names a truncated NDJSON line", async () => {
    const f = write("truncated.ndjson", '{"a":1}\n{"a":2,\n{"a":3}\n');
    await expectDataError(json(f, { format: "ndjson" }), "truncated.ndjson line 2", "truncated.ndjson line 2: the line ends before the JSON value does");
  });

  it("reads objects nested 200 levels deep", async () => {
    const depth = 200;
    const nested = `${'{"k":'.repeat(depth)}"bottom"${"}".repeat(depth)}`;
    const f = write("deep200.json", `[{"id": 1, "d": ${nested}}]`);
    const ref = (await json(f)).outputs.rows as DatasetRef;
    expect(ref.columns.find((c) => c.name === "d")!.type).toMatch(/^STRUCT\(k STRUCT\(/);
    const pathExpr = h.ctx("q").datasets.literal(`$${".k".repeat(depth)}`);
    expect(await rows(Promise.resolve({ outputs: { rows: ref } }), `id, json_extract_string(to_json(d), ${pathExpr}) AS v`)).toEqual([{ id: 1, v: "bottom" }]);
  });

  it("refuses nesting deep enough to crash DuckDB, with the line, and the process lives on", async () => {
    // 20,000 levels made DuckDB 1.5.6 segfault: the node must stop before DuckDB sees it.
    const depth = 20_000;
    const f = write("deep20k.json", `[\n{"id": 1,\n "d": ${'{"k":'.repeat(depth)}1${"}".repeat(depth)}}]`);
    await expectDataError(json(f), "deep20k.json line 3", "deep20k.json line 3: nested more than 1000 levels deep");
    const arrays = write("deep-arrays.ndjson", `{"a":1}\n{"a":${"[".repeat(5000)}${"]".repeat(5000)}}\n`);
    await expectDataError(json(arrays), "deep-arrays.ndjson line 2", "deep-arrays.ndjson line 2: nested more than 1000 levels deep");
  });

  it("reads __proto__ and constructor keys as ordinary columns without touching Object.prototype", async () => {
    const record = '{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}, "id": 1}';
    for (const [name, text] of [["proto.json", `[${record}]`], ["proto.ndjson", `${record}\n`]] as const) {
      const ref = (await json(write(name, text))).outputs.rows as DatasetRef;
      expect(({} as Record<string, unknown>).polluted, name).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty("polluted");
      expect(ref.columns.map((c) => c.name)).toEqual(["__proto__", "constructor", "id"]);
      const got = await rows(Promise.resolve({ outputs: { rows: ref } }), `"__proto__".polluted AS p, "constructor".prototype.polluted AS c, id`);
      expect(got).toEqual([{ p: "yes", c: "yes", id: 1 }]);
    }
  });

  it("refuses empty files, empty arrays and arrays of plain values clearly", async () => {
    await expectDataError(json(write("empty.json", "")), "empty.json", "empty.json: the file is empty");
    await expectDataError(json(write("blank.json", " \n\n")), "blank.json", "blank.json: the file holds only white space");
    for (const [name, text] of [["empty-array.json", "[]"], ["numbers.json", "[1, 2, 3]"]]) {
      await expectDataError(json(write(name!, text!)), name!, /: no JSON objects to read/);
    }
  });

  it("names the line of a record with a duplicate key", async () => {
    const f = write("dup.ndjson", '{"a":1}\n\n\n{"a":2}\n{"a":1,"a":3}\n');
    await expectDataError(json(f), "dup.ndjson line 5", 'dup.ndjson line 5: Object {"a":1,"a":3} has duplicate key "a"');
    const arr = write("dup.json", '[\n  {"a": 1},\n\n  {"a": 2}, {"a": 5},\n  {"a": 1, "a": 3}\n]\n');
    await expectDataError(json(arr), "dup.json line 5", 'dup.json line 5: Object {"a":1,"a":3} has duplicate key "a"');
  });

  it("reads past a UTF-8 byte-order mark, and still finds the right line of an error", async () => {
    expect(await rows(json(write("bom.json", '\ufeff[{"id": 1, "name": "Zo\u00eb"}]')))).toEqual([{ id: 1, name: "Zoë" }]);
    const bad = write("bom-bad.json", '\ufeff[\n  {"a": 1},\n  {"a": }\n]\n');
    await expectDataError(json(bad), "bom-bad.json line 3", 'bom-bad.json line 3: expected a value, found }');
  });

  it("accepts a trailing comma inside a record, as DuckDB does, but not at the end of the array", async () => {
    expect(await rows(json(write("comma-inside.json", '[{"a": 1, "b": [1, 2,],}]')))).toEqual([{ a: 1, b: [1n, 2n] }]);
    const comma = write("trailing-comma.json", '[\n  {"a": 1},\n  {"a": 2},\n]\n');
    await expectDataError(json(comma), "trailing-comma.json line 4", "trailing-comma.json line 4: a trailing comma before ]");
  });

  it("refuses an NDJSON file read as an array, at line 1", async () => {
    const f = write("really-ndjson.json", '{"a":1}\n{"a":2}\n');
    await expectDataError(json(f, { format: "array" }), "really-ndjson.json line 1", "really-ndjson.json line 1: a JSON array file must start with [");
  });
});
