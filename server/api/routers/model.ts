// Trained models, grouped by name, and their statuses. Artifacts (weights) stay on the server:
// pages need metrics, statuses and input columns only.
import { TRPCError } from "@trpc/server";
import { desc, sql } from "drizzle-orm";
import { z } from "zod";
import { ModelStatusError, SqliteModelRegistry, inputSchemaFromArtifact } from "../../../db/model-registry";
import { models } from "../../../db/schema";
import { NotFoundError, type ModelInputColumn, type ModelRef, type ModelStatus } from "../../../nodes/sdk";
import { createTRPCRouter, publicProcedure } from "../trpc";

export interface ModelVersion {
  id: string;
  version: number;
  kind: string;
  /** "current": what scoring by name uses; "candidate": usable when pinned; "archived": kept for the record. */
  status: ModelStatus;
  metrics: Record<string, unknown>;
  /** The columns the model needs to score, with their training types (null when not recorded); null when unknown. */
  inputSchema: ModelInputColumn[] | null;
  /** The training dataset. */
  datasetId: string | null;
  /** The run and node that trained it. */
  runId: string | null;
  nodeId: string | null;
  createdAt: number;
}

export interface ModelGroup {
  name: string;
  /** The newest version's kind: a name can be retrained as a different kind. */
  kind: string;
  /** The version scoring by name uses: the current one, else the newest not archived; null when every version is archived. */
  inUse: number | null;
  versions: ModelVersion[];
}

const versionInput = z.object({
  name: z.string().min(1, "Give the model's name"),
  version: z.number().int().min(1, "Versions start at 1"),
});

/** Registry errors as tRPC errors with the registry's message (which names the model and version). */
function asTRPCError(err: unknown): never {
  if (err instanceof NotFoundError || (err instanceof Error && err.name === "NotFoundError")) {
    throw new TRPCError({ code: "NOT_FOUND", message: err.message, cause: err });
  }
  if (err instanceof ModelStatusError || (err instanceof Error && err.name === "ModelStatusError")) {
    throw new TRPCError({ code: "PRECONDITION_FAILED", message: err.message, cause: err });
  }
  throw err;
}

function inputSchemaOf(stored: unknown, fromArtifact: unknown): ModelInputColumn[] | null {
  if (Array.isArray(stored)) return stored as ModelInputColumn[];
  if (typeof fromArtifact !== "string") return null;
  try {
    return inputSchemaFromArtifact({ features: { inputs: JSON.parse(fromArtifact) } });
  } catch {
    return null;
  }
}

export const modelRouter = createTRPCRouter({
  /** Every model name with its versions newest first; the most recently trained name first. */
  list: publicProcedure.query(({ ctx }): ModelGroup[] => {
    const rows = ctx.db
      .select({
        id: models.id,
        name: models.name,
        version: models.version,
        kind: models.kind,
        status: models.status,
        metrics: models.metrics,
        inputSchema: models.inputSchema,
        // Models saved without an input schema: the column names a classifier's artifact keeps,
        // read in SQL so the weights never leave the database.
        artifactInputs: sql<string | null>`case when ${models.inputSchema} is null and json_valid(${models.artifact}) then json_extract(${models.artifact}, '$.features.inputs') end`,
        datasetId: models.datasetId,
        runId: models.runId,
        nodeId: models.nodeId,
        createdAt: models.createdAt,
      })
      .from(models)
      // Newest first, rowid breaking ties within a millisecond: the first row of a name is its newest.
      .orderBy(desc(models.createdAt), desc(sql`rowid`))
      .all();
    const groups = new Map<string, ModelGroup>();
    for (const { name, artifactInputs, inputSchema, ...v } of rows) {
      const metrics = v.metrics && typeof v.metrics === "object" && !Array.isArray(v.metrics) ? (v.metrics as Record<string, unknown>) : {};
      const group = groups.get(name) ?? { name, kind: v.kind, inUse: null, versions: [] as ModelVersion[] };
      group.versions.push({ ...v, metrics, inputSchema: inputSchemaOf(inputSchema, artifactInputs) });
      groups.set(name, group);
    }
    for (const g of groups.values()) {
      g.versions.sort((a, b) => b.version - a.version);
      // The same rule as SqliteModelRegistry.load({ name }).
      g.inUse = (g.versions.find((v) => v.status === "current") ?? g.versions.find((v) => v.status !== "archived"))?.version ?? null;
    }
    return [...groups.values()];
  }),

  /**
   * Makes a version the current one of its name (what scoring by name uses); the previous current
   * one becomes a candidate. NOT_FOUND names the model and the versions it has.
   */
  promote: publicProcedure.input(versionInput).mutation(async ({ ctx, input }): Promise<{ current: ModelRef; previous: ModelRef | null }> => {
    try {
      return await new SqliteModelRegistry(ctx.db).promote(input.name, input.version);
    } catch (err) {
      asTRPCError(err);
    }
  }),

  /**
   * Archives a version: loading by name skips it, pinning it still works. PRECONDITION_FAILED for
   * the current version (promote another first); NOT_FOUND for an unknown model or version.
   */
  archive: publicProcedure.input(versionInput).mutation(async ({ ctx, input }): Promise<ModelRef> => {
    try {
      return await new SqliteModelRegistry(ctx.db).archive(input.name, input.version);
    } catch (err) {
      asTRPCError(err);
    }
  }),
});
