// Trained models: each save is a new version under the model's name, with a status (see
// db/store/models.ts for the rules). The artifact (weights and fitted preprocessing) is a JSON
// file in the shared folder's models/ — written before its record, never changed after — so any
// worker can load it; the store keeps the metadata only.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { FILE_MODE } from "../lib/paths";
import { NotFoundError, type ModelInputColumn, type ModelRef, type ModelRegistry, type ModelStatus, type SavedModel } from "../nodes/sdk";
import type { DatasetOwner } from "./dataset-store";
import { models, type Store } from "./store";
import type { ModelRow } from "./store/models";

export { ModelStatusError } from "./store/models";

/** What this registry gives back: a saved model with everything the store records about it. */
export interface StoredModel extends SavedModel {
  status: ModelStatus;
  inputSchema: ModelInputColumn[] | null;
  runId: string | null;
  nodeId: string | null;
  createdAt: number;
}

/**
 * The input columns of a model saved without an input schema, when its artifact names them (a
 * classifier's `features.inputs`); types are then unknown.
 */
export function inputSchemaFromArtifact(artifact: unknown): ModelInputColumn[] | null {
  const inputs = (artifact as { features?: { inputs?: unknown } } | null)?.features?.inputs;
  return Array.isArray(inputs) && inputs.every((c) => typeof c === "string") ? inputs.map((name: string) => ({ name, type: null })) : null;
}

/** Keeps only name and type, so whatever the caller passes (DuckDB Columns, say) stores the same. */
function normaliseInputSchema(schema: readonly ModelInputColumn[] | undefined): ModelInputColumn[] | null {
  if (schema === undefined) return null;
  if (!Array.isArray(schema)) throw new TypeError("inputSchema must be an array of { name, type }");
  return schema.map((c, i) => {
    if (typeof c?.name !== "string" || c.name === "") throw new TypeError(`inputSchema[${i}] needs a column name`);
    if (c.type !== null && c.type !== undefined && typeof c.type !== "string") throw new TypeError(`inputSchema[${i}].type must be a string or null`);
    return { name: c.name, type: c.type ?? null };
  });
}

export class StoreModelRegistry implements ModelRegistry {
  /** `sharedDir`: the folder artifact paths are relative to. */
  constructor(
    private readonly store: Store,
    private readonly sharedDir: string,
    private readonly owner: DatasetOwner = {},
  ) {}

  async save(model: {
    name: string;
    kind: string;
    metrics: Record<string, unknown>;
    artifact: unknown;
    datasetId?: string;
    inputSchema?: ModelInputColumn[];
  }): Promise<ModelRef> {
    const id = `mdl_${randomUUID()}`;
    const inputSchema = normaliseInputSchema(model.inputSchema) ?? inputSchemaFromArtifact(model.artifact);
    const artifactPath = path.join("models", `${id}.json`);
    const file = path.join(this.sharedDir, artifactPath);
    await mkdir(path.dirname(file), { recursive: true });
    // Complete before it has a name: a reader never sees half a file, on a shared mount either.
    const tmp = path.join(path.dirname(file), `.tmp-${id}.json`);
    await writeFile(tmp, JSON.stringify(model.artifact), { mode: FILE_MODE });
    await rename(tmp, file);
    try {
      return await models.insert(this.store, {
        id,
        name: model.name,
        kind: model.kind,
        metrics: model.metrics,
        artifactPath,
        datasetId: model.datasetId,
        inputSchema,
        runId: this.owner.runId,
        nodeId: this.owner.nodeId,
      });
    } catch (err) {
      await rm(file, { force: true });
      throw err;
    }
  }

  /**
   * By id, or by name and version: that version whatever its status (archived included). By name
   * alone: the current version, else the newest version that is not archived; never an archived one.
   */
  async load(ref: { id: string } | { name: string; version?: number }): Promise<StoredModel> {
    if ("id" in ref) return this.withArtifact(await models.byId(this.store, ref.id));
    if (ref.version !== undefined) return this.withArtifact(await models.pinned(this.store, ref.name, ref.version));
    return this.withArtifact(await models.byName(this.store, ref.name));
  }

  /** The current version of `name`; null when none is promoted. NotFoundError for a name never saved. */
  async current(name: string): Promise<StoredModel | null> {
    const row = await models.current(this.store, name);
    return row && this.withArtifact(row);
  }

  promote(name: string, version: number) {
    return models.promote(this.store, name, version);
  }

  archive(name: string, version: number) {
    return models.archive(this.store, name, version);
  }

  private async withArtifact(row: ModelRow): Promise<StoredModel> {
    let artifact: unknown = row.artifact;
    if (row.artifactPath) {
      const file = path.resolve(this.sharedDir, row.artifactPath);
      try {
        artifact = JSON.parse(await readFile(file, "utf8"));
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "is missing from the shared folder" : `cannot be read (${(err as Error).message})`;
        throw new NotFoundError(`The artifact of version ${row.version} of model "${row.name}" (${row.artifactPath}) ${reason}`, { cause: err });
      }
    }
    return {
      ref: { kind: "model", id: row.id, name: row.name, version: row.version },
      kind: row.kind,
      metrics: row.metrics,
      artifact,
      datasetId: row.datasetId,
      status: row.status,
      inputSchema: row.inputSchema ?? inputSchemaFromArtifact(artifact),
      runId: row.runId,
      nodeId: row.nodeId,
      createdAt: row.createdAt,
    };
  }
}
