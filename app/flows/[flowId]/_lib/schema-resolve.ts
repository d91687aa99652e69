// Schema normalisation: narrows one property's JSON Schema to a single kind of value before it is
// described as a field.
import type { FormWidget, JsonSchema, Scalar } from "./json-schema-form";
import { FORBIDDEN, isRecord, isScalar, own } from "./json-value";

export const MAX_DEPTH = 12;

interface Resolved {
  schema: JsonSchema;
  nullable: boolean;
  /** Set when the schema cannot be narrowed to one kind (a union of types, a cycle). */
  problem?: string;
  /** The `$ref`s followed to get here (with the ones passed in). */
  refs?: readonly string[];
}

function pointer(root: JsonSchema, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let at: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    const seg = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (FORBIDDEN.has(seg) || !isRecord(at)) return undefined;
    at = own(at, seg);
  }
  return at;
}

function withoutKeys(s: JsonSchema, keys: string[]): JsonSchema {
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(s)) if (!keys.includes(k)) out[k] = v;
  return out;
}

function isNullSchema(s: JsonSchema): boolean {
  return s.type === "null" || (Object.prototype.hasOwnProperty.call(s, "const") && s.const === null) || (Array.isArray(s.enum) && s.enum.length === 1 && s.enum[0] === null);
}

/** Follows local `$ref`s, and unwraps `allOf` of one, `anyOf`/`oneOf` that only add null or constants, `type: [x, "null"]`. */
export function resolve(node: unknown, root: JsonSchema, refs: readonly string[] = [], depth = 0): Resolved {
  if (node === true || node === undefined) return { schema: {}, nullable: false };
  if (!isRecord(node)) return { schema: {}, nullable: false, problem: "This setting has no usable description." };
  if (depth > MAX_DEPTH) return { schema: node, nullable: false, problem: "This setting is nested too deeply to edit here." };
  let s: JsonSchema = node;
  let nullable = false;

  const ref = own(s, "$ref");
  if (typeof ref === "string") {
    if (refs.includes(ref)) return { schema: s, nullable: false, problem: "This setting refers to itself and cannot be edited here." };
    const target = pointer(root, ref);
    if (!isRecord(target)) return { schema: s, nullable: false, problem: "This setting refers to a definition that is missing." };
    const inner = resolve(target, root, [...refs, ref], depth + 1);
    const merged = { ...inner.schema, ...withoutKeys(s, ["$ref"]) };
    const again = resolve(merged, root, inner.refs ?? [...refs, ref], depth + 1);
    return { schema: again.schema, nullable: inner.nullable || again.nullable, problem: inner.problem ?? again.problem, refs: again.refs ?? inner.refs };
  }

  const allOf = own(s, "allOf");
  if (Array.isArray(allOf) && allOf.length === 1) {
    const inner = resolve(allOf[0], root, refs, depth + 1);
    const merged = resolve({ ...inner.schema, ...withoutKeys(s, ["allOf"]) }, root, inner.refs ?? refs, depth + 1);
    return { schema: merged.schema, nullable: inner.nullable || merged.nullable, problem: inner.problem ?? merged.problem, refs: merged.refs ?? inner.refs };
  }

  for (const union of ["anyOf", "oneOf"] as const) {
    const branches = own(s, union);
    if (!Array.isArray(branches)) continue;
    const resolved = branches.map((b) => resolve(b, root, refs, depth + 1));
    const bad = resolved.find((r) => r.problem);
    if (bad) return { schema: s, nullable: false, problem: bad.problem };
    const nonNull = resolved.filter((r) => !isNullSchema(r.schema));
    nullable = nonNull.length < resolved.length || resolved.some((r) => r.nullable);
    const rest = withoutKeys(s, [union]);
    if (nonNull.length === 1) {
      const merged = resolve({ ...nonNull[0]!.schema, ...rest }, root, nonNull[0]!.refs ?? refs, depth + 1);
      return { schema: merged.schema, nullable: nullable || merged.nullable, problem: merged.problem, refs: merged.refs ?? nonNull[0]!.refs };
    }
    // A union of constants (z.union([z.literal("a"), z.literal("b")])) is a choice.
    const values: Scalar[] = [];
    const allConst = nonNull.length > 0 && nonNull.every((r) => {
      const c = r.schema;
      if (Object.prototype.hasOwnProperty.call(c, "const") && isScalar(c.const)) return values.push(c.const), true;
      if (Array.isArray(c.enum) && c.enum.every(isScalar)) return values.push(...(c.enum as Scalar[])), true;
      return false;
    });
    if (allConst) return { schema: { ...rest, enum: [...new Set(values)] }, nullable };
    // Text or a number or yes/no (a query parameter, say): typed as text, which the schema accepts.
    const kinds = nonNull.map((r) => own(r.schema, "type"));
    if (kinds.includes("string") && kinds.every((k) => k === "string" || k === "number" || k === "integer" || k === "boolean")) {
      return { schema: { ...rest, type: "string" }, nullable };
    }
    return { schema: s, nullable, problem: "This setting accepts several kinds of value and cannot be edited here." };
  }

  const type = own(s, "type");
  if (Array.isArray(type)) {
    const types = type.filter((t) => t !== "null");
    nullable = types.length < type.length;
    if (types.length === 1) s = { ...s, type: types[0] };
    else if (types.length === 0) s = { ...s, type: "null" };
    else if (types.includes("string") && types.every((t) => t === "string" || t === "number" || t === "integer" || t === "boolean")) s = { ...s, type: "string" };
    else return { schema: s, nullable, problem: "This setting accepts several kinds of value and cannot be edited here." };
  }
  if (Array.isArray(s.enum) && s.enum.includes(null)) {
    nullable = true;
    s = { ...s, enum: s.enum.filter((v) => v !== null) };
  }
  return { schema: s, nullable, refs };
}

export function num(s: JsonSchema, key: string): number | undefined {
  const v = own(s, key);
  if (typeof v !== "number" || !Number.isFinite(v)) return undefined;
  // z.number().int() always carries ±MAX_SAFE_INTEGER: noise for a form.
  if (Math.abs(v) >= Number.MAX_SAFE_INTEGER) return undefined;
  return v;
}

export function str(s: JsonSchema, key: string): string | undefined {
  const v = own(s, key);
  return typeof v === "string" && v !== "" ? v : undefined;
}

export function widgetOf(s: JsonSchema): FormWidget | undefined {
  const w = own(s, "widget");
  return w === "column" || w === "file" || w === "connection" || w === "multiline" ? w : undefined;
}
