// Static guardrails as tests: the whole tree type-checks and lints clean (warnings are fine), and
// the architectural lint rules in eslint.config.js really bite (a rule that silently matches no
// file would otherwise pass forever).
import { execFile } from "node:child_process";
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");
const bin = (name: string) => path.join(root, "node_modules", ".bin", name);

/** Runs a tool from the project root; resolves with its exit code and everything it printed. */
function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: root, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, FORCE_COLOR: "0" } }, (err, stdout, stderr) => {
      if (err && typeof err.code !== "number") return reject(err); // not started, or killed
      resolve({ code: err ? (err.code as number) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

describe("static checks", () => {
  it("tsc --noEmit reports no errors", async () => {
    const { code, output } = await run(bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
    if (code !== 0) expect.fail(`tsc --noEmit exited with ${code}:\n${output}`);
  }, 600_000);

  it("eslint . reports no errors", async () => {
    const { code, output } = await run(bin("eslint"), ["."]);
    if (code !== 0) expect.fail(`eslint . exited with ${code}:\n${output}`);
  }, 600_000);
});

describe("imports", () => {
  it("name node files with their .ts extension (a bare .node is read by Node as a native addon, and fails outside the bundler)", async () => {
    const { output } = await run("git", ["grep", "-nE", String.raw`from "[^"]+\.node"`, "--", "*.ts", "*.tsx"]);
    expect(output).toBe("");
  });
});

describe("lint rules bite", () => {
  const eslint = new ESLint({ cwd: root });

  /** Lints `code` as if it were the file at `filePath`; returns "rule: message" for each error. */
  async function errors(code: string, filePath: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
  }

  it("no drizzle-orm outside db/", async () => {
    const code = `import { eq } from "drizzle-orm";\nimport type { SQLiteTable } from "drizzle-orm/sqlite-core";\nexport const f = (t: SQLiteTable) => [eq, t];\n`;
    for (const file of ["server/x.ts", "app/x.tsx", "workflows/activities/x.ts", "tests/x.test.ts", "nodes/source/sql-read.ts", "lib/postgres-test-server.ts"]) {
      const found = await errors(code, file);
      expect(found, file).toHaveLength(2);
      expect(found[0], file).toMatch(/^no-restricted-imports: 'drizzle-orm'/);
    }
    expect(await errors(code, "db/x.ts")).toEqual([]);
  }, 120_000);

  it("database drivers only in db/, the SQL nodes and tests", async () => {
    const code = `import Database from "better-sqlite3";\nimport pg from "pg";\nexport const x = [Database, pg];\n`;
    expect(await errors(code, "server/x.ts")).toHaveLength(2);
    expect(await errors(code, "nodes/model/x.ts")).toHaveLength(2);
    expect(await errors(code, "nodes/source/sql-read.ts")).toEqual([]);
    expect(await errors(code, "nodes/x/y.test.ts")).toEqual([]);
  }, 120_000);

  it("nodes import only nodes/sdk, nodes/ subfolders and packages", async () => {
    const bad = `import { dataDir } from "../../lib/paths";\nexport const x = dataDir;\n`;
    const found = await errors(bad, "nodes/source/x.node.ts");
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^loopwright\/import-boundary: A node may not import '..\/..\/lib\/paths'/);
    expect(await errors(`import { dataDir } from "@/lib/paths";\nexport const x = dataDir;\n`, "nodes/model/x.ts")).toHaveLength(1);
    expect(await errors(`import { loadRegistry } from "../registry";\nexport const x = loadRegistry;\n`, "nodes/action/x.node.ts")).toHaveLength(1);

    const good = `import { z } from "zod";\nimport { defineNode } from "../sdk";\nimport { toNumber } from "../model/features";\nimport { readFile } from "node:fs/promises";\nexport const x = [z, defineNode, toNumber, readFile];\n`;
    expect(await errors(good, "nodes/source/x.node.ts")).toEqual([]);
    expect(await errors(bad, "nodes/source/x.test.ts")).toEqual([]);
  }, 120_000);

  it("nodes/sdk imports only zod and its own files", async () => {
    expect(await errors(`import { z } from "zod";\nimport type { T } from "./types";\nexport const x = z as unknown as T;\n`, "nodes/sdk/x.ts")).toEqual([]);
    const found = await errors(`import { createHash } from "node:crypto";\nimport { f } from "../model/features";\nexport const x = [createHash, f];\n`, "nodes/sdk/x.ts");
    expect(found).toHaveLength(2);
  }, 120_000);

  // Type-aware rules need a file the TypeScript project knows, so these lint new text under the
  // name of an existing workflow file.
  it("workflow code: no Node built-ins, activities or db/, no floating promises", async () => {
    const code = [
      `import { sleep } from "@temporalio/workflow";`,
      `import { readFileSync } from "node:fs";`,
      `import { join } from "path";`,
      `import { createActivities } from "../activities/run-node";`,
      `import type { Activities } from "../activities/run-node";`,
      `import { openDb } from "../../db/client";`,
      `export const used = [readFileSync, join, createActivities, openDb];`,
      `export type A = Activities;`,
      `export async function wf(): Promise<void> {`,
      `  sleep(1000);`,
      `  await sleep(1000);`,
      `}`,
      ``,
    ].join("\n");
    const found = await errors(code, "workflows/graph/plan.ts");
    expect(found.filter((m) => m.startsWith("@typescript-eslint/no-restricted-imports: "))).toHaveLength(4);
    expect(found.filter((m) => m.includes("'node:fs'") || m.includes("'path'"))).toHaveLength(2);
    expect(found.filter((m) => m.startsWith("@typescript-eslint/no-floating-promises: "))).toHaveLength(1);
    expect(found).toHaveLength(5);

    // Activities and the worker run in plain Node.
    expect(await errors(`import { readFileSync } from "node:fs";\nexport const x = readFileSync;\n`, "workflows/activities/x.ts")).toEqual([]);
  }, 300_000);
});
