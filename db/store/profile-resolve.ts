// Identity resolution for a batch of sightings (the inbox events of one pump batch, or the trait
// writes of one flow node), with a constant number of queries per batch: the identities of every id
// value in the batch are read with their profiles in one query (per 500 values), each sighting is
// resolved in memory, in order, exactly as it would be against the tables after the previous one,
// and the outcome is written at the end: identities moved to the profiles that absorbed theirs,
// profiles merged before into one absorbed now pointed at the new absorber, new identities, and
// every created or changed profile in its final state (one upsert per 500).
import { randomUUID } from "node:crypto";
import { eq, inArray, sql, type SQL } from "drizzle-orm";
import type { Q, Store } from "./handle";

export type ProfileRow = Store["t"]["profiles"]["$inferSelect"];
export type IdentityRow = Store["t"]["identities"]["$inferSelect"];
export interface Id {
  kind: IdentityRow["kind"];
  value: string;
}
/**
 * Ids seen together, and the traits they set. `seenAt` is when the customer was seen (an event's
 * time); null for trait updates from a flow, which change what is known about a customer but are
 * not a sighting of them (a new profile is first and last seen then, at the time of the write).
 */
export interface Sighting {
  ids: readonly Id[];
  traits: Record<string, unknown> | null;
  seenAt: number | null;
}

/** Traits with a known meaning: consent merges per channel rather than being replaced. */
export const CONSENT_TRAIT = "consent";
export const TIMEZONE_TRAIT = "timezone";
const CHUNK = 500;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The traits after `update`: top-level keys replaced, consent merged channel by channel. */
export function mergeTraits(base: Record<string, unknown>, update: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base, ...update };
  if (isObject(base[CONSENT_TRAIT]) && isObject(update[CONSENT_TRAIT])) out[CONSENT_TRAIT] = { ...base[CONSENT_TRAIT], ...update[CONSENT_TRAIT] };
  return out;
}

/** A sighting's traits applied: the browser's time zone (`$context_timezone`) fills the trait only when none is set. */
function withTraits(current: Record<string, unknown>, update: Record<string, unknown> | null): Record<string, unknown> {
  if (!update) return current;
  const { [`$context_${TIMEZONE_TRAIT}`]: contextTz, ...rest } = update;
  const out = mergeTraits(current, rest);
  if (contextTz && out[TIMEZONE_TRAIT] === undefined) out[TIMEZONE_TRAIT] = contextTz;
  return out;
}

const key = (id: Id) => `${id.kind}\u0000${id.value}`;
const byAge = (a: ProfileRow, b: ProfileRow) => a.firstSeen - b.firstSeen || a.id.localeCompare(b.id);
const chunks = <T>(xs: readonly T[]): T[][] => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, n) => xs.slice(n * CHUNK, (n + 1) * CHUNK));

/** The tables' rows the batch reads and changes, as they stand after the sightings resolved so far. */
class Working {
  readonly profiles = new Map<string, ProfileRow>();
  /** Identity (kind + value) -> its profile, for the identities of the batch's values. */
  readonly owner = new Map<string, string>();
  /** Value -> the identities with that value (one per kind), since ids are looked up by value. */
  readonly byValue = new Map<string, Set<string>>();
  readonly byProfile = new Map<string, Set<string>>();
  /** Identities in the table, including any whose profile row is missing (an insert of one does nothing). */
  readonly taken = new Set<string>();
  readonly newIdentities: IdentityRow[] = [];
  readonly created = new Set<string>();
  readonly changed = new Set<string>();
  /** Profiles live before the batch that were absorbed during it. */
  readonly losers = new Set<string>();

  /** `now`: one time for the batch (updatedAt, identities' createdAt, a trait write's new profile's sighting). */
  constructor(readonly now: number) {}

  addIdentity(id: Id, profileId: string): void {
    const k = key(id);
    this.taken.add(k);
    this.owner.set(k, profileId);
    (this.byValue.get(id.value) ?? this.byValue.set(id.value, new Set()).get(id.value)!).add(k);
    (this.byProfile.get(profileId) ?? this.byProfile.set(profileId, new Set()).get(profileId)!).add(k);
  }

  /** The profiles the ids belong to, oldest first (by first sighting, then id). */
  found(ids: readonly Id[]): ProfileRow[] {
    const out = new Set<string>();
    for (const id of ids) for (const k of this.byValue.get(id.value) ?? []) out.add(this.owner.get(k)!);
    return [...out].map((p) => this.profiles.get(p)!).sort(byAge);
  }

  /** Joins the ids into one profile (creating or merging as needed) and applies the traits; returns the profile id. */
  resolve({ ids, traits, seenAt }: Sighting): string | null {
    if (!ids.length) return null;
    const { now } = this;
    const found = this.found(ids);
    const at = seenAt ?? now;
    let winner: ProfileRow;
    if (!found.length) {
      const first = ids.find((id) => id.kind === "user");
      winner = { id: `p_${randomUUID()}`, userId: first?.value ?? null, traits: {}, firstSeen: at, lastSeen: at, updatedAt: now, mergedInto: null };
      this.created.add(winner.id);
    } else {
      winner = found[0]!;
      const losers = found.slice(1);
      if (losers.length) {
        // The oldest profile absorbs the others: their ids, their traits (the absorber's win), their first sighting.
        let merged: Record<string, unknown> = {};
        for (const l of [...losers].reverse()) merged = mergeTraits(merged, l.traits);
        winner = { ...winner, traits: mergeTraits(merged, winner.traits), userId: winner.userId ?? losers.find((l) => l.userId)?.userId ?? null };
        for (const l of losers) this.absorb(l, winner.id);
      }
    }
    // Ids whose value the profile does not have yet (whatever the kind), decided before adding any.
    const missing = ids.filter((id) => ![...(this.byValue.get(id.value) ?? [])].some((k) => this.owner.get(k) === winner.id));
    for (const id of missing) {
      if (this.taken.has(key(id))) continue;
      this.addIdentity(id, winner.id);
      this.newIdentities.push({ ...id, profileId: winner.id, createdAt: now });
    }
    this.profiles.set(winner.id, {
      ...winner,
      traits: withTraits(winner.traits, traits),
      userId: winner.userId ?? ids.find((id) => id.kind === "user")?.value ?? null,
      // Over every merged profile: an absorbed one may have been seen later than this sighting.
      firstSeen: Math.min(...found.map((f) => f.firstSeen), winner.firstSeen, seenAt ?? winner.firstSeen),
      lastSeen: Math.max(...found.map((f) => f.lastSeen), winner.lastSeen, seenAt ?? winner.lastSeen),
      updatedAt: now,
      mergedInto: null,
    });
    this.changed.add(winner.id);
    return winner.id;
  }

  /** The loser's identities move to the winner; it (and, through it, what it absorbed before) points at the winner. */
  private absorb(loser: ProfileRow, winnerId: string): void {
    const moved = this.byProfile.get(loser.id) ?? new Set<string>();
    const to = this.byProfile.get(winnerId) ?? this.byProfile.set(winnerId, new Set()).get(winnerId)!;
    for (const k of moved) {
      this.owner.set(k, winnerId);
      to.add(k);
    }
    this.byProfile.delete(loser.id);
    this.profiles.set(loser.id, { ...this.profiles.get(loser.id)!, mergedInto: winnerId, updatedAt: this.now });
    this.changed.add(loser.id);
    if (!this.created.has(loser.id)) this.losers.add(loser.id);
  }

  /** The live profile a profile of the batch ended up in. */
  absorber(id: string): string {
    let at = id;
    for (let hop = 0; hop <= this.profiles.size; hop++) {
      const next = this.profiles.get(at)?.mergedInto;
      if (!next) break;
      at = next;
    }
    return at;
  }
}

/** Reads the identities of the batch's id values, with their profiles. */
async function load(q: Q, s: Store, w: Working, sightings: readonly Sighting[]): Promise<void> {
  const { identities: i, profiles: p } = s.t;
  const values = [...new Set(sightings.flatMap((x) => x.ids.map((id) => id.value)))];
  for (const part of chunks(values)) {
    const rows = await q.select({ identity: i, profile: p }).from(i).leftJoin(p, eq(p.id, i.profileId)).where(inArray(i.value, part));
    for (const { identity, profile } of rows) {
      if (!profile) {
        w.taken.add(key(identity));
        continue;
      }
      if (!w.profiles.has(profile.id)) w.profiles.set(profile.id, profile);
      w.addIdentity(identity, identity.profileId);
    }
  }
}

/** `CASE column WHEN from THEN to ... END` over the pairs. */
const remap = (column: SQL, pairs: readonly [string, string][]) => sql`case ${column} ${sql.join(
  pairs.map(([from, to]) => sql`when ${from} then ${to}`),
  sql` `,
)} end`;

async function write(q: Q, s: Store, w: Working): Promise<void> {
  const { identities: i, profiles: p } = s.t;
  const moves = [...w.losers].map((l): [string, string] => [l, w.absorber(l)]);
  for (const part of chunks(moves)) {
    const from = part.map(([l]) => l);
    await q.update(i).set({ profileId: remap(sql`${i.profileId}`, part) }).where(inArray(i.profileId, from));
    // Profiles absorbed before this batch by one absorbed now: the absorber's absorber.
    await q.update(p).set({ mergedInto: remap(sql`${p.mergedInto}`, part), updatedAt: w.now }).where(inArray(p.mergedInto, from));
  }
  // With the profile they ended up in (the one they were added to may have been absorbed since).
  const added = w.newIdentities.map((row) => ({ ...row, profileId: w.owner.get(key(row))! }));
  for (const part of chunks(added)) await q.insert(i).values(part).onConflictDoNothing();
  const rows = [...w.changed].map((id) => {
    const row = w.profiles.get(id)!;
    return row.mergedInto ? { ...row, mergedInto: w.absorber(id) } : row;
  });
  const excluded = (c: { name: string }) => sql.raw(`excluded."${c.name}"`);
  for (const part of chunks(rows)) {
    await q
      .insert(p)
      .values(part)
      .onConflictDoUpdate({
        target: p.id,
        set: { userId: excluded(p.userId), traits: excluded(p.traits), firstSeen: excluded(p.firstSeen), lastSeen: excluded(p.lastSeen), updatedAt: excluded(p.updatedAt), mergedInto: excluded(p.mergedInto) },
      });
  }
}

/**
 * Resolves the sightings in order, inside the caller's transaction; returns each one's profile id
 * (null for a sighting without ids).
 */
export async function resolveAll(q: Q, s: Store, sightings: readonly Sighting[]): Promise<(string | null)[]> {
  const w = new Working(Date.now());
  await load(q, s, w, sightings);
  const out = sightings.map((x) => w.resolve(x));
  await write(q, s, w);
  return out;
}
