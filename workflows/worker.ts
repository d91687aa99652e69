// A worker process: polls the task queue, runs the interpreter workflow and the node activities.
// Run as many as you like, on as many machines: each needs the Temporal address
// (TEMPORAL_ADDRESS), the control-plane store (DATABASE_URL; without it, the SQLite file of this
// machine's data directory) and the shared folder (LOOPWRIGHT_SHARED_DIR).
import { Client, Connection } from "@temporalio/client";
import { NativeConnection, TransportError, Worker } from "@temporalio/worker";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { sweepScratch } from "../db/scratch";
import { openStore } from "../db/store";
import { dataDir, sharedDir } from "../lib/paths";
import { connectionOptions, temporalSettings, workflowUrl } from "../lib/temporal";
import { startPump } from "../server/pump/pump";
import { loadRegistry } from "../nodes/registry";
import { sweepJournals } from "./activities/ledger-access";
import { createActivities } from "./activities/run-node";

async function main() {
  const settings = temporalSettings();
  const dir = dataDir();
  const shared = sharedDir();
  const store = await openStore();
  const registry = await loadRegistry();
  for (const d of new Set([dir, shared])) {
    const swept = await sweepScratch(d);
    if (swept) console.log(`removed ${swept} scratch file${swept === 1 ? "" : "s"} left by an earlier crash (over a day old) from ${d}`);
  }
  const journals = await sweepJournals(store, shared);
  if (journals) console.log(`wrote ${journals} decision-ledger journal file${journals === 1 ? "" : "s"} left by a killed worker to the ledger`);
  const identity = `${process.pid}@${os.hostname()}`;
  const connection = await connectWhenUp(settings);
  const worker = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    identity,
    workflowsPath: fileURLToPath(new URL("./run-flow.ts", import.meta.url)),
    activities: createActivities({ store, dataDir: dir, sharedDir: shared, registry, identity, temporalUrl: (id) => workflowUrl(settings, id) }),
    maxConcurrentActivityTaskExecutions: Number(process.env.LOOPWRIGHT_WORKER_CONCURRENCY || 8),
    // Heartbeats carry cancellation back to a running node: send them often enough that a
    // cancelled run stops its nodes within seconds (the default waits up to 80% of the timeout).
    maxHeartbeatThrottleInterval: "2 seconds",
    defaultHeartbeatThrottleInterval: "2 seconds",
    // Let a running node finish its current step on Ctrl-C before the process exits.
    shutdownGraceTime: "8 seconds", // under the 10 s after which `npm start` kills a child
  });
  console.log(
    `worker ready: ${identity} ${settings.address} namespace=${settings.namespace} taskQueue=${settings.taskQueue} nodes=${registry.all().length} store=${store.dialect} shared=${shared}`,
  );
  // The inbox pump (profiles, cohorts, audiences) runs beside the worker; LOOPWRIGHT_PUMP=0 turns it off here.
  const pump =
    process.env.LOOPWRIGHT_PUMP === "0"
      ? undefined
      : startPump({ store, registry, settings, client: new Client({ connection: Connection.lazy(connectionOptions(settings)), namespace: settings.namespace }) });
  await worker.run();
  await pump?.stop();
  await connection.close();
  await store.close();
}

/**
 * Connects to Temporal, waiting while it is not reachable (a worker started before the server, or
 * while it restarts) for up to LOOPWRIGHT_TEMPORAL_WAIT_SECONDS (default 300); other errors fail at once.
 */
async function connectWhenUp(settings: ReturnType<typeof temporalSettings>): Promise<NativeConnection> {
  const deadline = Date.now() + Number(process.env.LOOPWRIGHT_TEMPORAL_WAIT_SECONDS || 300) * 1000;
  for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      return await NativeConnection.connect(connectionOptions(settings));
    } catch (err) {
      if (!(err instanceof TransportError) || Date.now() + delay > deadline) throw err;
      if (delay === 250) console.log(`waiting for Temporal at ${settings.address} (${err.message.slice(0, 200)})`);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

main().catch((err) => {
  console.error("worker failed:", err);
  process.exit(1);
});
