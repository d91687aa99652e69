// Which arm of an A/B/n split a customer is in: a pure function of (customer id, flow id, salt), so
// a customer who comes again in a later run of the same flow lands in the same arm, and two flows
// (or two salts) split the same customers independently.
import { createHash } from "node:crypto";

/**
 * The customer's point in [0, 1): the first 8 bytes of sha256 over the JSON array
 * [flowId, salt, customerId] (JSON, so no choice of separator can make two inputs collide),
 * read big-endian; its top 53 bits divided by 2^53.
 */
export function unitHash(customerId: string, flowId: string, salt: string): number {
  const d = createHash("sha256").update(JSON.stringify([flowId, salt, customerId])).digest();
  const hi = d.readUInt32BE(0);
  const lo = d.readUInt32BE(4);
  return (hi * 2 ** 21 + (lo >>> 11)) / 2 ** 53;
}

/**
 * Where each share ends on [0, 100]: the control group first, then the arms in order. Shares are
 * percentages; zero shares are allowed (they take no one).
 */
export function shareEnds(controlPercent: number, armPercents: readonly number[]): number[] {
  const ends: number[] = [];
  let total = controlPercent;
  ends.push(total);
  for (const p of armPercents) ends.push((total += p));
  return ends;
}

/**
 * The share a point falls in: 0 for the control group, i + 1 for arm i. The last share takes
 * everything past the previous end, so rounding in the sums never leaves a gap below 1.
 */
export function shareOf(u: number, ends: readonly number[]): number {
  const x = u * 100;
  for (let i = 0; i < ends.length - 1; i++) if (x < ends[i]!) return i;
  return ends.length - 1;
}
