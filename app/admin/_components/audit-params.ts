// The audit log's filters as URL query parameters: the page builds the "Export CSV" link with
// them, /api/audit.csv reads them back, and a bad one is refused naming the parameter. Pure: the
// browser and the route share it.

export const OUTCOMES = ["ok", "failed", "refused"] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The known groups of actions, as action prefixes. */
export const ACTION_GROUPS = [
  { prefix: "auth.", label: "Sign-ins and sign-outs" },
  { prefix: "user.", label: "Users and roles" },
  { prefix: "invite.", label: "Invites" },
  { prefix: "api-key.", label: "API keys" },
  { prefix: "connection.", label: "Connections" },
  { prefix: "guardrails.", label: "Guardrails" },
  { prefix: "flow.", label: "Flows" },
  { prefix: "run.", label: "Runs" },
  { prefix: "model.", label: "Models" },
  { prefix: "file.", label: "Files" },
] as const;

export interface AuditQuery {
  /** An action ("flow.save") or a group of them ("flow."). */
  action?: string;
  actor?: string;
  target?: string;
  outcome?: Outcome;
  /** Epoch milliseconds, both ends included. */
  from?: number;
  to?: number;
}

export const CSV_MAX_ROWS = 10_000;

const PARAMS = ["action", "actor", "target", "outcome", "from", "to", "limit"] as const;

export function auditSearchParams(q: AuditQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.action) p.set("action", q.action);
  if (q.actor) p.set("actor", q.actor);
  if (q.target) p.set("target", q.target);
  if (q.outcome) p.set("outcome", q.outcome);
  if (q.from !== undefined) p.set("from", String(q.from));
  if (q.to !== undefined) p.set("to", String(q.to));
  return p;
}

export type Parsed = { ok: true; query: AuditQuery; limit: number } | { ok: false; param: string; message: string };

/** A moment: epoch milliseconds ("1718000000000") or an ISO 8601 date or time ("2024-06-10", "2024-06-10T08:00:00Z"). */
function moment(value: string): number | null {
  if (/^\d{1,15}$/.test(value)) return Number(value);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The export's query parameters, checked: unknown, repeated or malformed ones are refused by name. */
export function parseAuditParams(params: URLSearchParams): Parsed {
  const bad = (param: string, message: string): Parsed => ({ ok: false, param, message: `Query parameter "${param}": ${message}` });
  const seen = new Set<string>();
  for (const key of params.keys()) {
    if (!(PARAMS as readonly string[]).includes(key)) return bad(key, `not known; use ${PARAMS.join(", ")}`);
    if (seen.has(key)) return bad(key, "give it once");
    seen.add(key);
  }
  const text = (name: string) => params.get(name)?.trim() || undefined;
  const query: AuditQuery = {};

  const action = text("action");
  if (action !== undefined) {
    if (action.length > 100 || !/^[a-z0-9][a-z0-9._-]*$/i.test(action)) return bad("action", 'an action ("flow.save") or a group ending in a dot ("flow.")');
    query.action = action;
  }
  const actor = text("actor");
  if (actor !== undefined) {
    if (actor.length > 320) return bad("actor", "at most 320 characters");
    query.actor = actor;
  }
  const target = text("target");
  if (target !== undefined) {
    if (target.length > 500) return bad("target", "at most 500 characters");
    query.target = target;
  }
  const outcome = text("outcome");
  if (outcome !== undefined) {
    if (!(OUTCOMES as readonly string[]).includes(outcome)) return bad("outcome", `one of ${OUTCOMES.join(", ")}`);
    query.outcome = outcome as Outcome;
  }
  for (const name of ["from", "to"] as const) {
    const value = text(name);
    if (value === undefined) continue;
    const ms = moment(value);
    if (ms === null) return bad(name, 'a date ("2024-06-10"), a time ("2024-06-10T08:00:00Z") or epoch milliseconds');
    query[name] = ms;
  }
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) return bad("to", `before "from"; give a later end`);

  let limit = CSV_MAX_ROWS;
  const rawLimit = text("limit");
  if (rawLimit !== undefined) {
    if (!/^\d{1,6}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > CSV_MAX_ROWS) return bad("limit", `a whole number from 1 to ${CSV_MAX_ROWS}`);
    limit = Number(rawLimit);
  }
  return { ok: true, query, limit };
}

/** A detail value: text as it is, times (`expiresAt`, epoch ms) as UTC, the rest as JSON. */
function detailValue(key: string, v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" && /At$/.test(key) && v > 1e11) return `${new Date(v).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return JSON.stringify(v) ?? String(v);
}

/** An entry's detail in one short line: `role: editor; expiresAt: 2024-06-17 08:00 UTC`. */
export function compactDetail(detail: Record<string, unknown> | null | undefined, max = 160): string {
  if (!detail) return "";
  const parts = Object.entries(detail).map(([k, v]) => `${k}: ${detailValue(k, v)}`);
  const line = parts.join("; ");
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A local calendar day ("2024-06-10" from a date input) as its first and last millisecond here. */
export function dayStart(day: string): number | undefined {
  const ms = day ? new Date(`${day}T00:00:00`).getTime() : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}

export function dayEnd(day: string): number | undefined {
  const ms = day ? new Date(`${day}T23:59:59.999`).getTime() : NaN;
  return Number.isNaN(ms) ? undefined : ms;
}
