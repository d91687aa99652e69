// Files on disk: the data directory is the app's user's alone (0700) and what is written in it is
// 0600 — the control database, datasets, uploads and model artifacts.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreModelRegistry } from "../db/model-registry";
import { openSqliteStore } from "../db/store/handle";
import { dataDir, dataDirPath, dbPath, privateDir, sharedDir, sharedDirPath } from "./paths";

const mode = (p: string) => statSync(p).mode & 0o777;

let base: string;
const saved = { data: process.env.LOOPWRIGHT_DATA_DIR, shared: process.env.LOOPWRIGHT_SHARED_DIR };

beforeEach(() => {
  base = mkdtempSync(path.join(os.tmpdir(), "loopwright-paths-"));
});

afterEach(() => {
  for (const [key, value] of [
    ["LOOPWRIGHT_DATA_DIR", saved.data],
    ["LOOPWRIGHT_SHARED_DIR", saved.shared],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  rmSync(base, { recursive: true, force: true });
});

describe("the data directory", () => {
  it("is created 0700, missing parents included", () => {
    process.env.LOOPWRIGHT_DATA_DIR = path.join(base, "srv", "loopwright");
    expect(dataDirPath()).toBe(path.join(base, "srv", "loopwright"));
    expect(dataDir()).toBe(path.join(base, "srv", "loopwright"));
    expect(mode(path.join(base, "srv", "loopwright"))).toBe(0o700);
    expect(mode(path.join(base, "srv"))).toBe(0o700);
  });

  it("is narrowed to 0700 when it already exists with wider modes", () => {
    const dir = path.join(base, "old");
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    process.env.LOOPWRIGHT_DATA_DIR = dir;
    dataDir();
    expect(mode(dir)).toBe(0o700);
    // Narrowing never widens: an owner-only read-only folder stays as it is.
    const readOnly = path.join(base, "ro");
    mkdirSync(readOnly);
    chmodSync(readOnly, 0o500);
    privateDir(readOnly, true);
    expect(mode(readOnly)).toBe(0o500);
    chmodSync(readOnly, 0o700);
  });

  it("gives a new shared folder 0700 and leaves an existing shared mount's modes alone", () => {
    process.env.LOOPWRIGHT_DATA_DIR = path.join(base, "data");
    process.env.LOOPWRIGHT_SHARED_DIR = path.join(base, "shared");
    expect(sharedDirPath()).toBe(path.join(base, "shared"));
    expect(sharedDir()).toBe(path.join(base, "shared"));
    expect(mode(path.join(base, "shared"))).toBe(0o700);

    const mount = path.join(base, "mount");
    mkdirSync(mount);
    chmodSync(mount, 0o770); // group access an admin set up for workers on other machines
    process.env.LOOPWRIGHT_SHARED_DIR = mount;
    sharedDir();
    expect(mode(mount)).toBe(0o770);
  });
});

describe("files written in the data directory", () => {
  it("are 0600: the SQLite database with its WAL files, and model artifacts", async () => {
    process.env.LOOPWRIGHT_DATA_DIR = path.join(base, "data");
    const dir = dataDir();
    const store = openSqliteStore(dbPath(dir));
    try {
      const registry = new StoreModelRegistry(store, dir, { runId: "run-1", nodeId: "train" });
      const ref = await registry.save({ name: "churn", kind: "logistic", metrics: { auc: 0.8 }, artifact: { weights: [1, 2, 3] } });
      for (const file of [dbPath(dir), `${dbPath(dir)}-wal`, `${dbPath(dir)}-shm`, path.join(dir, "models", `${ref.id}.json`)]) {
        expect(mode(file), file).toBe(0o600);
      }
    } finally {
      await store.close();
    }
  });

  it("narrows a SQLite database made before (0644) when it is opened", async () => {
    const file = path.join(base, "old.sqlite");
    const first = openSqliteStore(file);
    await first.close();
    chmodSync(file, 0o644);
    const again = openSqliteStore(file);
    try {
      expect(mode(file)).toBe(0o600);
    } finally {
      await again.close();
    }
  });
});
