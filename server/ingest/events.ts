// Segment-compatible events: what the ingest API accepts, checked and brought to one shape. Pure.
// https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/
import { randomUUID } from "node:crypto";
import { EVENT_TYPES } from "../../db/schema/vocabulary";
import type { NewFailedEvent, NewInboxRow } from "../../db/store/events";

export type EventType = (typeof EVENT_TYPES)[number];
export const MAX_EVENT_BYTES = 32 * 1024;
export const MAX_BATCH_BYTES = 500 * 1024;

export interface Reason {
  /** Where in the event: `userId`, `properties.plan`, `timestamp`. */
  path: string;
  /** Which rule: required, type, enum, format, size. */
  rule: string;
  message: string;
}

export interface Received {
  sourceId: string;
  receivedAt: number;
  /** The batch's sentAt, for events that do not carry their own. */
  sentAt?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const idText = (v: unknown) => (typeof v === "string" && v.trim() ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : null);

function time(v: unknown): number | null {
  if (typeof v !== "string" && !(v instanceof Date)) return null;
  const t = new Date(v).getTime();
  return Number.isFinite(t) ? t : null;
}

/**
 * One event as accepted into the inbox, or the reasons it is not. `type` comes from the endpoint
 * (/v1/track) or, in a batch, from the event itself.
 */
export function normalise(raw: unknown, type: unknown, at: Received): { row: NewInboxRow } | { failed: NewFailedEvent } {
  const reasons: Reason[] = [];
  const e = isObject(raw) ? raw : {};
  if (!isObject(raw)) reasons.push({ path: "", rule: "type", message: "an event must be a JSON object" });
  const kind = typeof type === "string" && (EVENT_TYPES as readonly string[]).includes(type) ? (type as EventType) : null;
  if (!kind) reasons.push({ path: "type", rule: "enum", message: `type must be one of ${EVENT_TYPES.join(", ")}${type === undefined ? "" : ` (it is ${JSON.stringify(type)})`}` });

  const userId = idText(e.userId);
  const anonymousId = idText(e.anonymousId);
  if (!userId && !anonymousId) reasons.push({ path: "userId", rule: "required", message: "give a userId or an anonymousId" });
  const messageId = e.messageId === undefined ? randomUUID() : idText(e.messageId);
  if (!messageId || messageId.length > 200) reasons.push({ path: "messageId", rule: "format", message: "messageId must be a string of at most 200 characters" });

  let name: string | null = null;
  if (kind === "track") {
    if (typeof e.event !== "string" || !e.event.trim()) reasons.push({ path: "event", rule: "required", message: "a track event needs its name in `event`" });
    else if (e.event.length > 200) reasons.push({ path: "event", rule: "size", message: "the event name is longer than 200 characters" });
    else name = e.event;
  } else if (kind === "page" || kind === "screen") {
    if (e.name !== undefined && typeof e.name !== "string") reasons.push({ path: "name", rule: "type", message: "name must be a string" });
    else name = (e.name as string | undefined) ?? null;
  } else if (kind === "group" && !idText(e.groupId)) {
    reasons.push({ path: "groupId", rule: "required", message: "a group call needs a groupId" });
  } else if (kind === "alias" && !idText(e.previousId)) {
    reasons.push({ path: "previousId", rule: "required", message: "an alias call needs the previousId it joins to userId" });
  }
  for (const field of ["properties", "traits", "context", "integrations"]) {
    if (e[field] !== undefined && e[field] !== null && !isObject(e[field])) reasons.push({ path: field, rule: "type", message: `${field} must be an object` });
  }

  // The sender's clock may be off: shift its timestamp by the difference between when it says it
  // sent the event and when it arrived.
  let timestamp = at.receivedAt;
  if (e.timestamp !== undefined) {
    const t = time(e.timestamp);
    if (t === null) reasons.push({ path: "timestamp", rule: "format", message: "timestamp must be an ISO 8601 date and time" });
    else {
      const sent = time(e.sentAt ?? at.sentAt);
      timestamp = sent === null ? t : at.receivedAt - (sent - t);
    }
  }
  const bytes = Buffer.byteLength(JSON.stringify(e));
  if (bytes > MAX_EVENT_BYTES) reasons.push({ path: "", rule: "size", message: `the event is ${bytes} bytes; at most ${MAX_EVENT_BYTES} are accepted` });

  if (reasons.length) {
    return { failed: { sourceId: at.sourceId, messageId: messageId ?? null, type: typeof type === "string" ? type.slice(0, 50) : null, event: typeof e.event === "string" ? e.event.slice(0, 200) : null, receivedAt: at.receivedAt, payload: raw ?? null, reasons } };
  }
  const { writeKey: _writeKey, ...payload } = e;
  return {
    row: {
      sourceId: at.sourceId,
      messageId: messageId!,
      type: kind!,
      event: name,
      userId,
      anonymousId,
      timestamp,
      receivedAt: at.receivedAt,
      payload: { ...payload, type: kind, messageId, timestamp: new Date(timestamp).toISOString(), ...(e.timestamp !== undefined ? { originalTimestamp: e.timestamp } : {}) },
    },
  };
}
