// `loopwright`: run, validate and upload from the command line.
import { Client, Connection } from "@temporalio/client";
import { asc, eq } from "drizzle-orm";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { openDb, type Db } from "../db/client";
import { nodeRuns, runs } from "../db/schema";
import { ensureNamespace } from "../lib/dev-server";
import { dataDir } from "../lib/paths";
import { connectionOptions, taskQueuePollers, temporalSettings, type TemporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { UploadError, registerFile } from "../server/services/uploads";
import { GraphInvalidError, formatProblem } from "../workflows/graph/compile";
import { validateGraph } from "../workflows/graph/validate";

const HELP = `loopwright <command>

  run <flow.json> [--json] [--flow-id ID]   save the flow as a version, run it through Temporal, print progress
                                            and a summary; with --json the last line is one JSON object
  validate <flow.json>                      check a flow file and list every problem
  upload <file>                             store a file in the data directory and print its id
                                            (use it as fileId in a CSV source)

Environment: LOOPWRIGHT_DATA_DIR, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, LOOPWRIGHT_TASK_QUEUE, TEMPORAL_UI_URL`;

class UsageError extends Error {}

function readFlowFile(file: string): { id?: string } & Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function validate(file: string): Promise<number> {
  const raw = readFlowFile(file);
  const result = validateGraph(raw, await loadRegistry());
  if (result.ok) {
    console.log(`${file}: valid (${result.graph.nodes.length} nodes, ${result.graph.edges.length} edges)`);
    return 0;
  }
  console.error(`${file}: ${result.problems.length} problem(s)\n${result.problems.map(formatProblem).join("\n")}`);
  return 2;
}

/** Prints only the id, so `id=$(loopwright upload f.csv)` works; a refused file is a usage error. */
async function upload(file: string): Promise<number> {
  const db = openDb();
  try {
    const up = await registerFile(db, dataDir(), file);
    console.log(up.id);
    return 0;
  } catch (err) {
    if (err instanceof UploadError) throw new UsageError(err.message);
    throw err;
  } finally {
    db.$client.close();
  }
}

async function warnIfNoWorker(connection: Connection, s: TemporalSettings, log: (line: string) => void): Promise<void> {
  if (!(await taskQueuePollers(connection, s, "workflow")).length) {
    log(`  (no worker is polling task queue "${s.taskQueue}" yet: start one with \`npm start\` or \`npm run worker\`)`);
  }
}

function fmtMs(ms: number | null | undefined): string {
  if (ms == null) return "";
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function fmtMetrics(m: unknown): string {
  if (!m || typeof m !== "object") return "";
  return Object.entries(m as Record<string, unknown>)
    .filter(([, v]) => typeof v === "number" || typeof v === "string" || typeof v === "boolean")
    .slice(0, 6)
    .map(([k, v]) => `${k}=${typeof v === "number" && !Number.isInteger(v) ? v.toFixed(4) : v}`)
    .join(" ");
}

function nodeRows(db: Db, runId: string) {
  return db.select().from(nodeRuns).where(eq(nodeRuns.runId, runId)).orderBy(asc(nodeRuns.startedAt)).all();
}

async function run(file: string, opts: { json: boolean; flowId?: string }): Promise<number> {
  // In --json mode progress goes to stderr, so stdout ends with exactly one JSON object.
  const log = opts.json ? (line: string) => console.error(line) : (line: string) => console.log(line);
  const raw = readFlowFile(file);
  const db = openDb();
  const registry = await loadRegistry();
  const saved = saveFlowVersion(db, registry, raw, { flowId: opts.flowId ?? (typeof raw.id === "string" ? raw.id : undefined) });
  log(`flow ${saved.flowId} version ${saved.version}${saved.created ? " (new version saved)" : ""}`);

  const settings = temporalSettings();
  const connection = await Connection.connect(connectionOptions(settings)).catch((err) => {
    throw new UsageError(`Cannot reach Temporal at ${settings.address} (${(err as Error).message}). Start everything with \`npm start\`, or set TEMPORAL_ADDRESS.`);
  });
  try {
    for (const w of await ensureNamespace(settings)) log(`  warning: ${w}`);
    const client = new Client({ connection, namespace: settings.namespace });
    const started = await startRun(db, registry, client, settings, { versionId: saved.versionId, triggerKind: "cli" });
    log(`run ${started.runId}\n  workflow ${started.workflowId}\n  ${started.temporalUrl}`);
    await warnIfNoWorker(connection, settings, log);

    const handle = client.workflow.getHandle(started.workflowId);
    const seen = new Map<string, string>();
    const report = () => {
      for (const n of nodeRows(db, started.runId)) {
        const key = `${n.status}:${n.attempt}`;
        if (seen.get(n.nodeId) === key) continue;
        seen.set(n.nodeId, key);
        if (n.status === "queued") continue;
        const took = n.finishedAt && n.startedAt ? fmtMs(n.finishedAt - n.startedAt) : "";
        const rows = n.rows != null ? `${n.rows.toLocaleString("en-US")} rows` : "";
        const attempt = n.attempt > 1 ? `attempt ${n.attempt}` : "";
        log(`  ${n.status.padEnd(9)} ${n.nodeId} (${n.type}) ${[attempt, rows, took, n.error ?? ""].filter(Boolean).join("  ")}`);
      }
    };
    const timer = setInterval(report, 250);
    await handle.result().catch(() => undefined);
    clearInterval(timer);
    report();

    const runRow = db.select().from(runs).where(eq(runs.id, started.runId)).get()!;
    const nodes = nodeRows(db, started.runId);
    const summary = {
      runId: started.runId,
      workflowId: started.workflowId,
      status: runRow.status,
      temporalUrl: started.temporalUrl,
      ...(runRow.error ? { error: runRow.error } : {}),
      nodes: nodes.map((n) => ({ id: n.nodeId, type: n.type, status: n.status, rows: n.rows, metrics: n.metrics ?? {}, ...(n.error ? { error: n.error } : {}) })),
    };
    log(`\nRun ${runRow.status}: ${started.runId}\n  Temporal UI: ${started.temporalUrl}`);
    for (const n of nodes) {
      const took = n.finishedAt && n.startedAt ? fmtMs(n.finishedAt - n.startedAt) : "";
      log(`  ${n.status.padEnd(9)} ${n.nodeId.padEnd(14)} ${n.type.padEnd(28)} ${(n.rows != null ? `${n.rows.toLocaleString("en-US")} rows` : "").padStart(13)}  ${took.padStart(8)}  ${fmtMetrics(n.metrics)}`);
      if (n.error) log(`            ${n.error}`);
    }
    if (opts.json) console.log(JSON.stringify(summary));
    return runRow.status === "succeeded" ? 0 : 1;
  } finally {
    await connection.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, "flow-id": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return command || values.help ? 0 : 1;
  }
  if (!target) throw new UsageError(`${command}: which file?\n\n${HELP}`);
  if (command === "run") return run(target, { json: values.json!, flowId: values["flow-id"] });
  if (command === "validate") return validate(target);
  if (command === "upload") return upload(target);
  throw new UsageError(`Unknown command "${command}"\n\n${HELP}`);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof GraphInvalidError) console.error(err.message);
    else if (err instanceof UsageError) console.error(err.message);
    else console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(err instanceof GraphInvalidError ? 2 : 1);
  },
);
