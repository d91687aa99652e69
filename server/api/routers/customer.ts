// Customers: the profiles built from the events the sources send (and the traits flows write).
// Editors and admins only: these are raw customer rows (e-mail addresses, names, what each did),
// which viewers may not see.
import { z } from "zod";
import { ledger, profiles } from "../../../db/store";
import type { InboxRow } from "../../../db/store/events";
import { CONSENT_TRAIT, TIMEZONE_TRAIT, type ProfileRow } from "../../../db/store/profiles";
import { CONSENT_YES } from "../../../lib/guardrails-rules";
import { createTRPCRouter, editorProcedure } from "../trpc";

/** The most events a customer page shows. */
export const TIMELINE_SHOWN = 100;
const DECISIONS_SHOWN = 100;
/** The most details (properties or traits) shown per event, and the longest value. */
const DETAILS_SHOWN = 8;
const VALUE_CHARS = 120;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : null);

function short(v: unknown): string {
  let out: string;
  if (typeof v === "string") out = v;
  else {
    try {
      out = JSON.stringify(v) ?? String(v);
    } catch {
      out = String(v);
    }
  }
  return out.length > VALUE_CHARS ? `${out.slice(0, VALUE_CHARS - 1)}…` : out;
}

/** The e-mail trait (Segment's `email`), if any. */
export function emailOf(traits: Record<string, unknown>): string | null {
  return text(traits.email);
}

/** The name trait (`name`, else `firstName` and `lastName`), if any. */
export function nameOf(traits: Record<string, unknown>): string | null {
  const name = text(traits.name);
  if (name) return name;
  const parts = [text(traits.firstName) ?? text(traits.first_name), text(traits.lastName) ?? text(traits.last_name)].filter(Boolean);
  return parts.length ? parts.join(" ") : null;
}

const NO = new Set(["false", "no", "n", "0", "denied", "refused", "withdrawn", "opted_out", "opted-out", "unsubscribed", "off"]);

/** The consent trait, channel by channel: granted (true), refused (false) or unclear (null, with the value as sent). */
export function consentOf(traits: Record<string, unknown>): { channel: string; granted: boolean | null; value: string }[] {
  const c = traits[CONSENT_TRAIT];
  if (!isObject(c)) return [];
  return Object.entries(c)
    .map(([channel, v]) => {
      const word = typeof v === "string" ? v.trim().toLowerCase() : typeof v === "number" ? String(v) : null;
      const granted = typeof v === "boolean" ? v : word !== null && CONSENT_YES.has(word) ? true : word !== null && NO.has(word) ? false : null;
      return { channel, granted, value: short(v) };
    })
    .sort((a, b) => a.channel.localeCompare(b.channel, "en"));
}

/** The time zone trait, and whether it names a zone this server knows (IANA, such as Europe/Paris). */
export function timezoneOf(traits: Record<string, unknown>): { name: string; valid: boolean } | null {
  const tz = text(traits[TIMEZONE_TRAIT]);
  if (!tz) return null;
  try {
    new Intl.DateTimeFormat("en-GB", { timeZone: tz });
    return { name: tz, valid: true };
  } catch {
    return { name: tz, valid: false };
  }
}

/** What an event carried, as short key/value pairs: track/page/screen properties, identify/group traits, an alias's previous id. */
export function detailsOf(e: Pick<InboxRow, "type" | "payload">): { details: { key: string; value: string }[]; more: number } {
  const p = e.payload ?? {};
  let values: Record<string, unknown> = {};
  if (e.type === "identify") values = isObject(p.traits) ? p.traits : {};
  else if (e.type === "group") values = { ...(p.groupId !== undefined ? { groupId: p.groupId } : {}), ...(isObject(p.traits) ? p.traits : {}) };
  else if (e.type === "alias") values = p.previousId !== undefined ? { previousId: p.previousId } : {};
  else values = isObject(p.properties) ? p.properties : {};
  const entries = Object.entries(values);
  return { details: entries.slice(0, DETAILS_SHOWN).map(([key, v]) => ({ key, value: short(v) })), more: Math.max(0, entries.length - DETAILS_SHOWN) };
}

function listRow(p: ProfileRow) {
  return { id: p.id, userId: p.userId, email: emailOf(p.traits), name: nameOf(p.traits), firstSeen: p.firstSeen, lastSeen: p.lastSeen };
}

export const customerRouter = createTRPCRouter({
  /** Customers whose id, userId, anonymous id or any trait value (e-mail, name...) contains `q`; the most recently seen first. An empty `q` lists the most recently seen. */
  search: editorProcedure
    .input(z.object({ q: z.string().max(200).default(""), limit: z.number().int().min(1).max(200).default(50) }).optional())
    .query(async ({ ctx, input }) => {
      const rows = await profiles.search(ctx.store, input?.q ?? "", input?.limit ?? 50);
      return { customers: rows.map(listRow), total: await profiles.count(ctx.store) };
    }),

  /** One customer (following merges: an absorbed profile's id opens the profile that absorbed it), with events and the flows they were in. */
  get: editorProcedure.input(z.object({ id: z.string().trim().min(1).max(200) })).query(async ({ ctx, input }) => {
    const p = await profiles.get(ctx.store, input.id);
    const [events, cohorts, decisions] = await Promise.all([
      profiles.timeline(ctx.store, p.id, TIMELINE_SHOWN),
      profiles.cohortsOf(ctx.store, p.id),
      ledger.forProfile(
        ctx.store,
        p.id,
        p.identities.map((i) => i.value),
        DECISIONS_SHOWN,
      ),
    ]);
    return {
      ...listRow(p),
      /** Set when the id asked for was merged into this profile. */
      mergedFrom: p.id === input.id ? null : input.id,
      updatedAt: p.updatedAt,
      traits: p.traits,
      identities: p.identities.map((i) => ({ kind: i.kind, value: i.value, since: i.createdAt })),
      consent: consentOf(p.traits),
      timezone: timezoneOf(p.traits),
      timeline: events.map((e) => ({
        position: e.position,
        type: e.type,
        event: e.event,
        userId: e.userId,
        anonymousId: e.anonymousId,
        timestamp: e.timestamp,
        receivedAt: e.receivedAt,
        ...detailsOf(e),
      })),
      timelineLimit: TIMELINE_SHOWN,
      flows: cohorts,
      /** What flows did to them (the decision ledger), newest first. */
      decisions: decisions.map((d) => ({
        key: d.key,
        at: d.at,
        flowId: d.flowId,
        runId: d.runId,
        nodeId: d.nodeId,
        channel: d.channel,
        status: d.status,
        reason: d.reason,
        model: d.model,
        arm: d.arm,
        // The subject of a sent e-mail; else the campaign's name (a suppressed one has no subject), before a template's fingerprint.
        what: (["subject", "campaign", "template"] as const).map((k) => d.content?.[k]).find((v): v is string => typeof v === "string") ?? null,
      })),
    };
  }),
});
