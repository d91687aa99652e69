// What the sending nodes share about the guardrails (ctx.guardrails decides; nodes/sdk/types.ts):
// the marketing switch, and the rows that quiet hours put off, turned into the parts the
// interpreter runs the node again for, each at its time (NodeResult.defer).
import { z } from "zod";
import type { DatasetRef, Defer, LedgerEntry, NodeContext } from "../sdk";

export const marketingField = z
  .boolean()
  .default(true)
  .describe(
    "Marketing (the default): the guardrails apply, as the admin set them for every flow: consent, frequency caps, quiet hours, the global control group. Off only for transactional messages (a receipt, a password reset), which go out regardless.",
  );

const TAG = "__loopwright_deferred";
const MINUTE = 60_000;

/** Rows put off until the end of quiet hours, by position in the node's input; one part per release minute. */
export class Deferrals {
  private at: Float64Array | null = null;
  private readonly perTime = new Map<number, number>();
  count = 0;

  constructor(private readonly input: DatasetRef) {}

  add(position: number, until: number): void {
    const t = Math.ceil(until / MINUTE) * MINUTE;
    (this.at ??= new Float64Array(this.input.rows).fill(-1))[position] = t;
    this.perTime.set(t, (this.perTime.get(t) ?? 0) + 1);
    this.count++;
  }

  /** When the parts go, and how many customers each: for the node's metrics. */
  schedule(): { at: string; customers: number }[] {
    return [...this.perTime].sort((a, b) => a[0] - b[0]).map(([t, n]) => ({ at: new Date(t).toISOString(), customers: n }));
  }

  /** The input without the deferred rows (what goes on now), and one part per release time, its rows on `port`. */
  async split(ctx: NodeContext, port: string): Promise<{ now: DatasetRef; defer: Defer }> {
    if (!this.at) return { now: this.input, defer: [] };
    const ds = ctx.datasets;
    const times = [...this.perTime.keys()].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const tagged = await ds.addColumns(this.input, [{ name: TAG, type: "INTEGER", values: Array.from(this.at, (t) => (t < 0 ? -1 : index.get(t)!)) }]);
    const part = (i: number) => ds.create(`SELECT * EXCLUDE (${ds.ident(TAG)}) FROM ${ds.from(tagged)} WHERE ${ds.ident(TAG)} = ${i}`);
    const defer: Defer = [];
    for (const [i, t] of times.entries()) {
      defer.push({ at: t, label: `quiet hours until ${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`, inputs: { [port]: await part(i) } });
    }
    return { now: await part(-1), defer };
  }
}

/**
 * Asks the guardrails about these candidates (rows ready to send) and records in the ledger, as
 * suppressed with the reason, those they stop and those they put off (added to `deferrals`).
 * Returns the candidates to send now (a contact is reserved for each: give it back with
 * ctx.guardrails.release when the send fails), and the reasons of the suppressed, one per customer.
 */
export async function guard<T extends { customer: string; position: number }>(
  ctx: NodeContext,
  o: { channel: string; marketing: boolean; deferrals: Deferrals; entry: (c: T) => Omit<LedgerEntry, "status" | "reason"> },
  candidates: readonly T[],
): Promise<{ allowed: T[]; suppressed: string[] }> {
  if (!candidates.length) return { allowed: [], suppressed: [] };
  const decisions = await ctx.guardrails.check(o.channel, candidates.map((c) => c.customer), { marketing: o.marketing });
  const allowed: T[] = [];
  const suppressed: string[] = [];
  const entries: LedgerEntry[] = [];
  for (const c of candidates) {
    const d = decisions.get(c.customer)!;
    if (d.action === "allow") {
      allowed.push(c);
      continue;
    }
    entries.push({ ...o.entry(c), status: "suppressed", reason: d.reason });
    if (d.action === "defer") o.deferrals.add(c.position, d.until);
    else suppressed.push(d.reason);
  }
  await ctx.ledger.record(entries);
  return { allowed, suppressed };
}
