// The `loopwright` command with API keys: refused without one (saying how to get one), refused
// with a revoked one, working with an editor's; roles enforced for keys; `admin create` on a fresh
// data directory; connections created, listed and tested through the app with an admin's key.
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { access, audit, openSqliteStore } from "../db/store";
import { freePort } from "../lib/dev-server";
import { projectRoot } from "../lib/paths";
import { sha256 } from "../server/access";
import { writeFlow } from "./flows";
import { apiKey, lastJsonLine, runCli, testEnv, type CliResult } from "./support";

/** A line of a Node stack trace ("    at fn (file:line:col)"). */
const STACK_LINE = /^\s+at .+[:(]/m;

const scratchDir = (prefix: string) => mkdtempSync(path.join(inject("dataDir"), prefix));
const asRole = (role: "viewer" | "editor" | "admin") => testEnv({ LOOPWRIGHT_API_KEY: apiKey(role) });
const withoutKey = () => testEnv({ LOOPWRIGHT_API_KEY: "" });

/** The smallest example flow (a CSV, a filter and two aggregates), under its own id. */
function tinyFlow(id: string): string {
  const flow = JSON.parse(readFileSync(path.join(projectRoot, "examples", "flows", "hillstrom-visits.flow.json"), "utf8"));
  return writeFlow(id, { ...flow, id, name: `Hillstrom visits (${id})` });
}

/** runCli with text on standard input. */
function runCliWithInput(args: string[], env: NodeJS.ProcessEnv, input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(projectRoot, "bin", "loopwright.mjs"), ...args], { cwd: projectRoot, env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    proc.on("error", reject);
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
    proc.stdin.end(input);
  });
}

function expectHowToGetAKey(res: CliResult) {
  expect(res.code, res.stdout + res.stderr).toBe(1);
  expect(res.stdout).toBe("");
  expect(res.stderr).toContain("Loopwright needs an API key");
  expect(res.stderr).toContain("Account > API keys");
  expect(res.stderr).toContain("loopwright keys create --role editor");
  expect(res.stderr).toContain("loopwright admin create");
  expect(res.stderr).toContain("set LOOPWRIGHT_API_KEY");
  expect(res.stderr).not.toMatch(STACK_LINE);
}

describe("loopwright with and without an API key", () => {
  it("refuses `run` without a key, saying how to create one", async () => {
    expectHowToGetAKey(await runCli(["run", tinyFlow("cli-access-nokey"), "--json"], withoutKey()));
  });

  it("refuses `upload` without a key the same way", async () => {
    const file = path.join(scratchDir("cli-access-"), "few.csv");
    writeFileSync(file, "id\n1\n");
    expectHowToGetAKey(await runCli(["upload", file], withoutKey()));
  });

  it("refuses a revoked key with the server's message", async () => {
    const made = await runCli(["keys", "create", "--role", "editor", "--name", "soon revoked", "--json"], asRole("editor"));
    expect(made.code, made.stderr).toBe(0);
    const { id, key, prefix } = lastJsonLine(made.stdout);
    expect(key).toMatch(/^lw_/);

    const revoked = await runCli(["keys", "revoke", id], asRole("editor"));
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain(`Revoked API key "soon revoked" (${prefix}...`);

    const res = await runCli(["run", tinyFlow("cli-access-revoked"), "--json"], testEnv({ LOOPWRIGHT_API_KEY: key }));
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr).toContain(`The API key "soon revoked" (${prefix}...) was revoked`);
    expect(res.stderr).not.toMatch(STACK_LINE);
  });

  it("runs a flow with an editor's key", { timeout: 180_000 }, async () => {
    const res = await runCli(["run", tinyFlow("cli-access-editor"), "--json"], asRole("editor"));
    expect(res.code, res.stdout + res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    expect(summary.status).toBe("succeeded");
    expect(summary.nodes.map((n: { id: string }) => n.id).sort()).toEqual(["by-segment", "customers", "emailed", "emailed-rate"]);
  });

  it("refuses an admin key to an editor, naming the role", async () => {
    const res = await runCli(["keys", "create", "--role", "admin"], asRole("editor"));
    expect(res.code).toBe(1);
    expect(res.stdout).toBe("");
    expect(res.stderr.trim()).toMatch(/is an? editor and cannot create a key with the admin role$/);
  });

  it("prints a new key alone on stdout, for $(...)", async () => {
    const res = await runCli(["keys", "create", "--role", "viewer", "--name", "stdout only"], asRole("editor"));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/^lw_[\w-]{40,}\n$/);
    expect(res.stderr).toContain('Created API key "stdout only" (viewer role');
    const list = await runCli(["keys", "list"], testEnv({ LOOPWRIGHT_API_KEY: res.stdout.trim() }));
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+KEY\s+CREATED\s+LAST USED\s+STATUS$/m);
    expect(list.stdout).toMatch(/stdout only\s+viewer\s+lw_\S{7}\.\.\./);
  });
});

describe("loopwright admin create (on the server machine, no web app)", () => {
  it("creates an admin with a key on a fresh data directory, and refuses the same e-mail twice", async () => {
    const dir = scratchDir("cli-admin-");
    // Its own data directory, whatever store the tests run on.
    const env = testEnv({ LOOPWRIGHT_DATA_DIR: dir, DATABASE_URL: "", LOOPWRIGHT_URL: "http://127.0.0.1:9" });
    delete env.LOOPWRIGHT_API_KEY;

    const first = await runCli(["admin", "create", "--email", "Root@Example.com", "--name", "Root Admin"], env);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout).toContain(`Created admin root@example.com (Root Admin) in ${path.join(dir, "loopwright.sqlite")}`);
    const password = /^Password: (\S+)$/m.exec(first.stdout)?.[1];
    const key = /^API key:\s+(lw_\S+)$/m.exec(first.stdout)?.[1];
    expect(password?.length).toBeGreaterThanOrEqual(20);
    expect(key).toBeDefined();

    // A second admin, its password from standard input: not printed back.
    const second = await runCliWithInput(["admin", "create", "--email", "ops@example.com", "--name", "Ops", "--password-stdin", "--json"], env, "correct horse battery\n");
    expect(second.code, second.stderr).toBe(0);
    const made = JSON.parse(second.stdout);
    expect(made).toMatchObject({ email: "ops@example.com", role: "admin" });
    expect(made.apiKey).toMatch(/^lw_/);
    expect(made).not.toHaveProperty("password");

    const again = await runCli(["admin", "create", "--email", "root@example.com", "--name", "Root again"], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("root@example.com already has an account");
    expect(again.stderr).not.toMatch(STACK_LINE);

    const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
    try {
      const found = await access.keyByHash(store, sha256(key!));
      expect(found?.user).toMatchObject({ email: "root@example.com", role: "admin" });
      expect(found?.key.role).toBe("admin");
      expect(await access.userCount(store)).toBe(2);
      const created = (await audit.list(store)).filter((e) => e.action === "user.create");
      expect(created.map((e) => [e.target, e.detail])).toEqual(
        expect.arrayContaining([
          ["root@example.com", { role: "admin", via: "cli" }],
          ["ops@example.com", { role: "admin", via: "cli" }],
        ]),
      );
    } finally {
      await store.close();
    }
  });
});

describe("loopwright connections", () => {
  it("creates, lists, tests and removes connections with an admin's key", async () => {
    const suffix = Date.now().toString(36);
    const sqliteName = `crm-${suffix}`;
    const pgName = `warehouse-${suffix}`;
    const file = path.join(scratchDir("cli-conn-"), "crm.sqlite");
    const db = new Database(file);
    db.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)");
    db.close();
    const port = await freePort();

    const sqlite = await runCli(["connections", "create", "--name", sqliteName, "--kind", "sqlite", "--field", `file=${file}`], asRole("admin"));
    expect(sqlite.code, sqlite.stderr).toBe(0);
    expect(sqlite.stdout).toContain(`Created connection "${sqliteName}" (sqlite)`);

    const pg = await runCliWithInput(
      ["connections", "create", "--name", pgName, "--kind", "postgres", "--field", "host=127.0.0.1", "--field", `port=${port}`, "--field", "database=dw", "--field", "user=loader", "--secret-stdin", "password"],
      asRole("admin"),
      "not-a-real-password\n",
    );
    expect(pg.code, pg.stderr).toBe(0);
    expect(pg.stdout).toContain(`Created connection "${pgName}" (postgres) for 127.0.0.1; secrets kept encrypted: password`);

    const list = await runCli(["connections", "list"], asRole("admin"));
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${sqliteName}\\s+sqlite\\s`, "m"));
    expect(list.stdout).toMatch(new RegExp(`^${pgName}\\s+postgres\\s+127\\.0\\.0\\.1\\s+password\\s+never$`, "m"));
    expect(list.stdout).not.toContain("not-a-real-password");

    // Editors see names, kinds and hosts.
    const asEditor = await runCli(["connections", "list", "--json"], asRole("editor"));
    expect(asEditor.code, asEditor.stderr).toBe(0);
    expect(JSON.parse(asEditor.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: pgName, kind: "postgres", hosts: ["127.0.0.1"] })]));

    const works = await runCli(["connections", "test", sqliteName], asRole("admin"));
    expect(works.code, works.stdout + works.stderr).toBe(0);
    expect(works.stdout).toContain(`Connection "${sqliteName}" (sqlite) works: opened ${file} read-only: 1 table`);

    const refused = await runCli(["connections", "test", pgName], asRole("admin"));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Connection "${pgName}" (postgres) failed:`);
    expect(refused.stderr).toContain("refused");
    expect(refused.stderr).not.toContain("not-a-real-password");

    const removed = await runCli(["connections", "remove", sqliteName], asRole("admin"));
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`Removed connection "${sqliteName}" (sqlite)`);
    const gone = await runCli(["connections", "test", sqliteName], asRole("admin"));
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain(`No connection named "${sqliteName}"`);
  });

  it("refuses connection changes to an editor, naming the role", async () => {
    const res = await runCli(["connections", "create", "--name", "nope", "--kind", "sqlite", "--field", "file=/tmp/x.sqlite"], asRole("editor"));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/is an? editor; .* needs the admin role/);
  });
});

describe("loopwright sources", () => {
  it("creates a source and prints its write key once, lists it without the key, revokes it; editors are refused", async () => {
    const name = `shop-${Date.now().toString(36)}`;
    const created = await runCli(["sources", "create", "--name", name], asRole("admin"));
    expect(created.code, created.stderr).toBe(0);
    const writeKey = created.stdout.trim();
    expect(writeKey).toMatch(/^wk_[\w-]{20,}$/);
    const list = await runCli(["sources", "list"], asRole("admin"));
    expect(list.stdout).toMatch(new RegExp(`^${name}\\s+${writeKey.slice(0, 9)}`, "m"));
    expect(list.stdout).not.toContain(writeKey);
    const revoked = await runCli(["sources", "revoke", name], asRole("admin"));
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await runCli(["sources", "create", "--name", `${name}-2`], asRole("editor"))).stderr).toMatch(/needs the admin role/);
  });
});
