// Trained models in SQLite: each save is a new version under the model's name, with a status.
//
// Statuses (see ModelStatus): the first version of a name becomes "current" by itself; every later
// one is a "candidate" until promoted; "archived" versions are kept but only loaded when pinned.
// Loading by name alone gives the current version, or, when none is promoted, the newest version
// that is not archived; loading by name and version (or by id) gives exactly that version, even
// an archived one. Status changes run in one immediate transaction each, and a partial unique index
// (models_one_current) keeps a name to one current version whatever writes to the table.
import { and, desc, eq, ne, sql } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import { NotFoundError, type ModelInputColumn, type ModelRef, type ModelRegistry, type ModelStatus, type SavedModel } from "../nodes/sdk";
import type { Db } from "./client";
import { models } from "./schema";
import type { DatasetOwner } from "./dataset-store";

/** What this registry gives back: a saved model with everything the table records about it. */
export interface StoredModel extends SavedModel {
  status: ModelStatus;
  inputSchema: ModelInputColumn[] | null;
  runId: string | null;
  nodeId: string | null;
  createdAt: number;
}

/** A status change the version's current status does not allow (archiving the current version). */
export class ModelStatusError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ModelStatusError";
  }
}

type Row = typeof models.$inferSelect;

const label = (name: string, version: number) => `version ${version} of model "${name}"`;

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

function stored(row: Row): StoredModel {
  return {
    ref: { kind: "model", id: row.id, name: row.name, version: row.version },
    kind: row.kind,
    metrics: row.metrics as Record<string, unknown>,
    artifact: row.artifact,
    datasetId: row.datasetId,
    status: row.status,
    inputSchema: row.inputSchema ?? inputSchemaFromArtifact(row.artifact),
    runId: row.runId,
    nodeId: row.nodeId,
    createdAt: row.createdAt,
  };
}

const refOf = (row: Pick<Row, "id" | "name" | "version">): ModelRef => ({ kind: "model", id: row.id, name: row.name, version: row.version });

export class SqliteModelRegistry implements ModelRegistry {
  constructor(
    private readonly db: Db,
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
    const inputSchema = normaliseInputSchema(model.inputSchema);
    // Version numbering, the current check and the insert in one immediate transaction: concurrent
    // saves (other processes included) get distinct versions and at most one of them is current.
    const version = this.db.transaction(
      (tx) => {
        const last = tx.select({ v: models.version }).from(models).where(eq(models.name, model.name)).orderBy(desc(models.version)).limit(1).get();
        const next = (last?.v ?? 0) + 1;
        // The first version of a name is current, so a flow that trains then scores by name works
        // without anyone promoting. (A name that somehow lost its current version gets one back.)
        const hasCurrent = tx
          .select({ id: models.id })
          .from(models)
          .where(and(eq(models.name, model.name), eq(models.status, "current")))
          .get();
        tx.insert(models)
          .values({
            id,
            name: model.name,
            version: next,
            kind: model.kind,
            metrics: model.metrics,
            artifact: model.artifact,
            datasetId: model.datasetId,
            runId: this.owner.runId,
            nodeId: this.owner.nodeId,
            status: hasCurrent ? "candidate" : "current",
            inputSchema,
          })
          .run();
        return next;
      },
      { behavior: "immediate" },
    );
    return { kind: "model", id, name: model.name, version };
  }

  /**
   * By id, or by name and version: that version whatever its status (archived included). By name
   * alone: the current version, else the newest version that is not archived; never an archived one.
   */
  async load(ref: { id: string } | { name: string; version?: number }): Promise<StoredModel> {
    if ("id" in ref) {
      const row = this.db.select().from(models).where(eq(models.id, ref.id)).get();
      if (!row) throw new NotFoundError(`No saved model with id ${ref.id}`);
      return stored(row);
    }
    if (ref.version !== undefined) return stored(this.pinned(ref.name, ref.version));
    const row = this.db
      .select()
      .from(models)
      .where(and(eq(models.name, ref.name), ne(models.status, "archived")))
      .orderBy(desc(sql`${models.status} = 'current'`), desc(models.version))
      .limit(1)
      .get();
    if (row) return stored(row);
    this.knownName(ref.name);
    throw new NotFoundError(`Every version of model "${ref.name}" is archived; give a version to load an archived one`);
  }

  /** The current version of `name`; null when none is promoted. NotFoundError for a name never saved. */
  async current(name: string): Promise<StoredModel | null> {
    const row = this.db
      .select()
      .from(models)
      .where(and(eq(models.name, name), eq(models.status, "current")))
      .get();
    if (row) return stored(row);
    this.knownName(name);
    return null;
  }

  /**
   * Makes `version` the current version of `name` (an archived one too: that is how an archived
   * version comes back); the previous current one becomes a candidate. One transaction: loading by
   * name never sees two current versions or none. Promoting the current version changes nothing.
   */
  async promote(name: string, version: number): Promise<{ current: ModelRef; previous: ModelRef | null }> {
    return this.db.transaction(
      (tx) => {
        const row = this.pinned(name, version, tx);
        if (row.status === "current") return { current: refOf(row), previous: null };
        const previous = tx
          .select({ id: models.id, name: models.name, version: models.version })
          .from(models)
          .where(and(eq(models.name, name), eq(models.status, "current")))
          .get();
        // Demote first: the unique index allows one current version per name at any moment.
        if (previous) tx.update(models).set({ status: "candidate" }).where(eq(models.id, previous.id)).run();
        tx.update(models).set({ status: "current" }).where(eq(models.id, row.id)).run();
        return { current: refOf(row), previous: previous ? refOf(previous) : null };
      },
      { behavior: "immediate" },
    );
  }

  /**
   * Archives `version` of `name`: it stays loadable when pinned, but loading by name skips it.
   * Refuses the current version (ModelStatusError): promote another one first. Archiving an
   * archived version changes nothing.
   */
  async archive(name: string, version: number): Promise<ModelRef> {
    return this.db.transaction(
      (tx) => {
        const row = this.pinned(name, version, tx);
        if (row.status === "current") {
          throw new ModelStatusError(`${label(name, version)} is the current one, so it cannot be archived; make another version current first`);
        }
        if (row.status !== "archived") tx.update(models).set({ status: "archived" }).where(eq(models.id, row.id)).run();
        return refOf(row);
      },
      { behavior: "immediate" },
    );
  }

  /** One version by name and number, or NotFoundError saying which versions there are. */
  private pinned(name: string, version: number, db: Pick<Db, "select"> = this.db): Row {
    const row = db
      .select()
      .from(models)
      .where(and(eq(models.name, name), eq(models.version, version)))
      .get();
    if (row) return row;
    const range = db
      .select({ count: sql<number>`count(*)`, min: sql<number | null>`min(${models.version})`, max: sql<number | null>`max(${models.version})` })
      .from(models)
      .where(eq(models.name, name))
      .get();
    if (!range?.count) throw new NotFoundError(`No saved model named "${name}"`);
    const has = range.min === range.max ? `version ${range.min}` : `versions ${range.min} to ${range.max}`;
    throw new NotFoundError(`Model "${name}" has no version ${version} (it has ${has})`);
  }

  /** NotFoundError unless some version of `name` was saved. */
  private knownName(name: string): void {
    const any = this.db.select({ id: models.id }).from(models).where(eq(models.name, name)).limit(1).get();
    if (!any) throw new NotFoundError(`No saved model named "${name}"`);
  }
}
