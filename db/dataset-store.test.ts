import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { harness, type Harness } from "../tests/harness";
import { duckdbMemoryLimit } from "./duckdb";
import { sweepScratch, SCRATCH_MAX_AGE_MS } from "./scratch";
import { datasets } from "./store";

describe("the Parquet dataset store", () => {
  let h: Harness;
  beforeEach(() => (h = harness()));
  afterEach(() => h.close());

  it("writes an immutable Parquet file named by its content, with metadata in the store", async () => {
    const store = h.ctx("make", { runId: "run-1" }).datasets;
    const ref = await store.create("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) t(id, name)");
    expect(ref).toMatchObject({ kind: "table", rows: 3, columns: [{ name: "id", type: "INTEGER" }, { name: "name", type: "VARCHAR" }] });
    expect(ref.id).toMatch(/^ds_[0-9a-f]{32}$/);
    expect(ref.path).toBe(path.join("datasets", `${ref.id}.parquet`));
    expect(existsSync(path.join(h.dataDir, ref.path))).toBe(true);
    // Customers' rows: readable by the app's own user only.
    expect(statSync(path.join(h.dataDir, ref.path)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(h.dataDir, "datasets")).mode & 0o777).toBe(0o700);
    const meta = await datasets.get(h.store, ref.id);
    expect(meta).toMatchObject({ rows: 3, runId: "run-1", nodeId: "make", columns: ref.columns });
    expect(meta.bytes).toBeGreaterThan(0);

    // Same rows again: same address, no second file or row; different rows: a new one.
    const again = await h.ctx("other", { runId: "run-2" }).datasets.create("SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (3, NULL)) t(id, name)");
    expect(again.id).toBe(ref.id);
    const other = await store.create("SELECT * FROM (VALUES (1, 'a')) t(id, name)");
    expect(other.id).not.toBe(ref.id);
    expect(await datasets.list(h.store)).toHaveLength(2);
    // No temporary files left behind.
    expect((await datasets.list(h.store)).every((d) => !d.path.includes(".tmp-"))).toBe(true);
  });

  it("previews the first rows, reads the schema, and adds a column in row order", async () => {
    const store = h.ctx("x").datasets;
    const ref = await store.create("SELECT range AS n, 'r' || range AS label FROM range(1000)");
    const first = await store.preview(ref, 5);
    expect(first).toEqual([0, 1, 2, 3, 4].map((n) => ({ n, label: `r${n}` })));
    expect(await store.schema(ref)).toEqual([{ name: "n", type: "BIGINT" }, { name: "label", type: "VARCHAR" }]);

    const values = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? null : i * 0.5));
    const wider = await store.addColumn(ref, { name: "half", type: "DOUBLE" }, values);
    expect(wider.columns.map((c) => c.name)).toEqual(["n", "label", "half"]);
    const rows = await store.query<{ n: number; half: number | null }>(`SELECT n, half FROM ${store.from(wider)}`);
    expect(rows).toHaveLength(1000);
    for (const r of rows) expect(r.half).toBe(r.n % 10 === 0 ? null : r.n * 0.5);
    await expect(store.addColumn(ref, { name: "n", type: "DOUBLE" }, values)).rejects.toThrow(/already exists/);
    await expect(store.addColumn(ref, { name: "y", type: "DOUBLE" }, [1, 2])).rejects.toThrow(/2 values for 1000 rows/);
  });

  it("adds several columns in one pass, labelled ones as their labels in the column's type", async () => {
    const store = h.ctx("x").datasets;
    const ref = await store.create("SELECT range AS n FROM range(300)");
    const index = Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? null : i % 3));
    const flag = Array.from({ length: 300 }, (_, i) => i % 2);
    const share = Array.from({ length: 300 }, (_, i) => i / 300);
    const wide = await store.addColumns(ref, [
      { name: "tier", type: "VARCHAR", values: index, labels: ["bronze", "silver", "gold"] },
      { name: "even", type: "BOOLEAN", values: flag, labels: ["true", "false"] },
      { name: "share", type: "DOUBLE", values: share },
    ]);
    expect(wide.columns).toEqual([
      { name: "n", type: "BIGINT" },
      { name: "tier", type: "VARCHAR" },
      { name: "even", type: "BOOLEAN" },
      { name: "share", type: "DOUBLE" },
    ]);
    const rows = await store.query<{ n: number; tier: string | null; even: boolean; share: number }>(`SELECT * FROM ${store.from(wide)}`);
    expect(rows).toHaveLength(300);
    for (const r of rows) {
      expect(r.tier).toBe(r.n % 7 === 0 ? null : ["bronze", "silver", "gold"][r.n % 3]);
      expect(r.even).toBe(r.n % 2 === 0);
      expect(r.share).toBe(r.n / 300);
    }
    // Names clash regardless of case, as they do in DuckDB; nothing is stored for a refused call.
    const count = async () => (await datasets.list(h.store)).length;
    const before = await count();
    await expect(store.addColumns(ref, [{ name: "N", type: "DOUBLE", values: share }])).rejects.toThrow(/"N" already exists/);
    await expect(
      store.addColumns(ref, [
        { name: "a", type: "DOUBLE", values: share },
        { name: "A", type: "DOUBLE", values: share },
      ]),
    ).rejects.toThrow(/"A" already exists/);
    await expect(store.addColumns(ref, [])).rejects.toThrow(/no columns/);
    expect(await count()).toBe(before);
  });

  it("reads large results in batches", async () => {
    const store = h.ctx("x").datasets;
    const ref = await store.create("SELECT range AS n FROM range(25000)");
    const sizes: number[] = [];
    let sum = 0;
    for await (const batch of store.batches<{ n: number }>(`SELECT n FROM ${store.from(ref)}`, 10_000)) {
      sizes.push(batch.length);
      for (const r of batch) sum += r.n;
    }
    expect(sizes).toEqual([10_000, 10_000, 5_000]);
    expect(sum).toBe((24_999 * 25_000) / 2);
  });
});

describe("rows read back into JavaScript", () => {
  it("keep a column named __proto__ as an ordinary key, in query and batches", async () => {
    const h = harness();
    try {
      const store = h.ctx("q").datasets;
      const ref = await store.create(`SELECT 1 AS id, 'x' AS "__proto__", 'y' AS "constructor"`);
      const [row] = await store.query<Record<string, unknown>>(`SELECT * FROM ${store.from(ref)}`);
      expect(Object.keys(row!)).toEqual(["id", "__proto__", "constructor"]);
      expect(Object.hasOwn(row!, "__proto__")).toBe(true);
      expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
      expect(row!["__proto__"]).toBe("x");
      const batches: Record<string, unknown>[][] = [];
      for await (const b of store.batches<Record<string, unknown>>(`SELECT * FROM ${store.from(ref)}`)) batches.push(b);
      expect(Object.hasOwn(batches[0]![0]!, "__proto__")).toBe(true);
    } finally {
      h.close();
    }
  });
});

describe("sweeping scratch files", () => {
  it("removes scratch files over a day old that a killed worker left, and keeps fresh ones and datasets", async () => {
    const h = harness();
    try {
      const ref = await h.ctx("x").datasets.create("SELECT 1 AS n");
      const tmp = path.join(h.dataDir, "tmp");
      const store = path.join(h.dataDir, "datasets");
      mkdirSync(tmp, { recursive: true });
      const now = Date.now();
      const write = (file: string, ageMs: number) => {
        writeFileSync(file, "partial");
        const at = new Date(now - ageMs);
        utimesSync(file, at, at);
      };
      write(path.join(tmp, "source-old.csv"), SCRATCH_MAX_AGE_MS + 60_000);
      write(path.join(tmp, "pages-fresh.ndjson"), 60_000); // a node may still be writing it
      write(path.join(store, ".tmp-old.parquet"), 2 * SCRATCH_MAX_AGE_MS);
      write(path.join(store, ".tmp-fresh.parquet"), 0);
      const oldDataset = path.join(h.dataDir, ref.path);
      utimesSync(oldDataset, new Date(now - 10 * SCRATCH_MAX_AGE_MS), new Date(now - 10 * SCRATCH_MAX_AGE_MS));

      expect(await sweepScratch(h.dataDir, SCRATCH_MAX_AGE_MS, now)).toBe(2);
      expect(readdirSync(tmp)).toEqual(["pages-fresh.ndjson"]);
      expect(readdirSync(store).sort()).toEqual([".tmp-fresh.parquet", `${ref.id}.parquet`]);
      expect(await sweepScratch(h.dataDir, SCRATCH_MAX_AGE_MS, now)).toBe(0);
      // A data directory with no scratch folder yet is fine.
      expect(await sweepScratch(path.join(h.dataDir, "nowhere"))).toBe(0);
    } finally {
      h.close();
    }
  });
});

describe("DuckDB where it runs for flows", () => {
  let h: Harness;
  let outside: string;
  beforeEach(() => {
    h = harness();
    // A temporary folder beside the harness's data directory, but not a file root.
    outside = mkdtempSync(path.join(os.tmpdir(), "loopwright-outside-"));
    writeFileSync(path.join(outside, "secret.csv"), "token\nhunter2\n");
    writeFileSync(path.join(h.dataDir, "inside.csv"), "n\n1\n2\n");
  });
  afterEach(async () => {
    await h.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it("reads files inside the data directory, and nothing outside the file roots", async () => {
    const store = h.ctx("q").datasets;
    expect(await store.query(`SELECT sum(n)::INTEGER AS s FROM read_csv(${store.filePath(path.join(h.dataDir, "inside.csv"))})`)).toEqual([{ s: 3 }]);
    const secret = path.join(outside, "secret.csv");
    for (const sql of [
      `SELECT * FROM read_csv(${store.filePath(secret)})`,
      `SELECT * FROM read_text(${store.literal(secret)})`,
      `SELECT * FROM read_csv(${store.literal(path.join(h.dataDir, "..", path.basename(outside), "secret.csv"))})`,
      `SELECT * FROM glob(${store.literal(path.join(outside, "*"))})`,
      "SELECT * FROM read_text('/etc/passwd')",
      `COPY (SELECT 1 AS x) TO ${store.literal(path.join(outside, "out.csv"))}`,
      `ATTACH ${store.literal(path.join(outside, "other.duckdb"))}`,
    ]) {
      await expect(store.query(sql), sql).rejects.toThrow(/Permission Error/);
    }
    // No network either: httpfs is neither built in nor loaded on demand.
    await expect(store.query("SELECT * FROM read_csv('https://example.com/data.csv')")).rejects.toThrow(/requires the extension httpfs|Permission Error/);
    expect(readdirSync(outside)).toEqual(["secret.csv"]);
    // Datasets still go through the data directory, streamed reads included.
    const ref = await store.create(`SELECT * FROM read_csv(${store.filePath(path.join(h.dataDir, "inside.csv"))})`);
    const seen: unknown[] = [];
    for await (const batch of store.batches(`SELECT n FROM ${store.from(ref)}`)) seen.push(...batch);
    expect(seen).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it("refuses SQL that changes a setting, installs or loads an extension", async () => {
    const store = h.ctx("q").datasets;
    for (const sql of [
      "SET enable_external_access = true",
      "SET GLOBAL autoinstall_known_extensions = true",
      "SET autoload_known_extensions = true",
      "SET allowed_directories = ['/']",
      "SET memory_limit = '1TB'",
      "PRAGMA threads = 64",
      "RESET lock_configuration",
    ]) {
      await expect(store.query(sql), sql).rejects.toThrow(/the configuration has been locked/);
    }
    await expect(store.query("INSTALL httpfs")).rejects.toThrow(/Permission Error/);
    await expect(store.query("LOAD httpfs")).rejects.toThrow(/disabled/);
    await expect(store.query(`LOAD ${store.literal(path.join(h.dataDir, "evil.duckdb_extension"))}`)).rejects.toThrow(/disabled/);
    const [settings] = await store.query<Record<string, unknown>>(
      `SELECT current_setting('enable_external_access') AS external, current_setting('autoinstall_known_extensions') AS install,
              current_setting('autoload_known_extensions') AS load, current_setting('lock_configuration') AS locked,
              current_setting('temp_directory') AS temp`,
    );
    expect(settings).toMatchObject({ external: false, install: false, load: false, locked: true });
    // Spills go to the data directory's tmp/, in a folder of this process's own.
    expect(String(settings!.temp)).toMatch(new RegExp(`^${path.join(h.dataDir, "tmp", "duckdb-")}${process.pid}-\\d+$`));
  });

  it("has a memory limit: LOOPWRIGHT_DUCKDB_MEMORY_LIMIT, else half the machine's memory", () => {
    expect(duckdbMemoryLimit({ LOOPWRIGHT_DUCKDB_MEMORY_LIMIT: "3GB" })).toBe("3GB");
    const mib = Number(/^(\d+)MiB$/.exec(duckdbMemoryLimit({}))![1]);
    expect(mib * 2 ** 20).toBeLessThanOrEqual(os.totalmem() / 2);
    expect(mib).toBeGreaterThanOrEqual(256);
  });

  it("sweeps the spill folders of processes that died, and keeps this process's", async () => {
    const tmp = path.join(h.dataDir, "tmp");
    mkdirSync(tmp, { recursive: true });
    // A process id that was in use and is not any more.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    mkdirSync(path.join(tmp, `duckdb-${dead}-1`));
    writeFileSync(path.join(tmp, `duckdb-${dead}-1`, "duckdb_temp_storage_DEFAULT-0.tmp"), "spill");
    mkdirSync(path.join(tmp, `duckdb-${process.pid}-99`));
    expect(await sweepScratch(h.dataDir)).toBe(1);
    expect(readdirSync(tmp)).toEqual([`duckdb-${process.pid}-99`]);
  });
});
