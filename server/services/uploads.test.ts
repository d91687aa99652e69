// Uploads against a real SQLite file, a real data directory and real DuckDB.
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { files, type Store } from "../../db/store";
import { openSqliteStore } from "../../db/store/handle";
import { projectRoot } from "../../lib/paths";
import { JsonDepthGuard, MAX_JSON_DEPTH } from "./json-depth";
import { ReaderCrashed, ReaderTimedOut, runReader } from "./reader-process";
import { UploadError, describeUpload, maxUploadBytes, receiveUpload, registerFile } from "./uploads";

const TELCO = path.join(projectRoot, "examples", "data", "telco-customer-churn.csv");
const MB = 1024 * 1024;

let dir: string;
let store: Store;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-uploads-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
});

afterAll(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const uploads = () => {
  try {
    return readdirSync(path.join(dir, "uploads"));
  } catch {
    return [];
  }
};
const fileRows = () => files.list(store);

async function refusal(p: Promise<unknown>): Promise<UploadError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UploadError);
  return err as UploadError;
}

/** An endless body that records how much of it was pulled. */
function endless(chunkBytes: number) {
  const state = { pulled: 0 };
  async function* gen() {
    while (true) {
      state.pulled++;
      yield new Uint8Array(chunkBytes).fill(0x61);
    }
  }
  return { state, body: gen() };
}

const text = (s: string) => (async function* () {
  yield new TextEncoder().encode(s);
})();

describe("receiveUpload", () => {
  it("streams a CSV to uploads/, describes it and records it", async () => {
    const body = Readable.toWeb(createReadStream(TELCO, { highWaterMark: 64 * 1024 })) as ReadableStream<Uint8Array>;
    const up = await receiveUpload(store, dir, { name: "telco-customer-churn.csv", body, maxBytes: 10 * MB });

    expect(up.id).toMatch(/^file_[0-9a-f]{20}$/);
    expect(up).toMatchObject({ name: "telco-customer-churn.csv", rows: 7043, format: "csv", bytes: readFileSync(TELCO).length });
    expect(up.columns).toHaveLength(21);
    expect(up.columns[0]).toEqual({ name: "customerID", type: "VARCHAR" });
    expect(up.columns.find((c) => c.name === "MonthlyCharges")?.type).toBe("DOUBLE");
    expect(up.createdAt).toBeGreaterThan(Date.now() - 60_000);

    const stored = path.join(dir, "uploads", `${up.id}.csv`);
    expect(readFileSync(stored).equals(readFileSync(TELCO))).toBe(true);
    // Readable by the app's own user only, in a folder only it may enter.
    expect(statSync(stored).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, "uploads")).mode & 0o777).toBe(0o700);
    const row = (await fileRows()).find((f) => f.id === up.id);
    expect(row).toMatchObject({ path: path.join("uploads", `${up.id}.csv`), rows: 7043, format: "csv" });
    expect(row?.columns).toHaveLength(21);
  });

  it("stops reading a body that passes the limit, answers 413 and leaves nothing behind", async () => {
    const before = { files: uploads().length, rows: (await fileRows()).length };
    const { state, body } = endless(64 * 1024);
    const err = await refusal(receiveUpload(store, dir, { name: "huge.csv", body, maxBytes: MB }));
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/^huge\.csv is larger than 1 MB; the limit is 1 MB \(set LOOPWRIGHT_MAX_UPLOAD_MB/);
    // 1 MB in 64 KB chunks: the 17th chunk crosses the limit, and nothing past it is pulled.
    expect(state.pulled).toBe(17);
    expect(uploads().length).toBe(before.files);
    expect((await fileRows()).length).toBe(before.rows);
  });

  it("cancels a web stream it stops reading", async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull: (c) => c.enqueue(new Uint8Array(32 * 1024)),
      cancel: () => {
        cancelled = true;
      },
    });
    const err = await refusal(receiveUpload(store, dir, { name: "web.ndjson", body, maxBytes: 100 * 1024 }));
    expect(err.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(uploads().filter((f) => f.endsWith(".ndjson"))).toEqual([]);
  });

  it("refuses a declared size over the limit before reading a byte", async () => {
    const { state, body } = endless(1024);
    const err = await refusal(receiveUpload(store, dir, { name: "sales.csv", body, declaredBytes: 312 * MB, maxBytes: 200 * MB }));
    expect(err.status).toBe(413);
    expect(err.message).toBe("sales.csv is 312 MB; the limit is 200 MB (set LOOPWRIGHT_MAX_UPLOAD_MB to change it)");
    expect(state.pulled).toBe(0);
  });

  it("refuses a file type it cannot read, naming the file", async () => {
    const before = uploads().length;
    const err = await refusal(receiveUpload(store, dir, { name: "setup.exe", body: text("MZ"), maxBytes: MB }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^setup\.exe: \.exe files cannot be uploaded; use one of \.csv .*\.jsonl$/);
    expect(uploads().length).toBe(before);
  });

  it("refuses names with control or direction-changing characters", async () => {
    for (const name of ["a\u0000b.csv", "\u202Egnp.csv", "line\nbreak.csv"]) {
      const err = await refusal(receiveUpload(store, dir, { name, body: text("a,b\n1,2\n"), maxBytes: MB }));
      expect(err.status).toBe(400);
      expect(err.message).toMatch(/control or direction-changing characters/);
    }
  });

  it("describes a JSON array and NDJSON", async () => {
    const records = [
      { customer: "a", spend: 12.5, active: true },
      { customer: "b", spend: 3, active: false },
      { customer: "c", spend: null, active: true },
    ];
    const json = await receiveUpload(store, dir, { name: "customers.json", body: text(JSON.stringify(records)), maxBytes: MB });
    expect(json).toMatchObject({ rows: 3, format: "json" });
    expect(json.columns).toEqual([
      { name: "customer", type: "VARCHAR" },
      { name: "spend", type: "DOUBLE" },
      { name: "active", type: "BOOLEAN" },
    ]);

    const nd = await receiveUpload(store, dir, { name: "events.jsonl", body: text(records.map((r) => JSON.stringify(r)).join("\n")), maxBytes: MB });
    expect(nd).toMatchObject({ rows: 3, format: "json" });
    expect(nd.columns.map((c) => c.name)).toEqual(["customer", "spend", "active"]);
  });

  it("refuses a file DuckDB cannot parse, naming the file and the reason, and keeps nothing", async () => {
    const before = { files: uploads().length, rows: (await fileRows()).length };
    const err = await refusal(receiveUpload(store, dir, { name: "broken.json", body: text('[{"a": 1}, {"a": '), maxBytes: MB }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^Cannot read broken\.json: .*JSON/);
    // Our storage path is not the user's business.
    expect(err.message).not.toMatch(/file_|uploads/);
    expect(uploads().length).toBe(before.files);
    expect((await fileRows()).length).toBe(before.rows);

    const empty = await refusal(receiveUpload(store, dir, { name: "empty.csv", body: text(""), maxBytes: MB }));
    expect(empty.message).toBe("empty.csv is empty");
    expect(uploads().length).toBe(before.files);
  });
});

describe("registerFile", () => {
  it("copies a local file and records its rows and columns", async () => {
    const up = await registerFile(store, dir, TELCO);
    expect(up).toMatchObject({ name: "telco-customer-churn.csv", rows: 7043 });
    const stored = path.join(dir, "uploads", `${up.id}.csv`);
    expect(readFileSync(stored).equals(readFileSync(TELCO))).toBe(true);
    // The copy is private whatever the original's mode (examples/ files are 0644).
    expect(statSync(stored).mode & 0o777).toBe(0o600);
  });

  it("names a missing file", async () => {
    const err = await refusal(registerFile(store, dir, path.join(dir, "nope.csv")));
    expect(err.message).toBe(`Cannot read ${path.join(dir, "nope.csv")}: no such file`);
  });

  it("reads a TSV with tabs as the delimiter", async () => {
    const src = path.join(dir, "scores.tsv");
    writeFileSync(src, "id\tscore\n1\t0.5\n2\t0.75\n");
    const up = await registerFile(store, dir, src);
    expect(up).toMatchObject({ rows: 2, columns: [{ name: "id", type: "BIGINT" }, { name: "score", type: "DOUBLE" }] });
  });
});

/** 60 KB of JSON nested 30,000 levels deep: DuckDB's JSON reader overflows its stack on it and the process dies (SIGSEGV). */
const DEEP = "[".repeat(30_000) + "]".repeat(30_000);

describe("deeply nested JSON", () => {
  it("is refused before DuckDB reads it, naming the file and the line, and nothing is stored", async () => {
    const before = { files: uploads().length, rows: (await fileRows()).length };
    const err = await refusal(receiveUpload(store, dir, { name: "deep.json", body: text(DEEP), maxBytes: MB }));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/^deep\.json: line 1 nests arrays and objects more than 64 levels deep/);

    // NDJSON: the line where the limit is passed; objects count as well as arrays.
    const nd = ['{"a": 1}', '{"b": [1, 2]}', `{"c": ${'{"d": '.repeat(80)}1${"}".repeat(80)}}`].join("\n");
    const ndErr = await refusal(receiveUpload(store, dir, { name: "events.ndjson", body: text(nd), maxBytes: MB }));
    expect(ndErr.message).toMatch(/^events\.ndjson: line 3 nests arrays and objects more than 64 levels deep/);

    // The CLI's path: the local file is checked while it is copied.
    const local = path.join(dir, "deep-local.json");
    writeFileSync(local, DEEP);
    const cliErr = await refusal(registerFile(store, dir, local));
    expect(cliErr.message).toMatch(/^deep-local\.json: line 1 nests arrays and objects more than 64 levels deep/);

    expect(uploads().length).toBe(before.files);
    expect((await fileRows()).length).toBe(before.rows);
  });

  it("still accepts brackets inside strings, with escaped quotes, and data nested a few levels", async () => {
    const records = [
      { note: "[".repeat(200), quoted: 'say \"{{{{\" and \\', tags: [["a"], ["b", ["c"]]] },
      { note: "}}}]]]", quoted: "", tags: [] },
    ];
    const up = await receiveUpload(store, dir, { name: "brackets.json", body: text(JSON.stringify(records)), maxBytes: MB });
    expect(up).toMatchObject({ rows: 2, format: "json" });
  });

  it("counts depth across chunks, outside strings, up to the limit and not past it", () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    const atLimit = new JsonDepthGuard();
    for (const ch of "[".repeat(MAX_JSON_DEPTH)) expect(atLimit.push(bytes(ch))).toBeUndefined();
    expect(atLimit.push(bytes("1" + "]".repeat(MAX_JSON_DEPTH)))).toBeUndefined();
    const past = new JsonDepthGuard(3);
    expect(past.push(bytes('[\n["[[[[\\"", "\\\\"],\n'))).toBeUndefined(); // brackets in strings, escapes
    expect(past.push(bytes('[[{"x": 1}]]]'))).toBe(3);
    // Stray closers cannot hide the openers after them.
    const stray = new JsonDepthGuard(3);
    expect(stray.push(bytes("]]]]]]]]\n[[[["))).toBe(2);
    // An unterminated string ends at the line's end.
    const open = new JsonDepthGuard(3);
    expect(open.push(bytes('{"a": "unterminated\n[[[['))).toBe(2);
  });
});

describe("the reader process", () => {
  it("turns a DuckDB crash into a refusal that names the file, removes it, and the server goes on", async () => {
    // Stored as if the nesting check had not been there: the child DuckDB really crashes on it.
    mkdirSync(path.join(dir, "uploads"), { recursive: true });
    const stored = path.join(dir, "uploads", "file_deepdeepdeepdeepdeep.json");
    writeFileSync(stored, DEEP);
    const err = await refusal(describeUpload(dir, stored, "deep.json"));
    expect(err.status).toBe(400);
    expect(err.message).toBe("deep.json could not be read: the reader crashed on it");
    expect(existsSync(stored)).toBe(false);
    // This process is still here and still reads files.
    const up = await receiveUpload(store, dir, { name: "after.csv", body: text("a,b\n1,2\n"), maxBytes: MB });
    expect(up).toMatchObject({ rows: 1 });
    // No spill folder left behind by the crashed reader.
    expect(readdirSync(path.join(dir, "tmp")).filter((f) => f.startsWith("duckdb-"))).toEqual([]);
  });

  it("reports a child killed by a signal, and one that takes too long", async () => {
    const scope = { roots: [path.join(dir, "uploads")], tempDirectory: path.join(dir, "tmp", "duckdb-reader-test") };
    const crash = path.join(dir, "crash.mjs");
    writeFileSync(crash, 'process.once("message", () => process.kill(process.pid, "SIGSEGV"));\n');
    const crashed = await runReader(scope, ["SELECT 1"], { script: crash }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(crashed).toBeInstanceOf(ReaderCrashed);
    expect((crashed as ReaderCrashed).signal).toBe("SIGSEGV");

    const hang = path.join(dir, "hang.mjs");
    writeFileSync(hang, "setInterval(() => {}, 1000);\n");
    const started = Date.now();
    const stuck = await runReader(scope, ["SELECT 1"], { script: hang, timeoutMs: 1_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stuck).toBeInstanceOf(ReaderTimedOut);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("runs DuckDB locked down: only the folders it is given, no settings changed", async () => {
    const uploadsDir = path.join(dir, "uploads");
    writeFileSync(path.join(uploadsDir, "inside.csv"), "a\n1\n");
    const scope = { roots: [uploadsDir], tempDirectory: path.join(dir, "tmp", "duckdb-reader-lock") };
    const [rows] = await runReader(scope, [`SELECT count(*)::BIGINT AS n FROM read_csv('${path.join(uploadsDir, "inside.csv")}')`]);
    expect(rows).toEqual([{ n: 1n }]);
    await expect(runReader(scope, [`SELECT * FROM read_csv('${TELCO}')`])).rejects.toThrow(/Permission Error/);
    await expect(runReader(scope, ["SET enable_external_access = true"])).rejects.toThrow(/locked/);
  });
});

describe("maxUploadBytes", () => {
  it("reads LOOPWRIGHT_MAX_UPLOAD_MB, defaults to 200 MB and refuses nonsense", () => {
    expect(maxUploadBytes({})).toBe(200 * MB);
    expect(maxUploadBytes({ LOOPWRIGHT_MAX_UPLOAD_MB: "5" })).toBe(5 * MB);
    expect(() => maxUploadBytes({ LOOPWRIGHT_MAX_UPLOAD_MB: "lots" })).toThrow(/LOOPWRIGHT_MAX_UPLOAD_MB .*"lots"/);
  });
});
