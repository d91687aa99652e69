// The journeys' exit events: a customer who does a flow's exit event (e.g. they bought) leaves its
// journey wherever they wait. Decided with the pump's "exits" cursor in one transaction.
import type { Store } from "../../db/store";
import { exitPass, exitRules } from "../../db/store/journey-entries";
import { passes, readsTraits, type Condition } from "../../nodes/trigger/conditions";
import { senders } from "./waits";

export function exitTaker(store: Store) {
  return {
    /** Takes out of their journeys the customers whose events up to `upTo` are exit events; returns how many left. */
    async pass(upTo: number): Promise<number> {
      const rules = await exitRules(store);
      // No exit events anywhere: nothing to read (entries and waits only heed events from their own time on).
      if (!rules.length) return 0;
      return exitPass(store, upTo, 5000, async (events) => {
        const relevant = rules.length ? events.filter((e) => e.type === "track" && rules.some((r) => r.exitEvent === e.event)) : [];
        if (!relevant.length) return [];
        const { profileOf, traitsOf } = await senders(store, relevant, rules.some((r) => readsTraits(r.exitConditions as Condition[])));
        const out: { flowId: string; customerIds: string[]; profileIds: string[]; at: number; reason: string }[] = [];
        for (const e of relevant) {
          for (const r of rules.filter((x) => x.exitEvent === e.event)) {
            const conds = r.exitConditions as Condition[];
            const profile = profileOf(e);
            if (conds.length && !passes(conds, r.exitMatch, { properties: (e.payload ?? {}).properties, traits: readsTraits(conds) ? (traitsOf(e) ?? {}) : undefined })) continue;
            out.push({ flowId: r.flowId, customerIds: [e.userId, e.anonymousId].filter((v): v is string => !!v), profileIds: profile ? [profile] : [], at: e.receivedAt, reason: `left: ${e.event}` });
          }
        }
        return out;
      });
    },
  };
}
