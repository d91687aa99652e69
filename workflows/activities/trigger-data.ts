// The trigger's rows, as the trigger node of a run outputs them: a cohort's events or webhook calls
// (read back from the inbox by position), or the customers who entered or left an audience (from
// their profiles). Written as NDJSON to a scratch file and read by DuckDB into a new dataset, so
// property and trait types are inferred the way every JSON source infers them.
import { rmSync, writeFileSync } from "node:fs";
import { profiles, triggers, type Store } from "../../db/store";
import type { InboxRow } from "../../db/store/events";
import { NotFoundError } from "../../nodes/sdk/errors";
import type { DatasetRef, DatasetStore, RunTrigger } from "../../nodes/sdk/types";

const EVENT_COLUMNS: Record<string, string> = {
  position: "BIGINT",
  message_id: "VARCHAR",
  type: "VARCHAR",
  event: "VARCHAR",
  user_id: "VARCHAR",
  anonymous_id: "VARCHAR",
  profile_id: "VARCHAR",
  timestamp: "TIMESTAMP",
  received_at: "TIMESTAMP",
  properties: "JSON",
};
const AUDIENCE_COLUMNS: Record<string, string> = { profile_id: "VARCHAR", user_id: "VARCHAR", change: "VARCHAR" };
const WEBHOOK_COLUMNS: Record<string, string> = { webhook_id: "VARCHAR", received_at: "TIMESTAMP" };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Top-level scalar values become columns of their own (objects and arrays as JSON text), never over a fixed column. */
function flatten(into: Record<string, unknown>, values: Record<string, unknown>, fixed: Record<string, string>, prefix: string): void {
  for (const [k, v] of Object.entries(values)) {
    if (!k || k.length > 100) continue;
    const name = k in fixed || k in into ? `${prefix}_${k}` : k;
    if (name in into) continue;
    into[name] = isObject(v) || Array.isArray(v) ? JSON.stringify(v) : v;
  }
}

export function eventRow(e: InboxRow, profileId: string | null): Record<string, unknown> {
  const p = e.payload ?? {};
  const properties = isObject(p.properties) ? p.properties : isObject(p.traits) ? p.traits : {};
  const row: Record<string, unknown> = {
    position: e.position,
    message_id: e.messageId,
    type: e.type,
    event: e.event,
    user_id: e.userId,
    anonymous_id: e.anonymousId,
    profile_id: profileId,
    timestamp: e.timestamp,
    received_at: e.receivedAt,
    properties: JSON.stringify(properties),
  };
  flatten(row, properties, EVENT_COLUMNS, "property");
  return row;
}

/** Rows as a new dataset: the fixed columns typed as given (also when empty), the others inferred. */
export async function fromRows(ds: DatasetStore, scratch: () => string, rows: Record<string, unknown>[], fixed: Record<string, string>): Promise<DatasetRef> {
  const { ident } = ds;
  if (!rows.length) {
    const cols = Object.entries(fixed).map(([n, t]) => `CAST(NULL AS ${t}) AS ${ident(n)}`);
    return ds.create(`SELECT ${cols.join(", ")} WHERE false`);
  }
  const file = scratch();
  try {
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
    // Times travel as epoch milliseconds.
    const times = Object.entries(fixed)
      .filter(([, t]) => t === "TIMESTAMP")
      .map(([n]) => `epoch_ms(CAST(${ident(n)} AS BIGINT)) AS ${ident(n)}`);
    const cast = Object.entries(fixed)
      .filter(([, t]) => t !== "TIMESTAMP" && t !== "JSON")
      .map(([n, t]) => `CAST(${ident(n)} AS ${t}) AS ${ident(n)}`);
    const replace = [...times, ...cast];
    // The fixed columns are cast (so an all-null column still has its type); the others are inferred.
    const src = `read_json(${ds.filePath(file)}, format = 'newline_delimited', sample_size = -1, union_by_name = true, maximum_object_size = 33554432)`;
    return await ds.create(`SELECT * ${replace.length ? `REPLACE (${replace.join(", ")})` : ""} FROM ${src} ORDER BY 1`);
  } finally {
    rmSync(file, { force: true });
  }
}

export interface TriggerDataDeps {
  store: Store;
  datasets: DatasetStore;
  scratchFile: (extension?: string) => string;
}

/** The dataset a trigger node outputs for this run, or null when the trigger carries no rows. */
export async function triggerData({ store, datasets, scratchFile }: TriggerDataDeps, trigger: RunTrigger): Promise<DatasetRef | null> {
  if (!trigger.cohortId) return null;
  const cohort = await triggers.cohort(store, trigger.cohortId);
  if (!cohort) throw new NotFoundError(`The run's cohort ${trigger.cohortId} is not in the store (was the flow deleted?)`);
  const scratch = () => scratchFile(".ndjson");
  if (cohort.kind === "audience") {
    const changes = (cohort.detail ?? {}) as Record<string, string>;
    const rows = (await profiles.byIds(store, cohort.members as string[])).map((p) => {
      const row: Record<string, unknown> = { profile_id: p.id, user_id: p.userId, change: changes[p.id] ?? "entered" };
      flatten(row, p.traits, AUDIENCE_COLUMNS, "trait");
      return row;
    });
    return fromRows(datasets, scratch, rows, AUDIENCE_COLUMNS);
  }
  const events = await triggers.inboxAt(store, cohort.members as number[]);
  if (cohort.kind === "webhook") {
    const rows: Record<string, unknown>[] = [];
    for (const e of events) {
      const body = e.payload?.body;
      for (const item of Array.isArray(body) ? body : [body]) {
        const row: Record<string, unknown> = { webhook_id: e.messageId, received_at: e.receivedAt };
        if (isObject(item)) flatten(row, item, WEBHOOK_COLUMNS, "body");
        else row.body = JSON.stringify(item ?? null);
        rows.push(row);
      }
    }
    return fromRows(datasets, scratch, rows, WEBHOOK_COLUMNS);
  }
  const ids = await profiles.idsFor(store, events.flatMap((e) => [e.userId, e.anonymousId].filter((v): v is string => !!v)));
  const rows = events.map((e) => eventRow(e, (e.userId && ids.get(e.userId)) || (e.anonymousId && ids.get(e.anonymousId)) || null));
  return fromRows(datasets, scratch, rows, EVENT_COLUMNS);
}
