// An e-mail's pieces, apart from sending it: the three templates compiled and rendered for one
// customer, the address check, the Message-ID derived from the ledger key, and what an SMTP
// error means for the message (./send-email.node.ts sends; the preview reads the same).
import { createHash } from "node:crypto";
import { ConfigError } from "../sdk";
import { compileTemplate, TemplateError, templateValue, type CompiledTemplate, type TemplateKind } from "./liquid";

const ADDRESS = /^[^\s@<>(),;:"[\]\\]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

export interface CompiledMessage {
  subject: CompiledTemplate;
  html: CompiledTemplate;
  text: CompiledTemplate;
}

/** The three templates parsed; ConfigError naming the field of the first that has a problem. */
export function compileMessage(c: { subject: string; html: string; text: string }): CompiledMessage {
  const one = (field: "subject" | "html" | "text", kind: TemplateKind) => {
    try {
      return compileTemplate(c[field], kind);
    } catch (err) {
      if (err instanceof TemplateError) throw new ConfigError(`${field}: line ${err.problem.line}, column ${err.problem.column}: ${err.problem.message}`, { field });
      throw err;
    }
  };
  return { subject: one("subject", "text"), html: one("html", "html"), text: one("text", "text") };
}

export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

/** One customer's message; TemplateError when a template fails on their data. */
export function renderMessage(m: CompiledMessage, row: Record<string, unknown>, traits: Record<string, unknown>, unsubscribe: string): RenderedMessage {
  const scope = { row: templateValue(row) as Record<string, unknown>, profile: templateValue(traits) as Record<string, unknown>, unsubscribe_url: unsubscribe };
  // A header is one line: line breaks in the subject become spaces.
  const subject = m.subject.render(scope).replace(/[\r\n\t]+/g, " ").trim().slice(0, 998);
  return { subject, html: m.html.render(scope), text: m.text.render(scope) };
}

export function validAddress(v: unknown): v is string {
  return typeof v === "string" && v.length <= 254 && ADDRESS.test(v);
}

function domainOf(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1]?.toLowerCase() ?? "loopwright.invalid";
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The Message-ID of a ledger key: the same on every retry, no customer id in clear. */
export const messageIdOf = (ledgerKey: string, from: string) => `<${sha256(`loopwright-email:${ledgerKey}`).slice(0, 40)}@${domainOf(from)}>`;

/** The address in a From value ("Shop <news@example.com>" -> news@example.com). */
export const addressOf = (from: string) => /<([^<>]+)>\s*$/.exec(from)?.[1] ?? from.trim();

export function smtpDetail(err: unknown): { permanent: boolean; text: string } {
  const e = err as { responseCode?: number; code?: string; response?: string; message?: string };
  const text = (e.response ?? e.message ?? String(err)).replace(/\s+/g, " ").slice(0, 300);
  // A 5xx about this message (recipient refused, message refused) is final for it; connection
  // trouble, 4xx (try later) and anything else are worth trying the node again.
  const permanent = typeof e.responseCode === "number" && e.responseCode >= 500 && (e.code === "EENVELOPE" || e.code === "EMESSAGE");
  return { permanent, text };
}
