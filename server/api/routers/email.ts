// E-mail: a preview of an e-mail node's message for one customer, before anything is sent. The
// templates are the node's config as it stands in the editor (saved or not); the traits are the
// customer's profile; the row's values are given by the editor (a customer's row of the last run,
// or typed in). Editors only: it shows a customer's profile data. Nothing is sent or recorded.
import { z } from "zod";
import { profiles } from "../../../db/store";
import { hasConsent } from "../../../lib/guardrails-rules";
import { publicBaseUrl } from "../../../lib/unsubscribe-links";
import { checkTemplate, compileTemplate, TemplateError, type TemplateKind } from "../../../nodes/action/liquid";
import { renderMessage, validAddress, type CompiledMessage } from "../../../nodes/action/email-message";
import { createTRPCRouter, editorProcedure } from "../trpc";

const FIELDS: readonly (readonly ["subject" | "html" | "text", TemplateKind])[] = [
  ["subject", "text"],
  ["html", "html"],
  ["text", "text"],
];

export interface PreviewProblem {
  /** subject, html, text, or customerId. */
  field: string;
  line?: number;
  column?: number;
  message: string;
}

export type EmailPreview =
  | { ok: false; problems: PreviewProblem[] }
  | {
      ok: true;
      subject: string;
      html: string;
      text: string;
      /** The address it would go to, when the customer has one. */
      to: string | null;
      /** Why the customer would not be sent this (no consent, no or an invalid address), or null. */
      suppressed: string | null;
    };

const scalar = z.union([z.string().max(10_000), z.number(), z.boolean(), z.null()]);

export const previewInput = z.object({
  config: z.object({
    subject: z.string().max(200_000).default(""),
    html: z.string().max(200_000).default(""),
    text: z.string().max(200_000).default(""),
    emailColumn: z.string().max(300).default(""),
  }),
  customerId: z.string().trim().min(1, "Give a customer id").max(200),
  row: z.record(z.string().max(300), scalar).optional(),
});

export const emailRouter = createTRPCRouter({
  preview: editorProcedure.input(previewInput).query(async ({ ctx, input }): Promise<EmailPreview> => {
    const problems: PreviewProblem[] = [];
    for (const [field, kind] of FIELDS) {
      const source = input.config[field];
      if (!source.trim()) {
        problems.push({ field, message: `Give the ${field === "html" ? "HTML body" : field === "text" ? "text alternative" : "subject"}` });
        continue;
      }
      const p = checkTemplate(source, kind);
      if (p) problems.push({ field, ...p });
    }
    if (problems.length) return { ok: false, problems };

    const profileId = await profiles.byIdentity(ctx.store, input.customerId);
    if (!profileId) return { ok: false, problems: [{ field: "customerId", message: `No customer has the id "${input.customerId}"` }] };
    const traits = (await profiles.get(ctx.store, profileId)).traits;
    const row = { ...(input.row ?? {}) };

    const message = Object.fromEntries(FIELDS.map(([field, kind]) => [field, compileTemplate(input.config[field], kind)])) as unknown as CompiledMessage;
    let rendered;
    try {
      // A link of the right shape that unsubscribes no one: a preview must not hand out working links.
      rendered = renderMessage(message, row, traits, `${publicBaseUrl()}/u/preview`);
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      // Which template failed: render them one by one.
      for (const [field] of FIELDS) {
        try {
          message[field].render({ row, profile: traits, unsubscribe_url: "" });
        } catch (e) {
          if (e instanceof TemplateError) return { ok: false, problems: [{ field, ...e.problem }] };
        }
      }
      return { ok: false, problems: [{ field: "html", ...err.problem }] };
    }
    const raw = input.config.emailColumn ? row[input.config.emailColumn] : traits.email;
    const to = typeof raw === "string" && raw.trim() ? raw.trim() : null;
    const suppressed = !hasConsent(traits, "email") ? "no consent" : !to ? "no e-mail address" : !validAddress(to) ? "invalid e-mail address" : null;
    return { ok: true, ...rendered, to, suppressed };
  }),
});
