// Model versions and their statuses (metadata only: artifacts are files in the shared folder,
// written and read by db/model-registry.ts).
//
// The first version of a name becomes "current" by itself; every later one is a "candidate" until
// promoted; "archived" versions are kept but only loaded when pinned. Loading by name alone gives
// the current version, or, when none is promoted, the newest version that is not archived. Status
// changes are one transaction each, locked on the model's name, and a partial unique index
// (models_one_current) keeps a name to one current version whatever writes to the table.
import { and, count, desc, eq, ne, sql } from "drizzle-orm";
import { Precondition } from "../../lib/errors";
import { NotFoundError } from "../../nodes/sdk/errors";
import type { ModelRef } from "../../nodes/sdk/types";
import type { Q, Store } from "./handle";

export type ModelRow = Store["t"]["models"]["$inferSelect"];
export type ModelStatus = ModelRow["status"];

/** A status change the version's current status does not allow (archiving the current version). */
export class ModelStatusError extends Precondition {}

export interface NewModel {
  id: string;
  name: string;
  kind: string;
  metrics: Record<string, unknown>;
  artifactPath: string;
  datasetId?: string;
  inputSchema: { name: string; type: string | null }[] | null;
  runId?: string;
  nodeId?: string;
}

const label = (name: string, version: number) => `version ${version} of model "${name}"`;
const lock = (name: string) => `model:${name}`;
export const refOf = (row: Pick<ModelRow, "id" | "name" | "version">): ModelRef => ({ kind: "model", id: row.id, name: row.name, version: row.version });

/** The next version of its name; current when the name has no current version (the first one). */
export function insert(s: Store, model: NewModel): Promise<ModelRef> {
  return s.tx(
    async (q) => {
      const { models } = s.t;
      const [last] = await q.select({ v: models.version }).from(models).where(eq(models.name, model.name)).orderBy(desc(models.version)).limit(1);
      const version = (last?.v ?? 0) + 1;
      const [current] = await q
        .select({ id: models.id })
        .from(models)
        .where(and(eq(models.name, model.name), eq(models.status, "current")));
      await q.insert(models).values({ ...model, version, status: current ? "candidate" : "current", createdAt: Date.now() });
      return refOf({ id: model.id, name: model.name, version });
    },
    [lock(model.name)],
  );
}

export function byId(s: Store, id: string): Promise<ModelRow> {
  return s.use(async (q) => {
    const [row] = await q.select().from(s.t.models).where(eq(s.t.models.id, id));
    if (!row) throw new NotFoundError(`No saved model with id ${id}`);
    return row;
  });
}

/** One version by name and number, or NotFoundError saying which versions there are. */
async function pinnedIn(q: Q, s: Store, name: string, version: number): Promise<ModelRow> {
  const { models } = s.t;
  const [row] = await q
    .select()
    .from(models)
    .where(and(eq(models.name, name), eq(models.version, version)));
  if (row) return row;
  const [range] = await q
    .select({ n: count(), min: sql<number | null>`min(${models.version})`, max: sql<number | null>`max(${models.version})` })
    .from(models)
    .where(eq(models.name, name));
  if (!range?.n) throw new NotFoundError(`No saved model named "${name}"`);
  const has = Number(range.min) === Number(range.max) ? `version ${range.min}` : `versions ${range.min} to ${range.max}`;
  throw new NotFoundError(`Model "${name}" has no version ${version} (it has ${has})`);
}

export function pinned(s: Store, name: string, version: number): Promise<ModelRow> {
  return s.use((q) => pinnedIn(q, s, name, version));
}

async function knownName(q: Q, s: Store, name: string): Promise<void> {
  const [any] = await q.select({ id: s.t.models.id }).from(s.t.models).where(eq(s.t.models.name, name)).limit(1);
  if (!any) throw new NotFoundError(`No saved model named "${name}"`);
}

/** The current version, else the newest that is not archived; never an archived one. */
export function byName(s: Store, name: string): Promise<ModelRow> {
  return s.use(async (q) => {
    const { models } = s.t;
    const [row] = await q
      .select()
      .from(models)
      .where(and(eq(models.name, name), ne(models.status, "archived")))
      .orderBy(desc(sql`case when ${models.status} = 'current' then 1 else 0 end`), desc(models.version))
      .limit(1);
    if (row) return row;
    await knownName(q, s, name);
    throw new NotFoundError(`Every version of model "${name}" is archived; give a version to load an archived one`);
  });
}

/** The current version of `name`; null when none is promoted. NotFoundError for a name never saved. */
export function current(s: Store, name: string): Promise<ModelRow | null> {
  return s.use(async (q) => {
    const { models } = s.t;
    const [row] = await q
      .select()
      .from(models)
      .where(and(eq(models.name, name), eq(models.status, "current")));
    if (row) return row;
    await knownName(q, s, name);
    return null;
  });
}

/**
 * Makes `version` the current version of `name` (an archived one too: that is how an archived
 * version comes back); the previous current one becomes a candidate. Promoting the current
 * version changes nothing.
 */
export function promote(s: Store, name: string, version: number): Promise<{ current: ModelRef; previous: ModelRef | null }> {
  return s.tx(
    async (q) => {
      const { models } = s.t;
      const row = await pinnedIn(q, s, name, version);
      if (row.status === "current") return { current: refOf(row), previous: null };
      const [previous] = await q
        .select({ id: models.id, name: models.name, version: models.version })
        .from(models)
        .where(and(eq(models.name, name), eq(models.status, "current")));
      // Demote first: the unique index allows one current version per name at any moment.
      if (previous) await q.update(models).set({ status: "candidate" }).where(eq(models.id, previous.id));
      await q.update(models).set({ status: "current" }).where(eq(models.id, row.id));
      return { current: refOf(row), previous: previous ? refOf(previous) : null };
    },
    [lock(name)],
  );
}

/** Archives `version` of `name`; refuses the current version (ModelStatusError). */
export function archive(s: Store, name: string, version: number): Promise<ModelRef> {
  return s.tx(
    async (q) => {
      const row = await pinnedIn(q, s, name, version);
      if (row.status === "current") {
        throw new ModelStatusError(`${label(name, version)} is the current one, so it cannot be archived; make another version current first`);
      }
      if (row.status !== "archived") await q.update(s.t.models).set({ status: "archived" }).where(eq(s.t.models.id, row.id));
      return refOf(row);
    },
    [lock(name)],
  );
}

/** Every version without artifacts, newest first. */
/** Every version, newest first, with the flow whose run trained it (null: trained outside a flow run, or the flow is gone). */
export function list(s: Store) {
  return s.use(async (q) => {
    const { models, runs, flows } = s.t;
    return q
      .select({
        flowId: runs.flowId,
        flowName: flows.name,
        id: models.id,
        name: models.name,
        version: models.version,
        kind: models.kind,
        status: models.status,
        metrics: models.metrics,
        inputSchema: models.inputSchema,
        datasetId: models.datasetId,
        runId: models.runId,
        nodeId: models.nodeId,
        createdAt: models.createdAt,
      })
      .from(models)
      .leftJoin(runs, eq(runs.id, models.runId))
      .leftJoin(flows, eq(flows.id, runs.flowId))
      .orderBy(desc(models.createdAt), desc(models.version));
  });
}

export function total(s: Store): Promise<number> {
  return s.use(async (q) => (await q.select({ n: count() }).from(s.t.models))[0]?.n ?? 0);
}
