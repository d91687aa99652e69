// Trained models, grouped by name, and their statuses. Artifacts (weights) stay on the server:
// pages need metrics, statuses and input columns only.
import { z } from "zod";
import { models } from "../../../db/store";
import type { ModelInputColumn, ModelRef, ModelStatus } from "../../../nodes/sdk";
import { record } from "../../access";
import { createTRPCRouter, editorProcedure, viewerProcedure } from "../trpc";

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
  /** The flow whose run trained it, when that flow still exists. */
  flowId: string | null;
  flowName: string | null;
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

export const modelRouter = createTRPCRouter({
  /** Every model name with its versions newest first; the most recently trained name first. */
  list: viewerProcedure.query(async ({ ctx }): Promise<ModelGroup[]> => {
    const groups = new Map<string, ModelGroup>();
    for (const { name, ...v } of await models.list(ctx.store)) {
      const metrics = v.metrics && typeof v.metrics === "object" && !Array.isArray(v.metrics) ? v.metrics : {};
      const group = groups.get(name) ?? { name, kind: v.kind, inUse: null, versions: [] as ModelVersion[] };
      group.versions.push({ ...v, metrics });
      groups.set(name, group);
    }
    for (const g of groups.values()) {
      g.versions.sort((a, b) => b.version - a.version);
      // The same rule as loading by name (db/store/models.ts byName).
      g.inUse = (g.versions.find((v) => v.status === "current") ?? g.versions.find((v) => v.status !== "archived"))?.version ?? null;
    }
    return [...groups.values()];
  }),

  /**
   * Makes a version the current one of its name (what scoring by name uses); the previous current
   * one becomes a candidate. NOT_FOUND names the model and the versions it has.
   */
  promote: editorProcedure.input(versionInput).mutation(async ({ ctx, input }): Promise<{ current: ModelRef; previous: ModelRef | null }> => {
    const done = await models.promote(ctx.store, input.name, input.version);
    await record(ctx.store, ctx.user, "model.promote", { target: `${input.name} v${input.version}`, detail: { previous: done.previous?.version ?? null } });
    return done;
  }),

  /**
   * Archives a version: loading by name skips it, pinning it still works. PRECONDITION_FAILED for
   * the current version (promote another first); NOT_FOUND for an unknown model or version.
   */
  archive: editorProcedure.input(versionInput).mutation(async ({ ctx, input }): Promise<ModelRef> => {
    const done = await models.archive(ctx.store, input.name, input.version);
    await record(ctx.store, ctx.user, "model.archive", { target: `${input.name} v${input.version}` });
    return done;
  }),
});
