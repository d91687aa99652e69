// The audit log: append and read, nothing else (the database refuses updates and deletes too).
import { randomUUID } from "node:crypto";
import { and, desc, eq, gte, like, lt, lte, or, type SQL } from "drizzle-orm";
import type { Store } from "./handle";

export type AuditRow = Store["t"]["auditLog"]["$inferSelect"];
export type AuditEntry = Omit<AuditRow, "id" | "at" | "outcome" | "detail" | "target" | "ip" | "actorId"> &
  Partial<Pick<AuditRow, "at" | "outcome" | "detail" | "target" | "ip" | "actorId">>;

export function append(s: Store, entry: AuditEntry): Promise<AuditRow> {
  return s.use(async (q) => {
    const row = { id: randomUUID(), at: Date.now(), outcome: "ok", ...entry };
    return (await q.insert(s.t.auditLog).values(row).returning())[0]!;
  });
}

export interface AuditFilter {
  /** An action, or a prefix of one ending in "." (e.g. "connection."). */
  action?: string;
  /** Part of the actor's name or e-mail address. */
  actor?: string;
  /** Part of the target. */
  target?: string;
  outcome?: string;
  from?: number;
  to?: number;
  /** Entries older than this one (paging), given as its `at` and `id`. */
  before?: { at: number; id: string };
  limit?: number;
}

const escapeLike = (v: string) => v.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Newest first. */
export function list(s: Store, f: AuditFilter = {}): Promise<AuditRow[]> {
  return s.use(async (q) => {
    const { auditLog: a } = s.t;
    const where: (SQL | undefined)[] = [];
    if (f.action) where.push(f.action.endsWith(".") ? like(a.action, `${escapeLike(f.action)}%`) : eq(a.action, f.action));
    if (f.actor) where.push(like(a.actor, `%${escapeLike(f.actor)}%`));
    if (f.target) where.push(like(a.target, `%${escapeLike(f.target)}%`));
    if (f.outcome) where.push(eq(a.outcome, f.outcome));
    if (f.from !== undefined) where.push(gte(a.at, f.from));
    if (f.to !== undefined) where.push(lte(a.at, f.to));
    if (f.before) where.push(or(lt(a.at, f.before.at), and(eq(a.at, f.before.at), lt(a.id, f.before.id))));
    return q
      .select()
      .from(a)
      .where(and(...where))
      .orderBy(desc(a.at), desc(a.id))
      .limit(Math.min(f.limit ?? 200, 10_000));
  });
}
