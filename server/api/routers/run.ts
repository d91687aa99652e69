// Runs: what the workflow reported into the store (never Temporal history), plus start and cancel.
import { TRPCError } from "@trpc/server";
import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ParquetDatasetStore } from "../../../db/dataset-store";
import { flows, runs, ledger } from "../../../db/store";
import { NotFound, Precondition } from "../../../lib/errors";
import { nodeName } from "../../../lib/node-name";
import { sharedDir } from "../../../lib/paths";
import type { DatasetRef } from "../../../nodes/sdk/types";
import { SAMPLE_ROWS, SAMPLE_SEED } from "../../../workflows/graph/compile";
import { parseTypeRef } from "../../../workflows/graph/schema";
import { isFinished } from "../../../workflows/graph/status";
import { refuseDraft, startRun } from "../../services/flows";
import { settleIfEnded } from "../../services/unreported-runs";
import { record } from "../../access";
import { takeLimit } from "../../limits";
import { createTRPCRouter, editorProcedure, viewerProcedure, type Context } from "../trpc";
import { flowIdSchema } from "./flow";

const PREVIEW_ROWS = 100;

const isTable = (ref: unknown): ref is DatasetRef =>
  typeof ref === "object" && ref !== null && (ref as { kind?: unknown }).kind === "table" && typeof (ref as { path?: unknown }).path === "string";

/** Fail fast with the reason, rather than letting the SDK retry an unreachable server for half a minute. */
async function requireTemporal(ctx: Context) {
  const status = await ctx.temporal.status();
  if (!status.reachable) {
    throw new TRPCError({
      code: "SERVICE_UNAVAILABLE",
      message: `Cannot reach Temporal at ${status.address}: ${status.error ?? "unknown error"}. Start everything with \`npm start\`, or set TEMPORAL_ADDRESS.`,
    });
  }
  return status;
}

const runIdSchema = z.string().min(1).max(200);

export const runRouter = createTRPCRouter({
  /** Newest first, with a per-status count of each run's nodes. */
  list: viewerProcedure
    .input(z.object({ flowId: flowIdSchema.optional(), limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(async ({ ctx, input }) => {
      const list = () => runs.list(ctx.store, { flowId: input?.flowId, limit: input?.limit });
      const listed = await list();
      const settled = await Promise.all(listed.map((r) => settleIfEnded(ctx.store, ctx.temporal, r)));
      return settled.some(Boolean) ? list() : listed;
    }),

  /** A run and its nodes (started ones first, in start order). */
  get: viewerProcedure.input(z.object({ runId: runIdSchema })).query(async ({ ctx, input }) => {
    const detail = await runs.get(ctx.store, input.runId);
    const current = (await settleIfEnded(ctx.store, ctx.temporal, detail.run)) ? await runs.get(ctx.store, input.runId) : detail;
    // Each node by the name the flow gives it (the canvas's name; its id stays for links and tooltips).
    const { graph } = await flows.getVersion(ctx.store, current.run.flowVersionId);
    const labels = new Map(
      graph.nodes.map((n) => {
        const ref = parseTypeRef(n.type);
        return [n.id, nodeName(n, ref && ctx.registry.get(ref.type, ref.version)?.label)];
      }),
    );
    const nodes = current.nodes.map((n) => ({ ...n, label: labels.get(n.nodeId) ?? n.nodeId }));
    // What its actions did, per node, channel and status (from the decision ledger).
    return { ...current, nodes, actions: await ledger.countsByRun(ctx.store, input.runId) };
  }),

  /** The first rows of one of a node's table outputs (the first one unless `port` is given). */
  preview: editorProcedure
    .input(z.object({ runId: runIdSchema, nodeId: z.string().min(1).max(200), port: z.string().min(1).max(200).optional() }))
    .query(async ({ ctx, input }) => {
      const node = await runs.node(ctx.store, input.runId, input.nodeId);
      const tables = Object.entries(node.outputs ?? {}).filter((e): e is [string, DatasetRef] => isTable(e[1]));
      if (!tables.length) {
        const why = node.status === "succeeded" ? "has no table output" : `has no table output yet (it is ${node.status})`;
        throw new NotFound(`Node "${input.nodeId}" ${why}`);
      }
      const chosen = input.port === undefined ? tables[0] : tables.find(([port]) => port === input.port);
      if (!chosen) throw new NotFound(`Node "${input.nodeId}" has no table output "${input.port}" (it has ${tables.map(([p]) => `"${p}"`).join(", ")})`);
      const [port, ref] = chosen;
      const dir = sharedDir();
      const file = path.resolve(dir, ref.path);
      // The path comes from the database; it must still point into the shared folder.
      if (path.relative(dir, file).startsWith("..") || !existsSync(file)) throw new NotFound(`The data of output "${port}" (${ref.id}) is no longer in the shared folder`);
      const rows = await new ParquetDatasetStore(dir, ctx.store).preview(ref, PREVIEW_ROWS);
      return { port, ports: tables.map(([p]) => p), dataset: { id: ref.id, rows: ref.rows, columns: ref.columns }, rows };
    }),

  /** Run a saved version (the latest unless `version` is given); a draft is refused (PRECONDITION_FAILED, naming it). */
  start: editorProcedure
    .input(
      z.object({
        flowId: flowIdSchema,
        version: z.number().int().min(1).optional(),
        triggerKind: z.enum(["manual", "cli"]).default("manual"),
        /** Run only this node and what it needs ("run up to here"). */
        upTo: z.string().min(1).max(200).optional(),
        /** Run on a sample: each source's tables cut to this many rows (the same rows each time). Refused when an action would run. */
        sample: z.object({ rows: z.number().int().min(1).max(1_000_000).default(SAMPLE_ROWS) }).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      takeLimit("run", ctx.user);
      const saved = await flows.get(ctx.store, input.flowId, input.version);
      // A draft never runs: refused by name before Temporal is even asked.
      await refuseDraft(ctx.store, { flowId: input.flowId, version: saved.version, graph: saved.graph, problems: saved.problems });
      const status = await requireTemporal(ctx);
      const started = await startRun(ctx.store, ctx.registry, ctx.temporal.client(), ctx.temporal.settings(), {
        versionId: saved.versionId,
        triggerKind: input.triggerKind,
        trigger: {
          kind: "manual",
          source: input.triggerKind === "cli" ? `CLI (${ctx.user.email})` : ctx.user.email,
          ...(input.sample ? { sample: { rows: input.sample.rows, seed: SAMPLE_SEED } } : {}),
        },
        upTo: input.upTo,
      });
      // The run is queued either way; without a worker it waits, and the UI should say why.
      const workerPolling = Boolean(status.pollers?.workflow.length && status.pollers.activity.length);
      await record(ctx.store, ctx.user, "run.start", { target: started.runId, detail: { flowId: input.flowId, version: saved.version, trigger: input.triggerKind, ...(input.upTo ? { upTo: input.upTo } : {}), ...(input.sample ? { sampleRows: input.sample.rows } : {}) } });
      return { ...started, flowId: input.flowId, version: saved.version, workerPolling };
    }),

  /** Ask the run's workflow to cancel; it records "cancelled" itself once its nodes have stopped. */
  cancel: editorProcedure.input(z.object({ runId: runIdSchema })).mutation(async ({ ctx, input }) => {
    const run = await runs.row(ctx.store, input.runId);
    if (isFinished(run.status)) throw new Precondition(`Run "${run.id}" has already ${run.status === "cancelled" ? "been cancelled" : run.status}`);
    await requireTemporal(ctx);
    await ctx.temporal.client().workflow.getHandle(run.workflowId).cancel();
    await record(ctx.store, ctx.user, "run.cancel", { target: run.id, detail: { flowId: run.flowId } });
    return { runId: run.id, workflowId: run.workflowId, cancelRequested: true };
  }),
});
