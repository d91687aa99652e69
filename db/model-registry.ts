// Trained models in SQLite: each save is a new version under the model's name.
import { and, desc, eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { NotFoundError, type ModelRef, type ModelRegistry, type SavedModel } from "../nodes/sdk";
import type { Db } from "./client";
import { models } from "./schema";
import type { DatasetOwner } from "./dataset-store";

export class SqliteModelRegistry implements ModelRegistry {
  constructor(
    private readonly db: Db,
    private readonly owner: DatasetOwner = {},
  ) {}

  async save(model: { name: string; kind: string; metrics: Record<string, unknown>; artifact: unknown; datasetId?: string }): Promise<ModelRef> {
    const id = `mdl_${randomUUID()}`;
    // Version numbering and insert in one transaction, so two concurrent saves cannot collide.
    const version = this.db.transaction((tx) => {
      const last = tx.select({ v: models.version }).from(models).where(eq(models.name, model.name)).orderBy(desc(models.version)).limit(1).get();
      const next = (last?.v ?? 0) + 1;
      tx.insert(models)
        .values({ id, name: model.name, version: next, kind: model.kind, metrics: model.metrics, artifact: model.artifact, datasetId: model.datasetId, runId: this.owner.runId, nodeId: this.owner.nodeId })
        .run();
      return next;
    }, { behavior: "immediate" });
    return { kind: "model", id, name: model.name, version };
  }

  async load(ref: { id: string } | { name: string; version?: number }): Promise<SavedModel> {
    const row =
      "id" in ref
        ? this.db.select().from(models).where(eq(models.id, ref.id)).get()
        : ref.version !== undefined
          ? this.db.select().from(models).where(and(eq(models.name, ref.name), eq(models.version, ref.version))).get()
          : this.db.select().from(models).where(eq(models.name, ref.name)).orderBy(desc(models.version)).limit(1).get();
    if (!row) {
      const what = "id" in ref ? `id ${ref.id}` : `"${ref.name}"${ref.version !== undefined ? ` version ${ref.version}` : ""}`;
      throw new NotFoundError(`No saved model with ${what}`);
    }
    return {
      ref: { kind: "model", id: row.id, name: row.name, version: row.version },
      kind: row.kind,
      metrics: row.metrics as Record<string, unknown>,
      artifact: row.artifact,
      datasetId: row.datasetId,
    };
  }
}
