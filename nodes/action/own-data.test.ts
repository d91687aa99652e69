// Flows never reach Loopwright's own data by path (issue 11, hardening 3). The attack, as it worked
// before: write-table into the data directory's loopwright.sqlite to add a `files` row pointing at
// a secret outside every root, then read that "upload" back through a CSV source by its id.
import Database from "better-sqlite3";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connections, files } from "../../db/store";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, NotFoundError, type DatasetRef } from "../sdk";
import csvFile from "../source/csv-file.node.ts";
import writeTable from "./write-table.node.ts";

let h: Harness;
let outside: string;
let secret: string;

beforeAll(() => {
  h = harness();
  outside = mkdtempSync(path.join(os.tmpdir(), "loopwright-secret-"));
  secret = path.join(outside, "id_rsa.csv");
  writeFileSync(secret, "key\nPRIVATE KEY MATERIAL\n");
});
afterAll(async () => {
  await h.close();
  rmSync(outside, { recursive: true, force: true });
});

const forgedRow = (id: string, at: string) =>
  h.ctx("setup").datasets.create(`SELECT '${id}' AS id, 'innocent.csv' AS name, '${at.replace(/'/g, "''")}' AS path, 10 AS bytes, 0 AS created_at`);

describe("a flow and Loopwright's own data", () => {
  it("cannot write rows into the control database", async () => {
    const rows = await forgedRow("file_forged", secret);
    // write-table takes a connection or a plain file name in the exports folder, never a path.
    const byPath = await failure(h.run(writeTable, { file: "../loopwright.sqlite", table: "files", keys: ["id"] }, { rows }));
    expect(byPath).toBeInstanceOf(ConfigError);
    expect(byPath.where).toBe("file");
    // A SQLite connection made to point at it (bypassing the admin form's check) is refused when used.
    await connections.create(h.store, { name: "control", kind: "sqlite", config: { file: path.join(h.dataDir, "loopwright.sqlite") }, secret: null, hosts: [], plainHttpHosts: [] });
    const byConnection = await failure(h.run(writeTable, { connection: "control", table: "files", keys: ["id"] }, { rows }));
    expect(byConnection).toBeInstanceOf(ConfigError);
    expect(byConnection.message).toContain("points at Loopwright's own data");
    // Nothing reached the database.
    const raw = new Database(path.join(h.dataDir, "loopwright.sqlite"), { readonly: true });
    expect(raw.prepare("SELECT count(*) AS n FROM files WHERE id = 'file_forged'").get()).toEqual({ n: 0 });
    raw.close();
  });

  it("cannot read or write the Temporal database, logs, scratch files or the stores by path", async () => {
    for (const inside of ["temporal/temporal.db", "logs/temporal.log", "tmp/x.csv", "loopwright.sqlite-wal", "uploads/file_x.csv", "datasets/ds_x.parquet", "models/m.json"]) {
      const err = await failure(h.run(csvFile, { path: path.join(h.dataDir, inside) }));
      expect(err, inside).toBeInstanceOf(ConfigError);
      expect(err.message, inside).toContain("is part of Loopwright's own data");
    }
    // The data directory itself stays usable for a flow's own files.
    writeFileSync(path.join(h.dataDir, "mine.csv"), "a\n1\n");
    expect(((await h.run(csvFile, { path: path.join(h.dataDir, "mine.csv") })).outputs.rows as DatasetRef).rows).toBe(1);
  });

  it("cannot read the project folder's code and settings, only its examples", async () => {
    for (const file of ["package.json", "db/schema/sqlite.ts", "next.config.js", "../main/package.json"]) {
      const err = await failure(h.run(csvFile, { path: file }));
      expect(err, file).toBeInstanceOf(ConfigError);
      expect(err.message, file).toContain("is outside the folders flows may use");
    }
    const example = await h.run(csvFile, { path: "examples/data/telco-customer-churn.csv" });
    expect((example.outputs.rows as DatasetRef).rows).toBe(7043);
  });

  it("does not follow an upload record that points outside the uploads folder", async () => {
    await files.record(h.store, { id: "file_abs", name: "innocent.csv", path: secret, bytes: 10, rows: null, columns: null, format: null });
    await files.record(h.store, { id: "file_up", name: "innocent.csv", path: path.relative(h.dataDir, secret), bytes: 10, rows: null, columns: null, format: null });
    for (const fileId of ["file_abs", "file_up"]) {
      const err = await failure(h.run(csvFile, { fileId }));
      expect(err, fileId).toBeInstanceOf(NotFoundError);
      expect(err.message).toBe(`Uploaded file "${fileId}" is not in the uploads folder, so it is not read`);
    }
  });
});
