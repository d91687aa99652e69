// Trained models, grouped by name. Artifacts (weights) stay on the server: pages need metrics only.
import { desc, sql } from "drizzle-orm";
import { models } from "../../../db/schema";
import { createTRPCRouter, publicProcedure } from "../trpc";

export interface ModelVersion {
  id: string;
  version: number;
  kind: string;
  metrics: Record<string, unknown>;
  datasetId: string | null;
  runId: string | null;
  nodeId: string | null;
  createdAt: number;
}

export interface ModelGroup {
  name: string;
  /** The newest version's kind: a name can be retrained as a different kind. */
  kind: string;
  versions: ModelVersion[];
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
        metrics: models.metrics,
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
    for (const { name, ...v } of rows) {
      const metrics = v.metrics && typeof v.metrics === "object" && !Array.isArray(v.metrics) ? (v.metrics as Record<string, unknown>) : {};
      const group = groups.get(name) ?? { name, kind: v.kind, versions: [] as ModelVersion[] };
      group.versions.push({ ...v, metrics });
      groups.set(name, group);
    }
    for (const g of groups.values()) g.versions.sort((a, b) => b.version - a.version);
    return [...groups.values()];
  }),
});
