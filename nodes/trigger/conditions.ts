// Conditions on an event's properties and a customer's traits, as the event and audience triggers
// take them from their forms. Pure: the inbox pump decides cohorts with it, and the tests call it.
import { z } from "zod";

export const OPERATORS = ["=", "!=", "<", "<=", ">", ">=", "contains", "is set", "is not set", "in list"] as const;
type Operator = (typeof OPERATORS)[number];

export const condition = z.object({
  on: z.enum(["property", "trait"]).default("property").describe("Test a property of the event, or a trait of the customer's profile."),
  field: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe("The property or trait name; a dot reaches inside an object (consent.email)."),
  operator: z.enum(OPERATORS).default("=").describe("How to compare. Numbers compare as numbers, other values as text; yes/no matches true/false."),
  value: z.string().max(1000).optional().describe("The value to compare with. Not needed for is set / is not set."),
  values: z.array(z.string().max(1000)).max(500).optional().describe('For "in list": the values to accept.'),
});
export type Condition = z.output<typeof condition>;

export const conditions = z.array(condition).max(50).default([]);
export const matchMode = z.enum(["all", "any"]).default("all").describe("Start for an event (or customer) that passes all the tests, or any one of them.");

/** The same tests on a table's rows (the branch node): a column of the row, or a trait of its customer. */
export const rowCondition = condition.extend({
  on: z.enum(["column", "trait"]).default("column").describe("Test a column of the row, or a trait of the customer's profile."),
  field: condition.shape.field.describe("The column name (exactly), or the trait name; in a trait a dot reaches inside an object (consent.email)."),
});
export type RowCondition = z.output<typeof rowCondition>;

/** The value at a dotted path inside an object (consent.email); undefined when absent. */
export function at(obj: unknown, path: string): unknown {
  let v: unknown = obj;
  for (const part of path.split(".")) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function scalar(text: string): string | number | boolean {
  const t = text.trim();
  if (/^(true|yes)$/i.test(t)) return true;
  if (/^(false|no)$/i.test(t)) return false;
  if (t !== "" && Number.isFinite(Number(t))) return Number(t);
  return text;
}

function compare(actual: unknown, op: Operator, expected: string | undefined, list: readonly string[] | undefined): boolean {
  const set = actual !== undefined && actual !== null && actual !== "";
  if (op === "is set") return set;
  if (op === "is not set") return !set;
  if (!set) return op === "!=";
  if (op === "in list") return (list ?? []).some((v) => compare(actual, "=", v, undefined));
  if (expected === undefined) return false;
  const want = scalar(expected);
  if (op === "contains") return String(actual).toLowerCase().includes(expected.toLowerCase());
  const have = typeof actual === "string" && typeof want !== "string" ? scalar(actual) : actual;
  if (typeof want === "number" && typeof have === "number") {
    switch (op) {
      case "=": return have === want;
      case "!=": return have !== want;
      case "<": return have < want;
      case "<=": return have <= want;
      case ">": return have > want;
      case ">=": return have >= want;
    }
  }
  if (typeof want === "boolean" || typeof have === "boolean") {
    if (op === "=") return have === want;
    if (op === "!=") return have !== want;
    return false;
  }
  const a = String(have);
  const b = String(want);
  switch (op) {
    case "=": return a === b;
    case "!=": return a !== b;
    case "<": return a < b;
    case "<=": return a <= b;
    case ">": return a > b;
    case ">=": return a >= b;
  }
  return false;
}

/**
 * Does the event (its properties) or row (its columns, as `properties`) and customer (their traits)
 * pass the conditions? No conditions: yes.
 */
export function passes(conds: readonly (Condition | RowCondition)[], mode: "all" | "any", subject: { properties?: unknown; traits?: unknown }): boolean {
  if (!conds.length) return true;
  const test = (c: Condition | RowCondition) => compare(at(c.on === "trait" ? subject.traits : subject.properties, c.field), c.operator, c.value, c.values);
  return mode === "all" ? conds.every(test) : conds.some(test);
}

/** Do the conditions read profile traits (so the pump must load profiles)? */
export const readsTraits = (conds: readonly (Condition | RowCondition)[]) => conds.some((c) => c.on === "trait");
