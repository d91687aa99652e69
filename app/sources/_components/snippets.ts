// What the Sources page shows to copy: the ingest URL, a curl command and the @segment/analytics-node
// setup for a new write key, and a failed event's reasons in words. Pure, so it is tested alone.

/** Where the ingest process answers when LOOPWRIGHT_INGEST_URL is not set (its default port). */
export const DEFAULT_INGEST_URL = "http://localhost:3100";

/** How many of the newest failed events the page shows (page.tsx prefetches the same query). */
export const FAILED_SHOWN = 100;

/** The ingest URL without trailing slashes (so `${url}/v1/track` has one), or the default. */
export function ingestBase(url: string | undefined | null): string {
  const trimmed = (url ?? "").trim().replace(/\/+$/, "");
  return trimmed || DEFAULT_INGEST_URL;
}

/** A word for a POSIX shell: as it is when it needs no quoting, else in single quotes. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`;
}

/** The example event of both snippets. */
const EXAMPLE = { userId: "u1", event: "Signed Up", properties: { plan: "pro" } };

/** A track call with curl: the write key as the basic-auth user name, no password. */
export function curlSnippet(writeKey: string, ingestUrl: string): string {
  return `curl -u ${shellWord(`${writeKey}:`)} -H 'content-type: application/json' -d ${shellWord(JSON.stringify(EXAMPLE))} ${shellWord(`${ingestBase(ingestUrl)}/v1/track`)}`;
}

/** Segment's Node.js library, pointed at this ingest process instead of Segment's. */
export function nodeSnippet(writeKey: string, ingestUrl: string): string {
  return [
    `import { Analytics } from "@segment/analytics-node";`,
    ``,
    `const analytics = new Analytics({ writeKey: ${JSON.stringify(writeKey)}, host: ${JSON.stringify(ingestBase(ingestUrl))} });`,
    `analytics.track({ userId: "u1", event: "Signed Up", properties: { plan: "pro" } });`,
    `// Events are sent in batches; before a script exits:`,
    `await analytics.closeAndFlush();`,
  ].join("\n");
}

export interface Reason {
  path: string;
  rule: string;
  message: string;
}

/** `properties.plan: must be one of … (enum)`; a reason about the whole event has no path. */
export function reasonText(r: Reason): string {
  return `${r.path || "(whole event)"}: ${r.message} (${r.rule})`;
}
