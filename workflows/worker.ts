// A worker process: polls the task queue, runs the interpreter workflow and the node activities.
// Run as many as you like, on as many machines, against the same Temporal and data directory.
import { NativeConnection, Worker } from "@temporalio/worker";
import { fileURLToPath } from "node:url";
import { openDb } from "../db/client";
import { sweepScratch } from "../db/dataset-store";
import { dataDir } from "../lib/paths";
import { connectionOptions, temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { createActivities } from "./activities/run-node";

async function main() {
  const settings = temporalSettings();
  const dir = dataDir();
  const db = openDb();
  const registry = await loadRegistry();
  const swept = await sweepScratch(dir);
  if (swept) console.log(`removed ${swept} scratch file${swept === 1 ? "" : "s"} left by an earlier crash (over a day old) from ${dir}`);
  const connection = await NativeConnection.connect(connectionOptions(settings));
  const worker = await Worker.create({
    connection,
    namespace: settings.namespace,
    taskQueue: settings.taskQueue,
    workflowsPath: fileURLToPath(new URL("./run-flow.ts", import.meta.url)),
    activities: createActivities({ db, dataDir: dir, registry }),
    maxConcurrentActivityTaskExecutions: Number(process.env.LOOPWRIGHT_WORKER_CONCURRENCY || 8),
    // Heartbeats carry cancellation back to a running node: send them often enough that a
    // cancelled run stops its nodes within seconds (the default waits up to 80% of the timeout).
    maxHeartbeatThrottleInterval: "2 seconds",
    defaultHeartbeatThrottleInterval: "2 seconds",
    // Let a running node finish its current step on Ctrl-C before the process exits.
    shutdownGraceTime: "8 seconds", // under the 10 s after which `npm start` kills a child
  });
  console.log(`worker ready: ${settings.address} namespace=${settings.namespace} taskQueue=${settings.taskQueue} nodes=${registry.all().length} data=${dir}`);
  await worker.run();
  await connection.close();
  db.$client.close();
}

main().catch((err) => {
  console.error("worker failed:", err);
  process.exit(1);
});
