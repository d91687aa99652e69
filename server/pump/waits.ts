// Which waiting customers an event releases (a wait-for-event step's event name and tests), and
// the pump's part in it: release them with the cursor in one transaction, then signal the runs.
// A signal that does not arrive (Temporal away) is sent again while the customers stay unclaimed.
import { WorkflowNotFoundError, type Client } from "@temporalio/client";
import { journeys, profiles, type Store } from "../../db/store";
import type { InboxRow } from "../../db/store/events";
import type { WaitRow } from "../../db/store/journeys";
import { passes, readsTraits, type Condition } from "../../nodes/trigger/conditions";

export interface Release {
  waitId: string;
  profileId: string | null;
  /** The ids the event came with: a customer held under one of them is released even without a profile. */
  customerIds: string[];
  position: number;
}

/** Pure: the releases these events make among these waits. */
export function releasesFor(
  waits: readonly WaitRow[],
  events: readonly InboxRow[],
  profileOf: (e: InboxRow) => string | null,
  traitsOf: (e: InboxRow) => Record<string, unknown> | undefined,
): Release[] {
  const byEvent = new Map<string, WaitRow[]>();
  for (const w of waits) byEvent.set(w.event, [...(byEvent.get(w.event) ?? []), w]);
  const out: Release[] = [];
  for (const e of events) {
    if (e.type !== "track" || !e.event) continue;
    for (const w of byEvent.get(e.event) ?? []) {
      // Only what they do while they wait: not an event from before, nor one after the deadline.
      if (e.receivedAt < w.since || e.receivedAt > w.deadline) continue;
      const conds = w.conditions as Condition[];
      const subject = { properties: (e.payload ?? {}).properties, traits: readsTraits(conds) ? (traitsOf(e) ?? {}) : undefined };
      if (conds.length && !passes(conds, w.match, subject)) continue;
      out.push({ waitId: w.id, profileId: profileOf(e), customerIds: [e.userId, e.anonymousId].filter((v): v is string => !!v), position: e.position });
    }
  }
  return out;
}

/** Who sent these events: their profiles (and traits, when asked). */
export async function senders(store: Store, events: readonly InboxRow[], withTraits: boolean) {
  const ids = await profiles.idsFor(store, events.flatMap((e) => [e.userId, e.anonymousId].filter((v): v is string => !!v)));
  const profileOf = (e: InboxRow) => (e.userId && ids.get(e.userId)) || (e.anonymousId && ids.get(e.anonymousId)) || null;
  const traits = new Map<string, Record<string, unknown>>();
  if (withTraits) for (const p of await profiles.byIds(store, [...new Set(ids.values())])) traits.set(p.id, p.traits);
  return { profileOf, traitsOf: (e: InboxRow) => traits.get(profileOf(e) ?? "") };
}

const RESIGNAL_MS = 3_000;
const GONE_AFTER_MS = 10 * 60_000;

export function waitReleaser(store: Store, client: Client, log: (m: string) => void) {
  const signalled = new Map<string, number>();
  async function signal(w: Pick<WaitRow, "id" | "workflowId" | "nodeId" | "since">): Promise<void> {
    signalled.set(w.id, Date.now());
    try {
      await client.workflow.getHandle(w.workflowId).signal("release", w.nodeId);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError && Date.now() - w.since > GONE_AFTER_MS) {
        // Long past its start and no workflow: the run holding it is over (cancelled, terminated),
        // and nobody will take these customers. (A holder just starting is not found for a moment.)
        await journeys.close(store, w.id);
        log(`wait ${w.id}: its workflow ${w.workflowId} is gone; closed`);
        return;
      }
      log(`wait ${w.id}: signal not delivered, will retry: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return {
    /** Releases the customers the events up to `upTo` release; returns how many waits it signalled. */
    async pass(upTo: number): Promise<number> {
      const open = await journeys.open(store);
      // Nobody waits: nothing to read (a wait heeds only events from its own start on).
      if (!open.length) return 0;
      const released = await journeys.release(store, upTo, 5000, async (events) => {
        const relevant = open.length ? events.filter((e) => e.type === "track" && open.some((w) => w.event === e.event)) : [];
        if (!relevant.length) return [];
        const { profileOf, traitsOf } = await senders(store, relevant, open.some((w) => readsTraits(w.conditions as Condition[])));
        return releasesFor(open, relevant, profileOf, traitsOf);
      });
      const byId = new Map(open.map((w) => [w.id, w]));
      for (const id of released) await signal(byId.get(id)!);
      // Runs that missed a signal (Temporal was away, the run was between takes): tell them again.
      const now = Date.now();
      for (const w of await journeys.unclaimed(store, now - RESIGNAL_MS)) {
        if (now - (signalled.get(w.id) ?? 0) >= RESIGNAL_MS) await signal(w);
      }
      return released.length;
    },
  };
}
