// A worker started before Temporal (or while it restarts) waits for it rather than exiting, then
// runs flows as soon as the server is up.
import { Client, Connection } from "@temporalio/client";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openSqliteStore, runs, type Store } from "../db/store";
import { ensureNamespace, freePort, startDevServer, temporalBinary, type DevServer } from "../lib/dev-server";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { startWorker, type WorkerProcess } from "./support-process";

const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-waits-"));
let server: DevServer | undefined;
let worker: WorkerProcess | undefined;
let store: Store | undefined;
let connection: Connection | undefined;

afterAll(async () => {
  await worker?.stop("SIGKILL");
  await connection?.close();
  await server?.stop();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a worker started before Temporal", () => {
  it("waits for the server, then runs a flow", async () => {
    const binary = temporalBinary();
    if (!binary) throw new Error("No Temporal CLI: set TEMPORAL_CLI_PATH or run through npm test");
    const port = await freePort();
    const env = { ...process.env, TEMPORAL_ADDRESS: `127.0.0.1:${port}`, LOOPWRIGHT_DATA_DIR: dir, LOOPWRIGHT_TASK_QUEUE: "waits", LOOPWRIGHT_PUMP: "0" };
    let said = "";
    const starting = startWorker(env, undefined, (all) => (said = all));
    starting.catch(() => undefined); // awaited below, where a failed start is reported
    // The worker is up and says it waits before any server listens on the port.
    const deadline = Date.now() + 60_000;
    while (!said.includes(`waiting for Temporal at 127.0.0.1:${port}`)) {
      if (Date.now() > deadline) throw new Error(`the worker never said it waits for Temporal:\n${said}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await new Promise((r) => setTimeout(r, 1_000)); // still waiting a while later, not exited
    expect(said).not.toContain("worker failed");
    server = await startDevServer({ binary, port, dbFile: path.join(dir, "temporal.db"), logFile: path.join(dir, "temporal.log") });
    await ensureNamespace(temporalSettings(env)); // the search attributes runs carry
    worker = await starting;
    expect(worker.output()).toContain("worker ready");

    store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
    const registry = await loadRegistry();
    const graph = {
      id: "waits",
      name: "Waits",
      nodes: [
        { id: "go", type: "trigger.manual@1", position: { x: 0, y: 0 }, config: {} },
        { id: "pass", type: "control.passthrough@1", position: { x: 200, y: 0 }, config: {} },
      ],
      edges: [{ source: "go", sourceHandle: "run", target: "pass", targetHandle: "rows" }],
    };
    const saved = await saveFlowVersion(store, registry, graph, { flowId: graph.id });
    const settings = temporalSettings(env);
    connection = await Connection.connect({ address: settings.address });
    const client = new Client({ connection, namespace: settings.namespace });
    const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
    await client.workflow.getHandle(started.workflowId).result();
    expect((await runs.row(store, started.runId)).status).toBe("succeeded");
  }, 180_000);
});
