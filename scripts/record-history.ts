// Records the Temporal history of one run of the Telco example flow, for the replay test
// (workflows/replay.test.ts): a history written by the interpreter as it is in this checkout.
// Histories recorded by older interpreters stay in workflows/histories/, so a change that would make a run
// in flight fail on a new worker (a non-deterministic change without `patched`) fails the test.
//
//   TEMPORAL_CLI_PATH=.tools/bin/temporal node --import tsx scripts/record-history.ts workflows/histories/<name>.json
//
// To record an older interpreter: `git worktree add /tmp/old <commit>`, link node_modules into it,
// copy this file there and run it in that folder.
import { Client, Connection } from "@temporalio/client";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openSqliteStore } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary } from "../lib/dev-server";
import { projectRoot } from "../lib/paths";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { startWorker } from "../tests/support-process";

const out = process.argv[2];
if (!out) throw new Error("usage: record-history.ts <out.json>");
const binary = temporalBinary();
if (!binary) throw new Error("No Temporal CLI: set TEMPORAL_CLI_PATH");
const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-record-"));
const server = await startDevServer({ binary, port: await freePort() });
const env = { ...process.env, TEMPORAL_ADDRESS: server.address, LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_TASK_QUEUE: "record", LOOPWRIGHT_PUMP: "0" };
const settings = temporalSettings(env);
const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
await ensureNamespace(settings);
const worker = await startWorker(env);
const connection = await Connection.connect({ address: settings.address });
try {
  const flow = JSON.parse(readFileSync(path.join(projectRoot, "examples", "flows", "telco-churn.flow.json"), "utf8"));
  flow.id = "telco-history";
  const registry = await loadRegistry();
  const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
  const client = new Client({ connection, namespace: settings.namespace });
  const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
  const handle = client.workflow.getHandle(started.workflowId);
  console.log(await handle.result());
  // The CLI's JSON, the form Temporal's tools read and write histories in.
  const json = execFileSync(binary, ["workflow", "show", "--address", settings.address, "--namespace", settings.namespace, "--workflow-id", started.workflowId, "--output", "json"]);
  writeFileSync(out, json);
  console.log(`wrote ${out}`);
} finally {
  await connection.close();
  await worker.stop();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
