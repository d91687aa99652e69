// ctx.guardrails: the one place every node's sends are checked, whichever flow asks. Per customer:
// the global control group, consent and quiet hours from their profile (lib/guardrails-rules.ts),
// then the channel's frequency cap, counted and reserved in one store transaction shared by every
// flow and worker (db/store/guardrails.ts).
import { guardrails, type Store } from "../../db/store";
import { screen, capReason, zoneOf } from "../../lib/guardrails-rules";
import type { GuardrailAccess, GuardrailDecision } from "../../nodes/sdk/types";

export interface GuardrailsOptions {
  store: Store;
  /** The ledger key of this node's send to a customer: the reservation's key. */
  key: (customer: string) => string;
  /** Profiles by customer id (those without one are absent). */
  traits: (ids: readonly string[]) => Promise<Map<string, { profileId: string; traits: Record<string, unknown> }>>;
  /** The clock (tests). */
  now?: () => number;
}

const ALLOW: GuardrailDecision = { action: "allow" };

export function guardrailsAccess(o: GuardrailsOptions): GuardrailAccess {
  return {
    async check(channel, customers, opts = {}) {
      const out = new Map<string, GuardrailDecision>();
      // Transactional (a receipt, a password reset): not marketing, so none of this applies.
      if (opts.marketing === false || !customers.length) {
        for (const c of customers) out.set(c, ALLOW);
        return out;
      }
      const [s, found] = await Promise.all([guardrails.settings(o.store), o.traits(customers)]);
      const now = (o.now ?? Date.now)();
      const counted: { customer: string; key: string; subject: string; zone: string }[] = [];
      for (const customer of customers) {
        const p = found.get(customer);
        // A person is counted (and placed in the control group) by their profile: the same under every id they are known by.
        const subject = p ? `p:${p.profileId}` : `c:${customer}`;
        const decided = screen({ subject, traits: p?.traits }, channel, s, now);
        if (decided) out.set(customer, decided);
        else counted.push({ customer, key: o.key(customer), subject, zone: zoneOf(p?.traits, s.timeZone) });
      }
      const cap = s.caps[channel as keyof typeof s.caps] ?? null;
      const refused = await guardrails.reserve(o.store, channel, counted, cap, now);
      for (const r of counted) out.set(r.customer, refused.has(r.key) ? { action: "suppress", reason: capReason(channel, cap!) } : ALLOW);
      return out;
    },
    release: (customers) => guardrails.release(o.store, customers.map(o.key)),
  };
}
