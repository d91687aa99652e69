// The ledger's journal against a real SQLite store and a real kill -9: what a node recorded is kept
// when its process dies before the rows reached the table, and the next attempt acts on none of it.
import { spawn } from "node:child_process";
import { appendFileSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ledger } from "../../db/store";
import { openSqliteStore } from "../../db/store/handle";
import { projectRoot } from "../../lib/paths";
import { harness, type Harness } from "../../tests/harness";
import { createNodeContext } from "./context";
import { journalFolder, journalPrefix, sweepJournals } from "./ledger-access";

let h: Harness;
beforeEach(() => {
  h = harness();
});
afterEach(async () => {
  await h.close();
});

const journals = (runId: string, nodeId: string) => {
  try {
    return readdirSync(journalFolder(h.dataDir)).filter((f) => f.startsWith(journalPrefix(runId, nodeId)));
  } catch {
    return [];
  }
};
const rowsOf = async (runId: string) => (await ledger.list(h.store)).filter((r) => r.runId === runId);

/** Records three entries in a process of its own, which then kills itself with SIGKILL before any timer could write them to the table. */
async function recordAndDie(runId: string, nodeId: string): Promise<NodeJS.Signals | null> {
  const script = path.join(h.dataDir, "record-and-die.mts");
  const url = (p: string) => JSON.stringify(pathToFileURL(path.join(projectRoot, p)).href);
  writeFileSync(
    script,
    `import { openSqliteStore } from ${url("db/store/handle.ts")};
import { createNodeContext } from ${url("workflows/activities/context.ts")};
const dir = ${JSON.stringify(h.dataDir)};
const store = openSqliteStore(dir + "/loopwright.sqlite");
const ctx = createNodeContext({ dataDir: dir, sharedDir: dir, store, runId: ${JSON.stringify(runId)}, nodeId: ${JSON.stringify(nodeId)}, log: { info() {}, warn() {}, error() {} } });
await ctx.ledger.record([{ customer: "a", channel: "email", status: "sent", providerId: "<a@x>" }]);
await ctx.ledger.record([{ customer: "b", channel: "email", status: "failed", reason: "busy" }, { customer: "c", channel: "email", status: "suppressed", reason: "no consent" }]);
await ctx.ledger.record([{ customer: "b", channel: "email", status: "sent", providerId: "<b@x>" }]);
process.kill(process.pid, "SIGKILL");
`,
  );
  const child = spawn(process.execPath, ["--import", pathToFileURL(path.join(projectRoot, "node_modules", "tsx", "dist", "loader.mjs")).href, script], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr.on("data", (d: Buffer) => (err += d));
  const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, s) => resolve(s)));
  if (signal !== "SIGKILL") throw new Error(`the recording process ended without being killed: ${err}`);
  return signal;
}

describe("ledger journal", () => {
  it("keeps what a killed attempt recorded: the next attempt writes it to the table and finds it settled", async () => {
    await recordAndDie("run-1", "mail");
    expect(await rowsOf("run-1")).toEqual([]);
    expect(journals("run-1", "mail")).toHaveLength(1);
    // A crash in the middle of a write leaves a torn last line: it is skipped.
    appendFileSync(path.join(journalFolder(h.dataDir), journals("run-1", "mail")[0]!), '{"rows":[{"key":"run-1:mail:d","sta');

    const retry = h.ctx("mail", { runId: "run-1", attempt: 2 });
    expect([...(await retry.ledger.settled(["a", "b", "c", "d"]))].sort()).toEqual(["a", "b", "c"]);
    const rows = await rowsOf("run-1");
    expect(rows.map((r) => [r.customerId, r.status, r.providerId]).sort()).toEqual([
      ["a", "sent", "<a@x>"],
      ["b", "sent", "<b@x>"],
      ["c", "suppressed", null],
    ]);
    expect(journals("run-1", "mail")).toEqual([]);
  });

  it("leaves other nodes' and runs' journals alone", async () => {
    await recordAndDie("run-2", "mail");
    await h.ctx("other", { runId: "run-2" }).ledger.settled(["a"]);
    await h.ctx("mail", { runId: "run-3" }).ledger.settled(["a"]);
    expect(journals("run-2", "mail")).toHaveLength(1);
    expect(await rowsOf("run-2")).toEqual([]);
  });

  it("counts this attempt's rows as settled before they reach the table, and writes them all by flush", async () => {
    const ctx = h.ctx("hook", { runId: "run-4" });
    await ctx.ledger.record([{ customer: "x", channel: "webhook", status: "sent" }]);
    await ctx.ledger.record([{ customer: "y", channel: "webhook", status: "failed", reason: "503" }]);
    await ctx.ledger.record([{ customer: "z", channel: "webhook", status: "suppressed", reason: "deferred to 2026-12-03T07:00:00.000Z (quiet hours)" }]);
    expect([...(await ctx.ledger.settled(["x", "y", "z"]))]).toEqual(["x"]);
    await ctx.ledger.flush();
    expect((await rowsOf("run-4")).map((r) => [r.customerId, r.status]).sort()).toEqual([
      ["x", "sent"],
      ["y", "failed"],
      ["z", "suppressed"],
    ]);
    expect(journals("run-4", "hook")).toEqual([]);
  });

  it("keeps the journal when the table cannot be written, and fails the node's flush with the reason", async () => {
    const file = path.join(h.dataDir, "loopwright.sqlite");
    const down = openSqliteStore(file);
    const ctx = createNodeContext({ dataDir: h.dataDir, sharedDir: h.dataDir, store: down, runId: "run-5", nodeId: "mail", log: { info() {}, warn() {}, error() {} } });
    await ctx.ledger.record([{ customer: "a", channel: "email", status: "sent" }]);
    await down.close();
    await expect(ctx.ledger.flush()).rejects.toThrow(/not open/);
    expect(journals("run-5", "mail")).toHaveLength(1);
    expect(await h.ctx("mail", { runId: "run-5", attempt: 2 }).ledger.settled(["a", "b"])).toEqual(new Set(["a"]));
    expect(journals("run-5", "mail")).toEqual([]);
  });
});

describe("sweepJournals", () => {
  it("writes the journals of attempts nobody retried to the table once they are old enough, and leaves fresh ones", async () => {
    await recordAndDie("run-6", "mail");
    expect(await sweepJournals(h.store, h.dataDir)).toBe(0);
    expect(journals("run-6", "mail")).toHaveLength(1);
    const old = new Date(Date.now() - 11 * 60_000);
    utimesSync(path.join(journalFolder(h.dataDir), journals("run-6", "mail")[0]!), old, old);
    expect(await sweepJournals(h.store, h.dataDir)).toBe(1);
    expect((await rowsOf("run-6")).map((r) => [r.customerId, r.status]).sort()).toEqual([
      ["a", "sent"],
      ["b", "sent"],
      ["c", "suppressed"],
    ]);
    expect(journals("run-6", "mail")).toEqual([]);
  });
});
