// Puts the server's problems, keyed by config path, under the fields that show them.
import { allFields, humanise, type FieldDescriptor } from "./json-schema-form";
import { getAt, indexOf, toSegments } from "./value-path";

export interface GeneralProblem {
  /** The problem's path; "" for the whole config. */
  path: string;
  /** Where that is, in words ("" for the whole config or when no field matches). */
  where: string;
  message: string;
}

export interface GroupedErrors {
  /** Messages by the path of the field that shows them. */
  byField: Record<string, string[]>;
  /** For the box at the top: "" and paths that belong to no field. */
  general: GeneralProblem[];
}

/** Every concrete field path the form shows for this value (object-list items expanded by index). */
export function fieldPaths(fields: readonly FieldDescriptor[], value: unknown, base: readonly string[] = []): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const segs = [...base, ...f.segments];
    out.push(segs.join("."));
    if (f.kind === "object" && f.children) out.push(...fieldPaths(f.children, value, base));
    if (f.kind === "objectList" && f.children) {
      const items = getAt(value, segs);
      const list = Array.isArray(items) ? items : Array.isArray(f.default) ? f.default : [];
      for (let i = 0; i < list.length; i++) out.push(...fieldPaths(f.children, value, [...segs, String(i)]));
    }
  }
  return out;
}

/**
 * Assigns each problem to the deepest field whose path equals it or is a prefix of it
 * ("keys.0" → "keys"); "" and paths matching no field go to `general`.
 */
export function groupErrors(fields: readonly FieldDescriptor[], value: unknown, errors: Record<string, readonly string[]> | undefined): GroupedErrors {
  const byField: Record<string, string[]> = {};
  const general: GeneralProblem[] = [];
  if (!errors) return { byField, general };
  const paths = fieldPaths(fields, value).sort((a, b) => b.length - a.length);
  const labels = new Map<string, string>();
  for (const f of allFields(fields)) if (!labels.has(f.key)) labels.set(f.key, f.label);
  for (const [path, messages] of Object.entries(errors)) {
    if (!Array.isArray(messages) || !messages.length) continue;
    const owner = path === "" ? undefined : paths.find((p) => path === p || path.startsWith(`${p}.`));
    if (owner !== undefined) {
      (byField[owner] ??= []).push(...messages);
      continue;
    }
    const where = toSegments(path)
      .map((seg) => (indexOf(seg) !== undefined ? `#${Number(seg) + 1}` : (labels.get(seg) ?? humanise(seg))))
      .join(" › ");
    for (const message of messages) general.push({ path, where, message });
  }
  return { byField, general };
}
