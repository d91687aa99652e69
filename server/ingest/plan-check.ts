// The tracking plan as the ingest process applies it: each entry's JSON Schema compiled once (ajv),
// each event checked as it arrives. Track events are checked on their properties, identify calls on
// their traits (the "$identify" entry). A track event whose name has no entry is accepted, flagged
// or refused, as its source says.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { NewInboxRow, SourceRow } from "../../db/store/events";
import type { PlanRow } from "../../db/store/plan";
import { BadRequest } from "../../lib/errors";
import type { Reason } from "./events";

export const IDENTIFY_ENTRY = "$identify";
const MAX_SCHEMA_BYTES = 64 * 1024;

function newAjv(): Ajv {
  // allErrors: every reason, not just the first. strict: a schema with a typo'd keyword is refused when saved.
  return new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
}

/** Refuses a schema ajv cannot compile (or one too large), saying why; used when a plan entry is saved. */
export function checkPlanSchema(schema: unknown): Record<string, unknown> {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) throw new BadRequest("A tracking plan entry is a JSON Schema object");
  if (Buffer.byteLength(JSON.stringify(schema)) > MAX_SCHEMA_BYTES) throw new BadRequest(`A tracking plan entry is at most ${MAX_SCHEMA_BYTES / 1024} KB`);
  try {
    newAjv().compile(schema);
  } catch (err) {
    throw new BadRequest(`The schema is not valid JSON Schema: ${(err as Error).message}`);
  }
  return schema as Record<string, unknown>;
}

/** ajv's error as a reason: the field path under properties/traits, the rule, words for people. */
function reason(root: string, e: ErrorObject): Reason {
  const at = e.instancePath.split("/").filter(Boolean).join(".");
  const missing = e.keyword === "required" ? String((e.params as { missingProperty: string }).missingProperty) : null;
  const path = [root, at, missing].filter(Boolean).join(".");
  let message = e.message ?? e.keyword;
  if (e.keyword === "enum") message = `must be one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  if (missing) message = "is required";
  if (e.keyword === "additionalProperties") return { path: `${path}.${(e.params as { additionalProperty: string }).additionalProperty}`, rule: e.keyword, message: "is not in the tracking plan" };
  return { path, rule: e.keyword, message };
}

export class PlanCheck {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(entries: readonly PlanRow[]) {
    const ajv = newAjv();
    for (const entry of entries) {
      try {
        this.validators.set(entry.event, ajv.compile(entry.schema));
      } catch {
        // Saved entries were compiled when saved; one that no longer compiles checks nothing.
      }
    }
  }

  /** Reasons the event breaks the plan (empty when it keeps it), and whether it is unplanned. */
  check(row: NewInboxRow, source: Pick<SourceRow, "unplanned" | "name">): { reasons: Reason[]; unplanned: boolean } {
    const payload = row.payload as { properties?: unknown; traits?: unknown };
    if (row.type === "identify") {
      const v = this.validators.get(IDENTIFY_ENTRY);
      if (!v || v(payload.traits ?? {})) return { reasons: [], unplanned: false };
      return { reasons: (v.errors ?? []).map((e) => reason("traits", e)), unplanned: false };
    }
    if (row.type !== "track" || !row.event) return { reasons: [], unplanned: false };
    const v = this.validators.get(row.event);
    if (!v) {
      if (source.unplanned === "refuse") return { reasons: [{ path: "event", rule: "unplanned", message: `"${row.event}" is not in the tracking plan, and source "${source.name}" refuses unplanned events` }], unplanned: true };
      return { reasons: [], unplanned: source.unplanned === "flag" };
    }
    if (v(payload.properties ?? {})) return { reasons: [], unplanned: false };
    return { reasons: (v.errors ?? []).map((e) => reason("properties", e)), unplanned: false };
  }
}
