// `run` and `status`: start a flow's run through the web app and follow it by polling `run.get`.
// The run itself is a Temporal workflow: when the CLI stops following (connection lost, Ctrl-C),
// the run goes on, and the CLI says where to follow it.
import { createApi, isTransient, shortReason, type Api, type RunDetail } from "./api";
import { readFlowFile } from "./files";
import { isFinished } from "../workflows/graph/status";
import { printSummary, progressReporter, summaryJson } from "./format";

const POLL_MS = 400;
/** Each poll's own time limit, so a server that hangs counts as a failed poll (generous: a busy
 * machine can be slow to answer, and a false "connection lost" would stop a healthy follow). */
const POLL_TIMEOUT_MS = 10_000;
/** Consecutive failed polls for this long (and at least two of them): the connection is lost. */
const LOST_AFTER_MS = 10_000;

/** Exit code of `run` (and `status --follow`) when the CLI stopped following a run that goes on. */
export const EXIT_STILL_RUNNING = 3;

interface RunRef {
  runId: string;
  workflowId: string;
  temporalUrl: string;
}

interface Options {
  json: boolean;
}

// In --json mode progress goes to stderr, so stdout ends with exactly one JSON object.
const logger = (json: boolean) => (json ? (line: string) => console.error(line) : (line: string) => console.log(line));

export const runPage = (base: string, runId: string) => `${base}/runs/${encodeURIComponent(runId)}`;

function whereToFollow(base: string, ref: RunRef): string {
  return [
    `  run page:    ${runPage(base, ref.runId)}`,
    `  Temporal UI: ${ref.temporalUrl}`,
    `  or, with Loopwright running: loopwright status ${ref.runId} --follow`,
  ].join("\n");
}

export async function runFlow(base: string, file: string, opts: Options & { flowId?: string }): Promise<number> {
  const log = logger(opts.json);
  const raw = readFlowFile(file);
  const api = createApi(base);
  const flowId = opts.flowId ?? (typeof raw.id === "string" ? raw.id : undefined);
  // An invalid graph is refused here (BAD_REQUEST with every problem; main prints them, exit 2).
  const saved = await api.flow.save.mutate({ graph: raw, flowId });
  log(`flow ${saved.flowId} version ${saved.version}${saved.created ? " (new version saved)" : ""}`);

  const started = await api.run.start.mutate({ flowId: saved.flowId, version: saved.version, triggerKind: "cli" });
  log(`run ${started.runId}\n  workflow ${started.workflowId}\n  ${started.temporalUrl}\n  ${runPage(base, started.runId)}`);
  if (!started.workerPolling) log(`  (no worker is polling the task queue yet: start one with \`npm start\` or \`npm run worker\`)`);
  return followAndReport(base, started, opts, log);
}

/** `status <runId>`: the run's summary now, or with --follow its progress until it ends. */
export async function runStatus(base: string, runId: string, opts: Options & { follow: boolean }): Promise<number> {
  const log = logger(opts.json);
  const detail = await createApi(base).run.get.query({ runId });
  if (!opts.follow || isFinished(detail.run.status)) return report(detail, opts, log);
  const ref = { runId: detail.run.id, workflowId: detail.run.workflowId, temporalUrl: detail.run.temporalUrl };
  log(`run ${ref.runId} (${detail.run.status})\n  workflow ${ref.workflowId}\n  ${ref.temporalUrl}\n  ${runPage(base, ref.runId)}`);
  return followAndReport(base, ref, opts, log);
}

function report(detail: RunDetail, opts: Options, log: (line: string) => void): number {
  printSummary(detail, log);
  if (opts.json) console.log(JSON.stringify(summaryJson(detail)));
  const { status } = detail.run;
  return status === "succeeded" ? 0 : isFinished(status) ? 1 : EXIT_STILL_RUNNING;
}

async function followAndReport(base: string, ref: RunRef, opts: Options, log: (line: string) => void): Promise<number> {
  // Ctrl-C stops the CLI, not the run (cancel it on the run page); say so rather than vanish.
  const onInterrupt = () => {
    console.error(`\nStopped following run ${ref.runId}. It goes on in Temporal (Ctrl-C does not cancel it); follow it on:\n${whereToFollow(base, ref)}`);
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  try {
    const result = await follow(createApi(base, { timeoutMs: POLL_TIMEOUT_MS }), ref.runId, progressReporter(log));
    if ("lost" in result) {
      const last = result.detail?.run.status;
      console.error(
        `\nLost the connection to Loopwright at ${base} while following run ${ref.runId} (${result.lost}).\n` +
          `The run goes on in Temporal${last ? ` (it was ${last})` : ""}; it was not cancelled. Follow it on:\n${whereToFollow(base, ref)}`,
      );
      if (opts.json) {
        const json = result.detail
          ? summaryJson(result.detail, { connectionLost: true })
          : { runId: ref.runId, workflowId: ref.workflowId, status: "queued", temporalUrl: ref.temporalUrl, nodes: [], connectionLost: true };
        console.log(JSON.stringify(json));
      }
      return EXIT_STILL_RUNNING;
    }
    return report(result.detail, opts, log);
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

type Followed = { detail: RunDetail } | { detail?: RunDetail; lost: string };

/** Polls the run until it has finished, or until polls have failed for LOST_AFTER_MS in a row. */
async function follow(api: Api, runId: string, onNodes: (nodes: RunDetail["nodes"]) => void): Promise<Followed> {
  let last: RunDetail | undefined;
  let failingSince: number | undefined;
  let failures = 0;
  for (;;) {
    const at = Date.now();
    try {
      const detail = await api.run.get.query({ runId });
      failingSince = undefined;
      failures = 0;
      last = detail;
      onNodes(detail.nodes);
      if (isFinished(detail.run.status)) return { detail };
    } catch (err) {
      // NOT_FOUND and the like are final; no answer (or a 5xx) may pass.
      if (!isTransient(err)) throw err;
      failingSince ??= at;
      failures++;
      if (failures >= 2 && Date.now() - failingSince >= LOST_AFTER_MS) return { detail: last, lost: shortReason(err) };
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
