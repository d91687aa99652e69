// Connections: credentials flows use by name. The secret fields arrive encrypted (server-side code
// seals them with lib/secret-box.ts); this module never sees a plaintext secret.
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { AppError, NotFound } from "../../lib/errors";
import type { Store } from "./handle";

export type ConnectionRow = Store["t"]["connections"]["$inferSelect"];
export type ConnectionKind = ConnectionRow["kind"];
export type NewConnection = Pick<ConnectionRow, "name" | "kind" | "config" | "secret" | "hosts" | "plainHttpHosts"> & Partial<Pick<ConnectionRow, "origin" | "createdBy">>;

export class ConnectionNameTaken extends AppError {
  constructor(name: string) {
    super("CONFLICT", `A connection named "${name}" already exists; choose another name`);
  }
}

export function list(s: Store, kind?: ConnectionKind): Promise<ConnectionRow[]> {
  return s.use(async (q) => {
    const { connections: c } = s.t;
    return q.select().from(c).where(kind ? eq(c.kind, kind) : undefined).orderBy(asc(c.name));
  });
}

export function byName(s: Store, name: string): Promise<ConnectionRow | null> {
  return s.use(async (q) => (await q.select().from(s.t.connections).where(eq(s.t.connections.name, name)))[0] ?? null);
}

export function get(s: Store, id: string): Promise<ConnectionRow> {
  return s.use(async (q) => {
    const [row] = await q.select().from(s.t.connections).where(eq(s.t.connections.id, id));
    if (!row) throw new NotFound(`No connection "${id}"`);
    return row;
  });
}

export function create(s: Store, row: NewConnection): Promise<ConnectionRow> {
  return s.tx(
    async (q) => {
      const { connections: c } = s.t;
      if ((await q.select({ id: c.id }).from(c).where(eq(c.name, row.name))).length) throw new ConnectionNameTaken(row.name);
      const at = Date.now();
      return (await q.insert(c).values({ id: randomUUID(), ...row, createdAt: at, updatedAt: at }).returning())[0]!;
    },
    [`connection:${row.name}`],
  );
}

/** `secret` undefined keeps the stored one (secret fields are write-only: a form that leaves them blank keeps them). */
export function update(s: Store, id: string, patch: Partial<Omit<NewConnection, "kind">>): Promise<ConnectionRow> {
  return s.tx(async (q) => {
    const { connections: c } = s.t;
    const [old] = await q.select().from(c).where(eq(c.id, id));
    if (!old) throw new NotFound(`No connection "${id}"`);
    if (patch.name && patch.name !== old.name && (await q.select({ id: c.id }).from(c).where(eq(c.name, patch.name))).length) throw new ConnectionNameTaken(patch.name);
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    return (await q.update(c).set({ ...set, updatedAt: Date.now() }).where(eq(c.id, id)).returning())[0]!;
  });
}

export function recordTest(s: Store, id: string, result: { ok: boolean; message: string }): Promise<void> {
  return s.use(async (q) => {
    await q.update(s.t.connections).set({ lastTest: { at: Date.now(), ...result } }).where(eq(s.t.connections.id, id));
  });
}

export function remove(s: Store, id: string): Promise<ConnectionRow> {
  return s.use(async (q) => {
    const [row] = await q.delete(s.t.connections).where(eq(s.t.connections.id, id)).returning();
    if (!row) throw new NotFound(`No connection "${id}"`);
    return row;
  });
}

/** Every stored secret, for re-encryption under a new key: `reseal` maps old ciphertext to new, all in one transaction. */
export function resealAll(s: Store, reseal: (ciphertext: string) => string): Promise<number> {
  return s.tx(async (q) => {
    const { connections: c } = s.t;
    const rows = await q.select({ id: c.id, secret: c.secret }).from(c);
    let n = 0;
    for (const r of rows) {
      if (!r.secret) continue;
      await q.update(c).set({ secret: reseal(r.secret) }).where(eq(c.id, r.id));
      n++;
    }
    // Webhook signing secrets are sealed with the same key.
    const { webhookEndpoints: w } = s.t;
    for (const r of await q.select({ flowId: w.flowId, secret: w.secret }).from(w)) {
      if (!r.secret) continue;
      await q.update(w).set({ secret: reseal(r.secret) }).where(eq(w.flowId, r.flowId));
      n++;
    }
    return n;
  }, ["connections:reseal"]);
}
