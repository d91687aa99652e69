// Text in and out of form fields: numbers as typed, values and defaults as a marketer reads them.
import type { FieldDescriptor } from "./json-schema-form";

// ---------------------------------------------------------------------------------------------
// Numbers

export interface NumberBounds {
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * What the user typed in a number field: undefined when empty (remove the key), the number, or an
 * error to show inline. Never NaN or Infinity. With `bounds`, out-of-range numbers are errors too.
 */
export function parseNumberInput(text: string, integer: boolean, bounds: NumberBounds = {}): number | undefined | { error: string } {
  const t = text.trim();
  if (t === "") return undefined;
  if (!NUMBER.test(t)) {
    if (/^[+-]?\d+,\d+$/.test(t)) return { error: `Use a dot for decimals, e.g. ${t.replace(",", ".")}` };
    return { error: integer ? "Enter a whole number" : "Enter a number" };
  }
  const n = Number(t);
  if (!Number.isFinite(n)) return { error: "This number is too large" };
  if (integer && !Number.isInteger(n)) return { error: "Enter a whole number" };
  if (integer && !Number.isSafeInteger(n)) return { error: "This number is too large" };
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum } = bounds;
  if (minimum !== undefined && n < minimum) return { error: `Must be at least ${formatNumber(minimum)}` };
  if (maximum !== undefined && n > maximum) return { error: `Must be at most ${formatNumber(maximum)}` };
  if (exclusiveMinimum !== undefined && n <= exclusiveMinimum) return { error: `Must be more than ${formatNumber(exclusiveMinimum)}` };
  if (exclusiveMaximum !== undefined && n >= exclusiveMaximum) return { error: `Must be less than ${formatNumber(exclusiveMaximum)}` };
  return Object.is(n, -0) ? 0 : n;
}

function formatNumber(n: number): string {
  return String(n);
}

/** The `min`/`max`/`step` attributes of a number input for a "number"/"integer" descriptor. */
export function numberInputAttrs(f: Pick<FieldDescriptor, "kind" | "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum">): { min?: number; max?: number; step: number | "any" } {
  const integer = f.kind === "integer";
  const attrs: { min?: number; max?: number; step: number | "any" } = { step: integer ? 1 : "any" };
  const min = f.minimum ?? (integer && f.exclusiveMinimum !== undefined ? Math.floor(f.exclusiveMinimum) + 1 : undefined);
  const max = f.maximum ?? (integer && f.exclusiveMaximum !== undefined ? Math.ceil(f.exclusiveMaximum) - 1 : undefined);
  if (min !== undefined) attrs.min = min;
  if (max !== undefined) attrs.max = max;
  return attrs;
}

/** "Between 0.05 and 0.5", "At least 1", "More than 0 and less than 1": for help under a number field. */
export function describeBounds(f: NumberBounds): string | undefined {
  const low = f.minimum !== undefined ? { n: f.minimum, strict: false } : f.exclusiveMinimum !== undefined ? { n: f.exclusiveMinimum, strict: true } : undefined;
  const high = f.maximum !== undefined ? { n: f.maximum, strict: false } : f.exclusiveMaximum !== undefined ? { n: f.exclusiveMaximum, strict: true } : undefined;
  if (low && high && !low.strict && !high.strict) return `Between ${formatNumber(low.n)} and ${formatNumber(high.n)}`;
  const parts: string[] = [];
  if (low) parts.push(`${low.strict ? "more than" : "at least"} ${formatNumber(low.n)}`);
  if (high) parts.push(`${high.strict ? "less than" : "at most"} ${formatNumber(high.n)}`);
  if (!parts.length) return undefined;
  const text = parts.join(" and ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------------------------
// Display of values and defaults

/** A value as a marketer reads it: "0.2", "on", "8, 16", "first". */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return "none";
  if (typeof v === "boolean") return v ? "on" : "off";
  if (typeof v === "string") return v === "" ? "empty" : v;
  if (typeof v === "number") return formatNumber(v);
  if (Array.isArray(v)) return v.length ? v.map(formatValue).join(", ") : "none";
  return "set";
}

/** The placeholder of a text or number input: "Default: 0.2" when there is a default. */
export function defaultPlaceholder(f: Pick<FieldDescriptor, "hasDefault" | "default">): string | undefined {
  if (!f.hasDefault || f.default === undefined || f.default === "") return undefined;
  return `Default: ${formatValue(f.default)}`;
}
