// Runs: what the workflow reported into SQLite (never Temporal history), plus start and cancel.
import { TRPCError } from "@trpc/server";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { existsSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { ParquetDatasetStore } from "../../../db/dataset-store";
import { flowVersions, flows, nodeRuns, runs } from "../../../db/schema";
import { dataDir } from "../../../lib/paths";
import type { DatasetRef } from "../../../nodes/sdk/types";
import { startRun } from "../../services/flows";
import { createTRPCRouter, publicProcedure, type Context } from "../trpc";
import { flowIdSchema } from "./flow";

const FINISHED = new Set(["succeeded", "failed", "cancelled"]);
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

const runColumns = {
  id: runs.id,
  flowId: runs.flowId,
  flowName: flows.name,
  flowVersion: runs.flowVersion,
  flowVersionId: runs.flowVersionId,
  status: runs.status,
  triggerKind: runs.triggerKind,
  workflowId: runs.workflowId,
  temporalUrl: runs.temporalUrl,
  error: runs.error,
  createdAt: runs.createdAt,
  startedAt: runs.startedAt,
  finishedAt: runs.finishedAt,
};

export const runRouter = createTRPCRouter({
  /** Newest first, with a per-status count of each run's nodes. */
  list: publicProcedure
    .input(z.object({ flowId: flowIdSchema.optional(), limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(({ ctx, input }) => {
      const rows = ctx.db
        .select(runColumns)
        .from(runs)
        .innerJoin(flows, eq(runs.flowId, flows.id))
        .where(input?.flowId ? eq(runs.flowId, input.flowId) : undefined)
        .orderBy(desc(runs.createdAt))
        .limit(input?.limit ?? 50)
        .all();
      const counts = new Map<string, { total: number; succeeded: number; failed: number; running: number }>();
      if (rows.length) {
        const grouped = ctx.db
          .select({ runId: nodeRuns.runId, status: nodeRuns.status, n: sql<number>`count(*)` })
          .from(nodeRuns)
          .where(inArray(nodeRuns.runId, rows.map((r) => r.id)))
          .groupBy(nodeRuns.runId, nodeRuns.status)
          .all();
        for (const g of grouped) {
          const c = counts.get(g.runId) ?? { total: 0, succeeded: 0, failed: 0, running: 0 };
          c.total += g.n;
          if (g.status === "succeeded" || g.status === "failed" || g.status === "running") c[g.status] += g.n;
          counts.set(g.runId, c);
        }
      }
      return rows.map((r) => ({ ...r, nodes: counts.get(r.id) ?? { total: 0, succeeded: 0, failed: 0, running: 0 } }));
    }),

  /** A run and its nodes (started ones first, in start order). */
  get: publicProcedure.input(z.object({ runId: z.string().min(1).max(200) })).query(({ ctx, input }) => {
    const run = ctx.db.select(runColumns).from(runs).innerJoin(flows, eq(runs.flowId, flows.id)).where(eq(runs.id, input.runId)).get();
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `No run "${input.runId}"` });
    const nodes = ctx.db
      .select()
      .from(nodeRuns)
      .where(eq(nodeRuns.runId, run.id))
      .orderBy(sql`${nodeRuns.startedAt} is null`, asc(nodeRuns.startedAt), asc(nodeRuns.nodeId))
      .all();
    return { run, nodes };
  }),

  /** The first rows of one of a node's table outputs (the first one unless `port` is given). */
  preview: publicProcedure
    .input(z.object({ runId: z.string().min(1).max(200), nodeId: z.string().min(1).max(200), port: z.string().min(1).max(200).optional() }))
    .query(async ({ ctx, input }) => {
      const node = ctx.db
        .select({ status: nodeRuns.status, outputs: nodeRuns.outputs })
        .from(nodeRuns)
        .where(and(eq(nodeRuns.runId, input.runId), eq(nodeRuns.nodeId, input.nodeId)))
        .get();
      if (!node) {
        const run = ctx.db.select({ id: runs.id }).from(runs).where(eq(runs.id, input.runId)).get();
        throw new TRPCError({ code: "NOT_FOUND", message: run ? `Run "${input.runId}" has no node "${input.nodeId}"` : `No run "${input.runId}"` });
      }
      const tables = Object.entries((node.outputs ?? {}) as Record<string, unknown>).filter((e): e is [string, DatasetRef] => isTable(e[1]));
      if (!tables.length) {
        const why = node.status === "succeeded" ? "has no table output" : `has no table output yet (it is ${node.status})`;
        throw new TRPCError({ code: "NOT_FOUND", message: `Node "${input.nodeId}" ${why}` });
      }
      const chosen = input.port === undefined ? tables[0] : tables.find(([port]) => port === input.port);
      if (!chosen) {
        throw new TRPCError({ code: "NOT_FOUND", message: `Node "${input.nodeId}" has no table output "${input.port}" (it has ${tables.map(([p]) => `"${p}"`).join(", ")})` });
      }
      const [port, ref] = chosen;
      const dir = dataDir();
      const file = path.resolve(dir, ref.path);
      // The path comes from the database; it must still point into the data directory.
      if (path.relative(dir, file).startsWith("..") || !existsSync(file)) {
        throw new TRPCError({ code: "NOT_FOUND", message: `The data of output "${port}" (${ref.id}) is no longer in the data directory` });
      }
      const rows = await new ParquetDatasetStore(dir, ctx.db).preview(ref, PREVIEW_ROWS);
      return { port, ports: tables.map(([p]) => p), dataset: { id: ref.id, rows: ref.rows, columns: ref.columns }, rows };
    }),

  /** Run a saved version (the latest unless `version` is given). */
  start: publicProcedure
    .input(z.object({ flowId: flowIdSchema, version: z.number().int().min(1).optional(), triggerKind: z.enum(["manual", "cli"]).default("manual") }))
    .mutation(async ({ ctx, input }) => {
      const flow = ctx.db.select().from(flows).where(eq(flows.id, input.flowId)).get();
      if (!flow) throw new TRPCError({ code: "NOT_FOUND", message: `No flow "${input.flowId}"` });
      const version = input.version ?? flow.latestVersion;
      const row = ctx.db
        .select({ id: flowVersions.id })
        .from(flowVersions)
        .where(and(eq(flowVersions.flowId, flow.id), eq(flowVersions.version, version)))
        .get();
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: `Flow "${flow.id}" has no version ${version}` });
      const status = await requireTemporal(ctx);
      const started = await startRun(ctx.db, ctx.registry, ctx.temporal.client(), ctx.temporal.settings(), { versionId: row.id, triggerKind: input.triggerKind });
      // The run is queued either way; without a worker it waits, and the UI should say why.
      const workerPolling = Boolean(status.pollers?.workflow.length && status.pollers.activity.length);
      return { ...started, flowId: flow.id, version, workerPolling };
    }),

  /** Ask the run's workflow to cancel; it records "cancelled" itself once its nodes have stopped. */
  cancel: publicProcedure.input(z.object({ runId: z.string().min(1).max(200) })).mutation(async ({ ctx, input }) => {
    const run = ctx.db.select().from(runs).where(eq(runs.id, input.runId)).get();
    if (!run) throw new TRPCError({ code: "NOT_FOUND", message: `No run "${input.runId}"` });
    if (FINISHED.has(run.status)) throw new TRPCError({ code: "PRECONDITION_FAILED", message: `Run "${run.id}" has already ${run.status === "cancelled" ? "been cancelled" : run.status}` });
    await requireTemporal(ctx);
    await ctx.temporal.client().workflow.getHandle(run.workflowId).cancel();
    return { runId: run.id, workflowId: run.workflowId, cancelRequested: true };
  }),
});
