// Which settings the form shows at once and which sit in its closed "Advanced" section, and what
// that section's summary says. Pure: no React, no DOM.
import type { FieldDescriptor } from "./json-schema-form";
import { getAt, hasAt } from "./value-path";

export interface FieldSections {
  /** Shown at once, in schema order. */
  plain: FieldDescriptor[];
  /** In the "Advanced" section, in schema order. */
  advanced: FieldDescriptor[];
}

/** A required setting without a default is never put away, even when marked advanced. */
export function isAdvanced(field: FieldDescriptor): boolean {
  return field.advanced === true && !(field.required && !field.hasDefault);
}

/** Splits top-level fields into the plain ones and the advanced ones, each in schema order. */
export function splitAdvanced(fields: readonly FieldDescriptor[]): FieldSections {
  const plain: FieldDescriptor[] = [];
  const advanced: FieldDescriptor[] = [];
  for (const f of fields) (isAdvanced(f) ? advanced : plain).push(f);
  return { plain, advanced };
}

const within = (path: string, field: FieldDescriptor) => path === field.path || path.startsWith(`${field.path}.`);

/**
 * The paths, among these fields, that have a problem: one of the server's (by field path, as
 * group-errors assigns them) or text typed into a field that is not a valid value (`drafts`, by path).
 * Sorted, each once.
 */
export function problemPaths(fields: readonly FieldDescriptor[], errorsByField: Record<string, readonly string[]>, drafts?: Record<string, unknown>): string[] {
  const paths = new Set<string>();
  for (const [path, messages] of Object.entries(errorsByField)) if (messages.length && fields.some((f) => within(path, f))) paths.add(path);
  for (const [path, draft] of Object.entries(drafts ?? {})) if (draft != null && fields.some((f) => within(path, f))) paths.add(path);
  return [...paths].sort();
}

function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** The fields whose saved value differs from their default (a field left unset never does). */
export function changedFields(fields: readonly FieldDescriptor[], value: unknown): FieldDescriptor[] {
  return fields.filter((f) => {
    if (!hasAt(value, f.segments)) return false;
    const v = getAt(value, f.segments);
    if (f.hasDefault) return !sameJson(v, f.default);
    return v !== undefined && v !== null && v !== "" && !(Array.isArray(v) && v.length === 0);
  });
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

/** "Advanced · 4 settings", then "· 1 changed" and "· 2 problems" when there are. */
export function advancedSummary(count: number, changed: number, problems: number): string {
  const parts = ["Advanced", plural(count, "setting", "settings")];
  if (changed > 0) parts.push(`${changed.toLocaleString("en-US")} changed`);
  if (problems > 0) parts.push(plural(problems, "problem", "problems"));
  return parts.join(" · ");
}
