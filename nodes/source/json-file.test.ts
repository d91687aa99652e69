import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { files } from "../../db/store";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, NotFoundError, type DatasetRef } from "../sdk";
import jsonFile from "./json-file.node.ts";

let h: Harness;
let dir: string;
const amazon = datasetFile("sentiment-amazon.json");
// Worked out with JSON.parse, independently of DuckDB.
const reviews = JSON.parse(readFileSync(amazon, "utf8")) as { text: string; class: number }[];

beforeAll(() => {
  h = harness();
  dir = path.join(h.dataDir, "json");
  mkdirSync(dir, { recursive: true });
});
afterAll(() => h.close());

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const read = (config: Record<string, unknown>) => h.run(jsonFile, config);
const query = (ref: DatasetRef, sql: string) => h.ctx("q").datasets.query(sql.replace("$src", h.ctx("q").datasets.from(ref)));

describe("source.json-file", () => {
  it("reads the Amazon sentiment array in file order", async () => {
    const before = new Date().toISOString();
    const res = await read({ path: amazon });
    const ref = res.outputs.rows as DatasetRef;
    // 1,000 labelled sentences plus a last, empty record {"text": "", "class": null}.
    expect(ref.rows).toBe(1001);
    expect(ref.rows).toBe(reviews.length);
    expect(ref.columns).toEqual([{ name: "text", type: "VARCHAR" }, { name: "class", type: "BIGINT" }]);
    const [agg] = await query(ref, "SELECT count(*) FILTER (WHERE class = 1)::INTEGER AS pos, sum(length(text))::INTEGER AS chars FROM $src");
    expect(agg).toEqual({
      pos: reviews.filter((r) => r.class === 1).length,
      chars: reviews.reduce((n, r) => n + [...r.text].length, 0),
    });
    const first = await query(ref, "SELECT text, class FROM $src LIMIT 1");
    expect(first).toEqual([reviews[0]]);
    expect(await query(ref, "SELECT text, class FROM $src WHERE class IS NULL")).toEqual([{ text: "", class: null }]);
    expect(res.metrics).toMatchObject({ file: "sentiment-amazon.json", rows: 1001, columns: 2 });
    const lineage = (res.metrics as { lineage: Record<string, unknown> }).lineage;
    expect(lineage).toMatchObject({ source: "sentiment-amazon.json", kind: "file", format: "json", rows: 1001, bytes: statSync(amazon).size });
    expect((lineage.readAt as string) >= before).toBe(true);
  });

  it("reads the same reviews as NDJSON, by format and by detection", async () => {
    const file = write("amazon.ndjson", `${reviews.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const array = (await read({ path: amazon })).outputs.rows as DatasetRef;
    for (const format of ["ndjson", "auto"]) {
      const res = await read({ path: file, format });
      const ref = res.outputs.rows as DatasetRef;
      expect(ref.rows, format).toBe(1001);
      // Same rows in the same order give the same content address.
      expect(ref.id, format).toBe(array.id);
      expect((res.metrics as { lineage: { format: string } }).lineage.format).toBe("ndjson");
    }
  });

  it("turns nested objects into structs and arrays into lists", async () => {
    const orders = reviews.slice(0, 50).map((r, i) => ({
      id: i + 1,
      review: { text: r.text, label: { positive: r.class === 1 } },
      tags: r.text.split(" ").slice(0, 3),
    }));
    const ref = (await read({ path: write("orders.json", JSON.stringify(orders, null, 2)) })).outputs.rows as DatasetRef;
    expect(ref.columns).toEqual([
      { name: "id", type: "BIGINT" },
      { name: "review", type: 'STRUCT("text" VARCHAR, "label" STRUCT(positive BOOLEAN))' },
      { name: "tags", type: "VARCHAR[]" },
    ]);
    const got = await query(ref, "SELECT count(*) FILTER (WHERE review.label.positive)::INTEGER AS pos, sum(len(tags))::INTEGER AS tags FROM $src");
    expect(got).toEqual([{ pos: orders.filter((o) => o.review.label.positive).length, tags: orders.reduce((n, o) => n + o.tags.length, 0) }]);
  });

  it("keeps a key that first appears after DuckDB's usual sample of 20,480 records", async () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => JSON.stringify(i === 25_000 ? { id: i, late: "here" } : { id: i }));
    const ref = (await read({ path: write("late-key.ndjson", lines.join("\n")) })).outputs.rows as DatasetRef;
    expect(ref.columns.map((c) => c.name)).toEqual(["id", "late"]);
    expect(await query(ref, "SELECT id, late FROM $src WHERE late IS NOT NULL")).toEqual([{ id: 25_000, late: "here" }]);
  });

  it("reads a record holding a 16 MB string", async () => {
    const big = "review ".repeat(Math.ceil((16 << 20) / 7)).slice(0, 16 << 20);
    const file = write("big-record.ndjson", `${JSON.stringify({ id: 1, text: "short" })}\n${JSON.stringify({ id: 2, text: big })}\n`);
    const ref = (await read({ path: file })).outputs.rows as DatasetRef;
    expect(await query(ref, "SELECT id, length(text) AS n FROM $src ORDER BY id")).toEqual([{ id: 1, n: 5 }, { id: 2, n: 16 << 20 }]);
  });

  it("reads an uploaded file by id, with the upload id as lineage source", async () => {
    mkdirSync(path.join(h.dataDir, "uploads"), { recursive: true });
    writeFileSync(path.join(h.dataDir, "uploads", "j1.json"), JSON.stringify(reviews.slice(0, 10)));
    await files.record(h.store, { id: "up_json", name: "ten.json", path: "uploads/j1.json", bytes: 1, rows: null, columns: null, format: null });
    const res = await read({ fileId: "up_json" });
    expect((res.outputs.rows as DatasetRef).rows).toBe(10);
    expect((res.metrics as { lineage: unknown }).lineage).toMatchObject({ source: "up_json", kind: "file", format: "json", rows: 10 });
    expect(await failure(read({ fileId: "nobody" }))).toBeInstanceOf(NotFoundError);
  });

  it("wants exactly one of path and fileId, and names a missing file", async () => {
    for (const config of [{}, { path: "a.json", fileId: "f1" }]) {
      const err = await failure(read(config));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe("path");
    }
    const err = await failure(read({ path: path.join(dir, "nope.json") }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe("JSON file not found: nope.json");
  });
});
