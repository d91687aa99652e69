// The model registry on a real store (SQLite file) with artifacts as files: versions, statuses,
// load semantics, the migrations' backfills, and saves from several processes at once.
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../nodes/sdk";
import { projectRoot } from "../lib/paths";
import { ModelStatusError, StoreModelRegistry } from "./model-registry";
import type { Store } from "./store";
import { openSqliteStore } from "./store/handle";

let dir: string;
let store: Store;
/** A second connection for looking at the rows themselves. */
let db: { $client: Database.Database };
let registry: StoreModelRegistry;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-model-registry-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  db = { $client: new Database(path.join(dir, "loopwright.sqlite")) };
  registry = new StoreModelRegistry(store, dir, { runId: "run_1", nodeId: "train" });
});

afterAll(async () => {
  db?.$client.close();
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  db.$client.prepare("DELETE FROM models").run();
});

const save = (name: string, extra: Partial<Parameters<StoreModelRegistry["save"]>[0]> = {}) =>
  registry.save({ name, kind: "binary-classifier/brainjs", metrics: { rocAuc: 0.8 }, artifact: { net: { sizes: [3] } }, ...extra });

const statuses = (name: string) =>
  db.$client.prepare("SELECT version, status FROM models WHERE name = ? ORDER BY version").all(name) as { version: number; status: string }[];

async function rejection(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe("StoreModelRegistry", () => {
  it("writes the artifact as a file in the shared folder and keeps only its path in the store", async () => {
    const ref = await save("files", { artifact: { net: { sizes: [3, 1] }, note: "weights" } });
    const row = db.$client.prepare("SELECT artifact, artifact_path FROM models WHERE id = ?").get(ref.id) as { artifact: string | null; artifact_path: string };
    expect(row.artifact).toBeNull();
    expect(row.artifact_path).toBe(path.join("models", `${ref.id}.json`));
    expect(JSON.parse(readFileSync(path.join(dir, row.artifact_path), "utf8"))).toEqual({ net: { sizes: [3, 1] }, note: "weights" });
    expect((await registry.load({ id: ref.id })).artifact).toEqual({ net: { sizes: [3, 1] }, note: "weights" });

    // A missing artifact file is named, not a crash.
    rmSync(path.join(dir, row.artifact_path));
    expect((await rejection(registry.load({ id: ref.id }))).message).toBe(`The artifact of version 1 of model "files" (${row.artifact_path}) is missing from the shared folder`);
  });

  it("still loads a model saved before artifacts moved to files", async () => {
    db.$client
      .prepare("INSERT INTO models (id, name, version, kind, metrics, artifact, status, created_at) VALUES ('old', 'legacy', 1, 'k', '{}', ?, 'current', 1)")
      .run(JSON.stringify({ net: { sizes: [2] } }));
    expect((await registry.load({ name: "legacy" })).artifact).toEqual({ net: { sizes: [2] } });
  });

  it("numbers versions per name and makes only the first of a name current", async () => {
    const a1 = await save("churn", { datasetId: "ds_train" });
    const a2 = await save("churn");
    const b1 = await save("uplift");
    const a3 = await save("churn");
    expect([a1.version, a2.version, a3.version, b1.version]).toEqual([1, 2, 3, 1]);
    expect(a1).toMatchObject({ kind: "model", name: "churn" });
    expect(statuses("churn")).toEqual([
      { version: 1, status: "current" },
      { version: 2, status: "candidate" },
      { version: 3, status: "candidate" },
    ]);
    expect(statuses("uplift")).toEqual([{ version: 1, status: "current" }]);

    const first = await registry.load({ id: a1.id });
    expect(first).toMatchObject({ ref: a1, status: "current", datasetId: "ds_train", runId: "run_1", nodeId: "train", metrics: { rocAuc: 0.8 } });
    expect(typeof first.createdAt).toBe("number");
  });

  it("stores the input schema it is given, keeping name and type only", async () => {
    const withSchema = await save("churn", {
      inputSchema: [{ name: "tenure", type: "BIGINT", extra: 1 } as never, { name: "Contract", type: "VARCHAR" }],
    });
    expect((await registry.load({ id: withSchema.id })).inputSchema).toEqual([
      { name: "tenure", type: "BIGINT" },
      { name: "Contract", type: "VARCHAR" },
    ]);
    expect(JSON.parse((db.$client.prepare("SELECT input_schema FROM models WHERE id = ?").get(withSchema.id) as { input_schema: string }).input_schema)).toEqual([
      { name: "tenure", type: "BIGINT" },
      { name: "Contract", type: "VARCHAR" },
    ]);

    // Without one, a classifier's artifact still names its inputs (types unknown); anything else has none.
    const classifier = await save("churn", { artifact: { net: {}, features: { version: 1, inputs: ["tenure", "gender"], features: [], names: [] } } });
    expect((await registry.load({ id: classifier.id })).inputSchema).toEqual([
      { name: "tenure", type: null },
      { name: "gender", type: null },
    ]);
    // The store keeps the names the artifact gives, so lists never read artifacts.
    expect(JSON.parse((db.$client.prepare("SELECT input_schema FROM models WHERE id = ?").get(classifier.id) as { input_schema: string }).input_schema)).toEqual([
      { name: "tenure", type: null },
      { name: "gender", type: null },
    ]);
    const other = await save("uplift", { artifact: { weights: [1] } });
    expect((await registry.load({ id: other.id })).inputSchema).toBeNull();

    await expect(save("bad", { inputSchema: [{ name: "", type: "DOUBLE" }] })).rejects.toThrow("inputSchema[0] needs a column name");
    await expect(registry.load({ name: "bad" })).rejects.toBeInstanceOf(NotFoundError);
  });

  it("promotes in one step: the new one current, the previous one a candidate", async () => {
    await save("churn");
    await save("churn");
    await save("churn");
    const swap = await registry.promote("churn", 3);
    expect(swap.current).toMatchObject({ name: "churn", version: 3 });
    expect(swap.previous).toMatchObject({ name: "churn", version: 1 });
    expect(statuses("churn")).toEqual([
      { version: 1, status: "candidate" },
      { version: 2, status: "candidate" },
      { version: 3, status: "current" },
    ]);
    expect((await registry.current("churn"))?.ref.version).toBe(3);

    // Promoting the current one again changes nothing.
    expect(await registry.promote("churn", 3)).toMatchObject({ current: { version: 3 }, previous: null });
    expect(statuses("churn").filter((s) => s.status === "current")).toEqual([{ version: 3, status: "current" }]);

    // A new version after a promotion stays a candidate.
    await save("churn");
    expect(statuses("churn").at(-1)).toEqual({ version: 4, status: "candidate" });
  });

  it("archives candidates, refuses the current one, and brings an archived one back by promoting it", async () => {
    await save("churn");
    await save("churn");
    expect(await registry.archive("churn", 2)).toMatchObject({ name: "churn", version: 2 });
    expect(await registry.archive("churn", 2)).toMatchObject({ version: 2 }); // again: nothing changes

    const refused = await rejection(registry.archive("churn", 1));
    expect(refused).toBeInstanceOf(ModelStatusError);
    expect(refused.message).toBe('version 1 of model "churn" is the current one, so it cannot be archived; make another version current first');
    expect(statuses("churn")).toEqual([
      { version: 1, status: "current" },
      { version: 2, status: "archived" },
    ]);

    await registry.promote("churn", 2);
    expect(statuses("churn")).toEqual([
      { version: 1, status: "candidate" },
      { version: 2, status: "current" },
    ]);
  });

  it("loads by name: the current version, not the newest", async () => {
    await save("churn");
    await save("churn");
    await save("churn");
    expect((await registry.load({ name: "churn" })).ref.version).toBe(1);
    await registry.promote("churn", 2);
    const byName = await registry.load({ name: "churn" });
    expect(byName).toMatchObject({ ref: { name: "churn", version: 2 }, status: "current" });
    expect((await registry.current("churn"))?.ref).toEqual(byName.ref);
  });

  it("loads by name without a current version: the newest that is not archived, never an archived one", async () => {
    await save("churn");
    await save("churn");
    await save("churn");
    await registry.archive("churn", 3);
    // As the table might hold it from elsewhere: no version promoted.
    db.$client.prepare("UPDATE models SET status = 'candidate' WHERE name = 'churn' AND status = 'current'").run();
    expect(await registry.current("churn")).toBeNull();
    expect((await registry.load({ name: "churn" })).ref.version).toBe(2);

    await registry.archive("churn", 2);
    await registry.archive("churn", 1);
    const err = await rejection(registry.load({ name: "churn" }));
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err.message).toBe('Every version of model "churn" is archived; give a version to load an archived one');

    // The next save finds no current version, so it becomes current.
    await save("churn");
    expect(statuses("churn").at(-1)).toEqual({ version: 4, status: "current" });
  });

  it("loads a pinned version whatever its status, archived included", async () => {
    const v1 = await save("churn");
    const v2 = await save("churn");
    await registry.archive("churn", 2);
    expect(await registry.load({ name: "churn", version: 2 })).toMatchObject({ ref: v2, status: "archived" });
    expect(await registry.load({ id: v2.id })).toMatchObject({ ref: v2, status: "archived" });
    expect(await registry.load({ name: "churn", version: 1 })).toMatchObject({ ref: v1, status: "current" });
    expect((await registry.load({ name: "churn" })).ref).toEqual(v1);
  });

  it("answers NotFoundError naming the model for anything unknown", async () => {
    await save("churn");
    await save("churn");
    const cases: [Promise<unknown>, string][] = [
      [registry.load({ name: "nope" }), 'No saved model named "nope"'],
      [registry.load({ name: "nope", version: 1 }), 'No saved model named "nope"'],
      [registry.load({ name: "churn", version: 7 }), 'Model "churn" has no version 7 (it has versions 1 to 2)'],
      [registry.load({ id: "mdl_missing" }), "No saved model with id mdl_missing"],
      [registry.promote("churn", 9), 'Model "churn" has no version 9 (it has versions 1 to 2)'],
      [registry.promote("nope", 1), 'No saved model named "nope"'],
      [registry.archive("nope", 1), 'No saved model named "nope"'],
      [registry.current("nope"), 'No saved model named "nope"'],
    ];
    for (const [p, message] of cases) {
      const err = await rejection(p);
      expect(err).toBeInstanceOf(NotFoundError);
      expect(err.message).toBe(message);
    }
    await save("single");
    expect((await rejection(registry.load({ name: "single", version: 2 }))).message).toBe('Model "single" has no version 2 (it has version 1)');
  });

  it("never lets the table hold two current versions of a name", async () => {
    await save("churn");
    await save("churn");
    expect(() => db.$client.prepare("UPDATE models SET status = 'current' WHERE name = 'churn' AND version = 2").run()).toThrow(/UNIQUE/);
  });
});

/** A SQLite file migrated as an older install left it: every migration before the one tagged `upTo`. */
function olderDatabase(file: string, upTo: string): Database.Database {
  const migrations = path.join(projectRoot, "db", "migrations", "sqlite");
  const journal = JSON.parse(readFileSync(path.join(migrations, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(upTo));
  expect(at).toBeGreaterThan(0);
  const older = mkdtempSync(path.join(dir, "older-migrations-"));
  mkdirSync(path.join(older, "meta"));
  writeFileSync(path.join(older, "meta", "_journal.json"), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  for (const e of journal.entries.slice(0, at)) writeFileSync(path.join(older, `${e.tag}.sql`), readFileSync(path.join(migrations, `${e.tag}.sql`)));
  const sqlite = new Database(file);
  migrate(drizzle(sqlite), { migrationsFolder: older });
  return sqlite;
}

async function upgraded<T>(file: string, read: (raw: Database.Database) => T): Promise<T> {
  await openSqliteStore(file).close();
  const raw = new Database(file);
  try {
    return read(raw);
  } finally {
    raw.close();
  }
}

describe("the migrations", () => {
  it("make the newest version of each name saved before the registry current", async () => {
    const file = path.join(dir, "before-registry.sqlite");
    const sqlite = olderDatabase(file, "_model_registry");
    const insert = sqlite.prepare("INSERT INTO models (id, name, version, kind, metrics, artifact) VALUES (?, ?, ?, 'k', '{}', '{}')");
    for (const [id, name, version] of [
      ["a1", "churn", 1],
      ["a2", "churn", 2],
      ["b1", "uplift", 1],
    ] as const)
      insert.run(id, name, version);
    sqlite.close();

    expect(await upgraded(file, (raw) => raw.prepare("SELECT id, status, input_schema FROM models ORDER BY id").all())).toEqual([
      { id: "a1", status: "candidate", input_schema: null },
      { id: "a2", status: "current", input_schema: null },
      { id: "b1", status: "current", input_schema: null },
    ]);
  });

  it("give versions saved before the store their node counts, and old classifiers the inputs their artifacts name", async () => {
    const file = path.join(dir, "before-store.sqlite");
    const sqlite = olderDatabase(file, "_store");
    sqlite.prepare("INSERT INTO flows (id, name, latest_version) VALUES ('f', 'F', 1)").run();
    sqlite.prepare("INSERT INTO flow_versions (id, flow_id, version, graph) VALUES ('f@1', 'f', 1, ?)").run(JSON.stringify({ name: "F", nodes: [{ id: "a" }, { id: "b" }], edges: [] }));
    const artifact = JSON.stringify({ net: {}, features: { inputs: ["tenure", "Contract"] } });
    sqlite.prepare("INSERT INTO models (id, name, version, kind, metrics, artifact, status) VALUES ('m', 'churn', 1, 'k', '{}', ?, 'current')").run(artifact);
    sqlite.close();

    const [version, model] = await upgraded(file, (raw) => [
      raw.prepare("SELECT node_count FROM flow_versions").get(),
      raw.prepare("SELECT input_schema, artifact, artifact_path FROM models").get() as { input_schema: string; artifact: string; artifact_path: null },
    ]);
    expect(version).toEqual({ node_count: 2 });
    expect(JSON.parse(model.input_schema)).toEqual([
      { name: "tenure", type: null },
      { name: "Contract", type: null },
    ]);
    expect(model.artifact).toBe(artifact);
    expect(model.artifact_path).toBeNull();
  });
});

describe("concurrent saves", () => {
  it("give distinct versions and one current version, across processes", async () => {
    const file = path.join(dir, "concurrent.sqlite");
    await openSqliteStore(file).close(); // migrated once, before the writers start
    const script = path.join(dir, "saver.mts");
    // Each writer opens the database, says it is ready, and waits for "go", so the saves overlap.
    writeFileSync(
      script,
      `import { existsSync, writeFileSync } from "node:fs";
import { openSqliteStore } from ${JSON.stringify(path.join(projectRoot, "db", "store", "handle.ts"))};
import { StoreModelRegistry } from ${JSON.stringify(path.join(projectRoot, "db", "model-registry.ts"))};
const [file, name, signals] = process.argv.slice(2);
const store = openSqliteStore(file);
const registry = new StoreModelRegistry(store, signals, { runId: name });
writeFileSync(signals + "/ready-" + name, "");
while (!existsSync(signals + "/go")) await new Promise((r) => setTimeout(r, 5));
const versions: number[] = [];
for (let i = 0; i < 60; i++) {
  versions.push((await registry.save({ name: "churn", kind: "k", metrics: {}, artifact: {} })).version);
  await new Promise((r) => setTimeout(r, 1)); // a save takes microseconds: pause so the writers take turns
}
await store.close();
console.log(JSON.stringify(versions));
`,
    );
    const signals = mkdtempSync(path.join(dir, "signals-"));
    const tsx = path.join(projectRoot, "node_modules", ".bin", "tsx");
    const run = promisify(execFile);
    const writers = ["p1", "p2", "p3"];
    const finished = Promise.all(writers.map((p) => run(tsx, [script, file, p, signals], { cwd: projectRoot })));
    let failed = false;
    finished.catch(() => (failed = true)); // awaited below, where a failed writer fails the test
    const deadline = Date.now() + 60_000;
    while (!failed && !writers.every((p) => existsSync(path.join(signals, `ready-${p}`))) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    writeFileSync(path.join(signals, "go"), "");
    const outputs = await finished;

    const perProcess = outputs.map((o) => JSON.parse(o.stdout.trim().split("\n").at(-1)!) as number[]);
    for (const versions of perProcess) expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(perProcess.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 180 }, (_, i) => i + 1));
    const check = new Database(file);
    try {
      expect(check.prepare("SELECT version FROM models WHERE status = 'current'").all()).toEqual([{ version: 1 }]);
      expect(check.prepare("SELECT count(DISTINCT id) AS n FROM models").get()).toEqual({ n: 180 });
    } finally {
      check.close();
    }
  });

  it("give distinct versions from two store handles in one process", async () => {
    const file = path.join(dir, "two-connections.sqlite");
    const a = openSqliteStore(file);
    const b = openSqliteStore(file);
    try {
      const ra = new StoreModelRegistry(a, dir);
      const rb = new StoreModelRegistry(b, dir);
      const refs = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? ra : rb).save({ name: "m", kind: "k", metrics: {}, artifact: {} })));
      expect(refs.map((r) => r.version).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect((await rb.load({ name: "m" })).ref.version).toBe(1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
