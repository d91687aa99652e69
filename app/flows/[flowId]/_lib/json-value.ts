// Reads of parsed JSON that only see own properties, so a schema or config can never reach
// `Object.prototype` through a key such as "__proto__".
import type { Scalar } from "./json-schema-form";

export const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

export function isScalar(v: unknown): v is Scalar {
  return v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}
