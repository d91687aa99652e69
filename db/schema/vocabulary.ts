// Enumerations the schema shares with the code that reads it.

/** "current": what scoring by name uses (one per name); "candidate": any other usable version; "archived": kept, loaded only when pinned. */
export const MODEL_STATUSES = ["candidate", "current", "archived"] as const;

export const FILE_FORMATS = ["csv", "json"] as const;

/** Roles, lowest first: each can do everything the ones before it can. */
export const ROLES = ["viewer", "editor", "admin"] as const;

/** What a connection connects to; a node asks for a connection of one kind. */
export const CONNECTION_KINDS = ["postgres", "sqlite", "smtp", "http"] as const;

/** Segment's event types, as the ingest API takes them. */
export const EVENT_TYPES = ["track", "identify", "page", "screen", "group", "alias"] as const;

/** What a source does with an event its tracking plan does not describe. */
export const UNPLANNED_POLICIES = ["accept", "flag", "refuse"] as const;

/** What the inbox holds: Segment's event types, plus webhook bodies and file uploads that start flows. */
export const INBOX_TYPES = [...EVENT_TYPES, "webhook", "upload"] as const;

/** The ids a profile is known by. */
export const IDENTITY_KINDS = ["user", "anonymous"] as const;

export { TRIGGER_KINDS } from "../../nodes/sdk/types";

/** How an action towards a customer went: done, deliberately not done (with the reason), or failed (with the reason). */
export const LEDGER_STATUSES = ["sent", "suppressed", "failed"] as const;

/** A customer in a wait-for-event step: still waiting, released by their event, taken on by the run, out of time, or gone (the journey's exit event). */
export const WAITER_STATUSES = ["waiting", "released", "taken", "timed out", "left"] as const;
