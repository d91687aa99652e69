// Customer profiles and identity. Events from the inbox are applied in inbox order (by the worker's
// inbox pump, in one transaction with its cursor): a userId, anonymousId or alias joins ids into one
// profile, merging two profiles when an event shows they are the same customer; identify merges
// traits. Flows write traits too (the profile write node), keyed by userId.
import { and, asc, desc, eq, inArray, isNull, ne, or, sql, type SQL } from "drizzle-orm";
import { NotFound } from "../../lib/errors";
import type { InboxRow } from "./events";
import type { Q, Store } from "./handle";
import { resolveAll, TIMEZONE_TRAIT, type Id, type IdentityRow, type ProfileRow, type Sighting } from "./profile-resolve";
import type { CohortRow } from "./triggers";

export { CONSENT_TRAIT, mergeTraits, TIMEZONE_TRAIT, type IdentityRow, type ProfileRow } from "./profile-resolve";

const MAX_ID = 200;

const str = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim().slice(0, MAX_ID) : typeof v === "number" ? String(v) : null);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What an event says about who sent it, and which traits it sets. */
export function identityOf(e: Pick<InboxRow, "type" | "userId" | "anonymousId" | "payload">): { ids: Id[]; traits: Record<string, unknown> | null } {
  const ids: Id[] = [];
  const user = str(e.userId);
  const anon = str(e.anonymousId);
  if (user) ids.push({ kind: "user", value: user });
  if (anon) ids.push({ kind: "anonymous", value: anon });
  const p = e.payload ?? {};
  if (e.type === "alias") {
    // Segment's previousId is most often the anonymousId the customer had before signing up. Ids
    // are looked up by value whatever their kind, so an earlier userId is found as well.
    const previous = str(p.previousId);
    if (previous && !ids.some((id) => id.value === previous)) ids.push({ kind: "anonymous", value: previous });
  }
  let traits: Record<string, unknown> | null = null;
  if (e.type === "identify") traits = isObject(p.traits) ? { ...p.traits } : {};
  // Browsers send their time zone with every event: it fills the trait until identify sets one.
  const tz = isObject(p.context) ? str(p.context.timezone) : null;
  if (tz) traits = { ...(traits ?? {}), [`$context_${TIMEZONE_TRAIT}`]: tz };
  return { ids, traits };
}

/**
 * Applies inbox events to profiles, in order, inside the caller's transaction (one batch: see
 * profile-resolve.ts); returns how many had an id.
 */
export async function applyEvents(q: Q, s: Store, events: readonly InboxRow[]): Promise<number> {
  const sightings: Sighting[] = [];
  for (const e of events) if (e.type !== "webhook" && e.type !== "upload") sightings.push({ ...identityOf(e), seenAt: e.timestamp });
  return (await resolveAll(q, s, sightings)).filter((id) => id !== null).length;
}

/** Trait updates from a flow, one per userId (a profile is created for an id not seen before). */
export function writeTraits(s: Store, rows: readonly { userId: string; traits: Record<string, unknown> }[]): Promise<number> {
  return s.tx(
    async (q) => {
      const sightings: Sighting[] = [];
      for (const r of rows) {
        const user = str(r.userId);
        if (user) sightings.push({ ids: [{ kind: "user", value: user }], traits: r.traits, seenAt: null });
      }
      return (await resolveAll(q, s, sightings)).filter((id) => id !== null).length;
    },
    ["profiles"],
  );
}

/** The profile, following merges to the one that absorbed it. */
export function get(s: Store, id: string): Promise<ProfileRow & { identities: IdentityRow[] }> {
  return s.use(async (q) => {
    const { profiles: p, identities: i } = s.t;
    let row: ProfileRow | undefined;
    for (let hop = 0, at = id; hop < 10; hop++) {
      [row] = await q.select().from(p).where(eq(p.id, at));
      if (!row?.mergedInto) break;
      at = row.mergedInto;
    }
    if (!row) throw new NotFound(`No customer with profile id ${id}`);
    const ids = await q.select().from(i).where(eq(i.profileId, row.id)).orderBy(asc(i.createdAt));
    return { ...row, identities: ids };
  });
}

/** The profile a userId or anonymousId belongs to, or null. */
export function byIdentity(s: Store, value: string): Promise<string | null> {
  return s.use(async (q) => {
    const [row] = await q.select({ profileId: s.t.identities.profileId }).from(s.t.identities).where(eq(s.t.identities.value, value)).limit(1);
    return row?.profileId ?? null;
  });
}

/** `like`, escaped, and case-insensitive on both databases (SQLite's like is, for ASCII; PostgreSQL's is not). */
function contains(s: Store, value: SQL, text: string): SQL {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return s.dialect === "postgres" ? sql`${value} ilike ${pattern} escape '\\'` : sql`${value} like ${pattern} escape '\\'`;
}

/** Profiles whose id, a userId/anonymousId or a trait value (e-mail, name...) contains the text; last seen first. */
export function search(s: Store, text: string, limit = 50): Promise<ProfileRow[]> {
  return s.use(async (q) => {
    const { profiles: p, identities: i } = s.t;
    const needle = text.trim();
    const live = isNull(p.mergedInto);
    if (!needle) return q.select().from(p).where(live).orderBy(desc(p.lastSeen)).limit(limit);
    const byId = q.select({ id: i.profileId }).from(i).where(contains(s, sql`${i.value}`, needle));
    // Trait values only (not their names: "email" should not find everyone who has one); a value
    // that is an object (consent) is searched as its JSON text.
    const byTrait =
      s.dialect === "postgres"
        ? sql`exists (select 1 from jsonb_each_text(${p.traits}) as tv(k, v) where ${contains(s, sql`tv.v`, needle)})`
        : sql`exists (select 1 from json_each(${p.traits}) as tv where ${contains(s, sql`tv.value`, needle)})`;
    return q
      .select()
      .from(p)
      .where(and(live, or(eq(p.id, needle), inArray(p.id, byId), byTrait)))
      .orderBy(desc(p.lastSeen))
      .limit(limit);
  });
}

/** A customer's events, newest first (from the inbox, by every id the profile is known by). */
export function timeline(s: Store, profileId: string, limit = 100): Promise<InboxRow[]> {
  return s.use(async (q) => {
    const { identities: i, inbox } = s.t;
    // By value, whatever the kind, the way events are joined to profiles (an alias's previousId is
    // recorded as anonymous, but may have been someone's userId).
    const values = (await q.select({ value: i.value }).from(i).where(eq(i.profileId, profileId))).map((r) => r.value);
    if (!values.length) return [];
    return q
      .select()
      .from(inbox)
      .where(or(inArray(inbox.userId, values), inArray(inbox.anonymousId, values)))
      .orderBy(desc(inbox.position))
      .limit(limit);
  });
}

/** A flow run whose trigger data included a customer. */
export interface ProfileCohort {
  /** The cohort's id, which is its run's id. */
  runId: string;
  flowId: string;
  /** Null when the flow was deleted. */
  flowName: string | null;
  kind: CohortRow["kind"];
  /** When the cohort was decided. */
  at: number;
  /** Audience cohorts: "entered" or "left". */
  change: string | null;
  /** Null while the run has not been created (or when it was deleted with its flow). */
  runStatus: string | null;
  /** Why the run could not be started, if it could not. */
  error: string | null;
}

/**
 * The cohorts (so the runs) a customer was in, newest first: audience cohorts list the profile
 * (or a profile merged into it) among their members; event cohorts list inbox positions, matched
 * against every event of any of the customer's ids. Cohorts are scanned (their members are JSON
 * arrays, not indexed), so this is for one customer's page, not for lists.
 */
export function cohortsOf(s: Store, profileId: string, limit = 100): Promise<ProfileCohort[]> {
  return s.use(async (q) => {
    const { profiles: p, identities: i, cohorts: c, flows: f, runs: r, inbox } = s.t;
    const merged = (await q.select({ id: p.id }).from(p).where(eq(p.mergedInto, profileId))).map((row) => row.id);
    const profileIds = [profileId, ...merged];
    const values = (await q.select({ value: i.value }).from(i).where(eq(i.profileId, profileId))).map((row) => row.value);
    const list = (xs: readonly string[]) => sql.join(
      xs.map((x) => sql`${x}`),
      sql`, `,
    );
    const pg = s.dialect === "postgres";
    const audience = pg
      ? sql`exists (select 1 from jsonb_array_elements_text(${c.members}) as m(v) where m.v in (${list(profileIds)}))`
      : sql`exists (select 1 from json_each(${c.members}) as m where m.value in (${list(profileIds)}))`;
    const mine = sql`(${inbox.userId} in (${list(values)}) or ${inbox.anonymousId} in (${list(values)}))`;
    const events = !values.length
      ? undefined
      : pg
        ? sql`exists (select 1 from jsonb_array_elements_text(${c.members}) as m(v) join ${inbox} on ${inbox.position}::text = m.v where ${mine})`
        : sql`exists (select 1 from json_each(${c.members}) as m join ${inbox} on ${inbox.position} = m.value where ${mine})`;
    const change = sql.join(
      profileIds.map((id) => (pg ? sql`${c.detail} ->> ${id}` : sql`json_extract(${c.detail}, ${`$."${id}"`})`)),
      sql`, `,
    );
    const rows = await q
      .select({ runId: c.id, flowId: c.flowId, flowName: f.name, kind: c.kind, at: c.createdAt, change: sql<string | null>`coalesce(${change}, null)`, runStatus: r.status, error: c.error })
      .from(c)
      .leftJoin(f, eq(f.id, c.flowId))
      .leftJoin(r, eq(r.id, c.id))
      .where(or(and(eq(c.kind, "audience"), audience), events && and(ne(c.kind, "audience"), events)))
      .orderBy(desc(c.createdAt), desc(c.id))
      .limit(limit);
    return rows.map((row) => ({ ...row, at: Number(row.at), change: row.kind === "audience" ? (row.change ?? "entered") : null }));
  });
}

/** Every live profile (id, userId, traits), for audiences. */
export function all(s: Store): Promise<Pick<ProfileRow, "id" | "userId" | "traits">[]> {
  return s.use(async (q) => q.select({ id: s.t.profiles.id, userId: s.t.profiles.userId, traits: s.t.profiles.traits }).from(s.t.profiles).where(isNull(s.t.profiles.mergedInto)));
}

export function byIds(s: Store, ids: readonly string[]): Promise<ProfileRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return s.use(async (q) => {
    const out: ProfileRow[] = [];
    for (let n = 0; n < ids.length; n += 500) out.push(...(await q.select().from(s.t.profiles).where(inArray(s.t.profiles.id, ids.slice(n, n + 500)))));
    return out;
  });
}

/** Profile ids for identities (userId or anonymousId values), for an events cohort. */
export function idsFor(s: Store, values: readonly string[]): Promise<Map<string, string>> {
  return s.use(async (q) => {
    const out = new Map<string, string>();
    const unique = [...new Set(values)];
    for (let n = 0; n < unique.length; n += 500) {
      for (const r of await q.select().from(s.t.identities).where(inArray(s.t.identities.value, unique.slice(n, n + 500)))) out.set(r.value, r.profileId);
    }
    return out;
  });
}

export function count(s: Store): Promise<number> {
  return s.use(async (q) => (await q.select({ n: sql<number>`count(*)` }).from(s.t.profiles).where(isNull(s.t.profiles.mergedInto)))[0]?.n ?? 0).then(Number);
}
