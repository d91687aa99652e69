// One e-mail per customer row, over SMTP (up to `concurrency` connections kept open, ./smtp-sender.ts) through an SMTP connection.
// Subject, HTML body and text alternative are Liquid templates (./liquid.ts) filled from the row's
// columns (`row.<column>`) and the customer's profile traits (`profile.<trait>`).
//
// Customers without an address or with an invalid one are recorded in the ledger as suppressed.
// The rest pass the guardrails (ctx.guardrails, the same for every flow; ./guardrails-use.ts):
// marketing needs consent.email, and meets the global control group, frequency caps and quiet
// hours; whom they stop is suppressed with the reason, whom quiet hours put off is sent by this
// node again at their end (a deferred part: NodeResult.defer).
//
// A retry never sends twice what the ledger knows was sent: each message's key is the ledger key
// (run, node, customer); settled customers are skipped, and each message is recorded right after
// the server's 250, before that connection sends the next. The gap between the 250 and the record
// cannot be closed over SMTP (a crash there resends that message); the Message-ID is derived from
// the key, so the resend carries the same Message-ID and a receiver that drops duplicates (Mailpit
// with --ignore-duplicate-ids; many mail stores do) keeps one.
//
// Every message has List-Unsubscribe (an https link to this app with a signed token, and a mailto)
// and List-Unsubscribe-Post: List-Unsubscribe=One-Click (RFC 8058), which nodemailer does not add.
import { z } from "zod";
import { advanced, column, ConfigError, connectionField, defineNode, multiline, TransientError, type LedgerEntry, type SmtpConnection } from "../sdk";
import { POSITION, checkNoPositionColumn } from "../transform/sql-helpers";
import { Deferrals, guard, marketingField } from "./guardrails-use";
import { addressOf, compileMessage, messageIdOf, renderMessage, sha256, smtpDetail, validAddress, type RenderedMessage } from "./email-message";
import { checkTemplate, LIMITS, TemplateError, type TemplateKind } from "./liquid";
import { buildMime } from "./mime";
import { SmtpSender } from "./smtp-sender";

export { messageIdOf };

const BATCH = 500;
/** The connection npm start creates for its Mailpit. */
export const DEFAULT_CONNECTION = "mailpit";
/**
 * SMTP connections per node by default. 8 rather than 4: at 500 events/s beside a process burning 0.6
 * of a core, 4 connections missed p95 3 s in 2 of 3 runs (3.4 and 12.2 s), 8 met it in all 5
 * (1.8-2.5 s); see the README's actions figures.
 */
export const DEFAULT_SMTP_CONNECTIONS = 8;
const CHANNEL = "email";

const template = (what: string, kind: TemplateKind, example: string) =>
  z
    .string()
    .min(1, `Give the ${what}`)
    .max(LIMITS.templateChars)
    .describe(
      `${what.charAt(0).toUpperCase() + what.slice(1)}. Insert a column of the row with {{ row.<column> }}, a trait of the customer's profile with {{ profile.<trait> }}, their unsubscribe link with {{ unsubscribe_url }} (Liquid). ${kind === "html" ? "Inserted values are made safe for HTML unless marked | raw. " : ""}e.g. ${example}`,
    );

export const sendEmailConfig = z
  .object({
    connection: connectionField(z.string().trim().min(1, "Choose an SMTP connection"), ["smtp"])
      .default(DEFAULT_CONNECTION)
      .describe(`The mail server connection to send through (an admin keeps them on the Connections page; a local install has "${DEFAULT_CONNECTION}", its test mailbox).`),
    customerId: column(z.string().min(1, "Choose the customer id column")).describe(
      "The column with each row's customer id (their user id): their profile gives their consent, traits and address, and each customer gets at most one message from this node per run.",
    ),
    emailColumn: column(z.string())
      .default("")
      .describe("The column with the e-mail address. Empty: the profile's email trait."),
    subject: template("subject", "text", "{{ profile.first_name }}, a better plan for you"),
    html: multiline(template("HTML body", "html", "<p>Hi {{ profile.first_name }}, you pay {{ row.MonthlyCharges }} a month.</p>")),
    text: multiline(template("text alternative", "text", "Hi {{ profile.first_name }}, you pay {{ row.MonthlyCharges }} a month.")),
    campaign: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .default("email")
      .describe("A name for this mailing, recorded with each message in the decision ledger (with a fingerprint of the templates)."),
    scoreColumn: advanced(column(z.string()).default(""))
      .describe("A column with the model score that chose the customer, recorded in the decision ledger. Empty: none."),
    armColumn: column(z.string())
      .default("")
      .describe("A column with the experiment arm (from a Split node), recorded in the decision ledger so outcomes can be compared by arm. Empty: none."),
    concurrency: advanced(z.number().int().min(1).max(20).default(DEFAULT_SMTP_CONNECTIONS)).describe("Connections to the mail server sending at once (SMTP)."),
    marketing: marketingField,
  })
  .superRefine((c, issue) => {
    for (const [field, kind] of [
      ["subject", "text"],
      ["html", "html"],
      ["text", "text"],
    ] as const) {
      if (!c[field]) continue;
      const p = checkTemplate(c[field], kind);
      if (p) issue.addIssue({ code: "custom", path: [field], message: `line ${p.line}, column ${p.column}: ${p.message}` });
    }
  });

export type SendEmailConfig = z.output<typeof sendEmailConfig>;

const plain = (v: unknown): string | null => (v === null || v === undefined ? null : typeof v === "bigint" ? v.toString() : String(v).trim() || null);

export default defineNode({
  type: "action.send-email",
  version: 1,
  kind: "action",
  label: "Send e-mail",
  description:
    "Send one personalised e-mail per customer, filled in from the row and the customer's profile. Marketing e-mails respect the rules your admin set (e-mail consent, how often someone may be contacted, quiet hours, the global control group), and every message has a one-click unsubscribe link. Each customer is recorded in the decision ledger (sent, held back with the reason, or failed), so a retry never sends twice.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config: sendEmailConfig,
  activity: { startToCloseTimeout: "4 hours" },
  async run({ config, inputs, ctx }) {
    const input = inputs.rows;
    const names = new Set(input.columns.map((c) => c.name));
    for (const field of ["customerId", "emailColumn", "scoreColumn", "armColumn"] as const) {
      const col = config[field];
      if (col && !names.has(col)) throw new ConfigError(`${field}: the input has no column "${col}"`, { field });
    }
    checkNoPositionColumn(input, "Send e-mail", "customerId");
    const message = compileMessage(config);
    const fingerprint = sha256([config.subject, config.html, config.text].join("\u0000")).slice(0, 16);
    const conn: SmtpConnection = await ctx.connection(config.connection, "smtp", { field: "connection" });
    const fromAddress = addressOf(conn.from);

    const transport = new SmtpSender(conn);

    const counts = { sent: 0, suppressed: 0, failed: 0, alreadySettled: 0, duplicateRows: 0, rowsWithoutCustomerId: 0 };
    const suppressedBy: Record<string, number> = {};
    const failedBy: Record<string, number> = {};
    const seen = new Set<string>();
    const deferrals = new Deferrals(input);
    /** Customers with a contact reserved by the guardrails and no message sent yet: given back if the node stops. */
    const reserved = new Set<string>();
    let fatal: unknown;
    const inFlight = new Set<Promise<void>>();
    const started = Date.now();
    let lastProgress = 0;
    const report = (force = false) => {
      const now = Date.now();
      if (!force && now - lastProgress < 1000) return;
      lastProgress = now;
      const done = counts.sent + counts.suppressed + counts.failed + counts.alreadySettled + counts.duplicateRows + counts.rowsWithoutCustomerId + deferrals.count;
      ctx.progress(input.rows ? done / input.rows : null, `${counts.sent} sent, ${counts.suppressed} suppressed, ${counts.failed} failed`);
    };
    const tally = (by: Record<string, number>, reason: string) => (by[reason] = (by[reason] ?? 0) + 1);
    const about = (customer: string, row: Record<string, unknown>): Pick<LedgerEntry, "customer" | "channel" | "model" | "arm"> => {
      const score = config.scoreColumn ? Number(row[config.scoreColumn]) : NaN;
      const arm = config.armColumn ? plain(row[config.armColumn]) : null;
      return { customer, channel: CHANNEL, ...(Number.isFinite(score) ? { model: { score } } : {}), ...(arm ? { arm } : {}) };
    };

    const send = async (customer: string, row: Record<string, unknown>, to: string, rendered: RenderedMessage, unsubscribe: { url: string; token: string }) => {
      const messageId = messageIdOf(ctx.ledger.key(customer), conn.from);
      const { url: link, token } = unsubscribe;
      try {
        await transport.send(
          { from: fromAddress, to },
          buildMime({
            from: conn.from,
            to,
            subject: rendered.subject,
            html: rendered.html,
            text: rendered.text,
            messageId,
            headers: {
              "List-Unsubscribe": `<${link}>, <mailto:${fromAddress}?subject=unsubscribe%20${token}>`,
              "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
          }),
        );
      } catch (err) {
        const { permanent, text } = smtpDetail(err);
        if (!permanent) throw new TransientError(`SMTP ${conn.host}:${conn.port}: ${text}`, { cause: err });
        reserved.delete(customer);
        await ctx.guardrails.release([customer]);
        counts.failed++;
        tally(failedBy, "refused by the mail server");
        await ctx.ledger.record([{ ...about(customer, row), status: "failed", reason: `refused by the mail server: ${text}`, content: { campaign: config.campaign, template: fingerprint }, providerId: messageId }]);
        return;
      }
      reserved.delete(customer);
      // Right after the 250, before this connection takes the next message: the window in which a
      // crash would resend it is this one write to the ledger's journal.
      await ctx.ledger.record([{ ...about(customer, row), status: "sent", content: { campaign: config.campaign, template: fingerprint, subject: rendered.subject }, providerId: messageId }]);
      counts.sent++;
      report();
    };


    const schedule = async (job: () => Promise<void>) => {
      while (inFlight.size >= config.concurrency) await Promise.race(inFlight);
      if (fatal) return;
      const p: Promise<void> = job()
        .catch((err: unknown) => {
          fatal ??= err;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    };

    try {
      for await (const batch of ctx.datasets.batches(`SELECT * FROM ${ctx.datasets.fromWithPosition(input)}`, BATCH)) {
        if (fatal || ctx.signal.aborted) break;
        const rows: { customer: string; row: Record<string, unknown>; position: number }[] = [];
        for (const { [POSITION]: position, ...row } of batch) {
          const customer = plain(row[config.customerId]);
          if (!customer) counts.rowsWithoutCustomerId++;
          else if (seen.has(customer)) counts.duplicateRows++;
          else {
            seen.add(customer);
            rows.push({ customer, row, position: Number(position) });
          }
        }
        const ids = rows.map((r) => r.customer);
        const settled = await ctx.ledger.settled(ids);
        const profiles = await ctx.profiles.traits(ids);
        const suppressed: LedgerEntry[] = [];
        const ready: { customer: string; row: Record<string, unknown>; position: number; address: string; traits?: Record<string, unknown> }[] = [];
        const content = { campaign: config.campaign, template: fingerprint };
        for (const { customer, row, position } of rows) {
          if (settled.has(customer)) {
            counts.alreadySettled++;
            continue;
          }
          const traits = profiles.get(customer)?.traits;
          const address = plain(config.emailColumn ? row[config.emailColumn] : traits?.email);
          const problem = !address ? "no e-mail address" : !validAddress(address) ? "invalid e-mail address" : null;
          if (problem) {
            suppressed.push({ ...about(customer, row), status: "suppressed", reason: problem, content });
            tally(suppressedBy, problem);
          } else ready.push({ customer, row, position, address: address!, traits });
        }
        await ctx.ledger.record(suppressed);
        counts.suppressed += suppressed.length;
        const guarded = await guard(ctx, { channel: CHANNEL, marketing: config.marketing, deferrals, entry: (r) => ({ ...about(r.customer, r.row), content }) }, ready);
        for (const reason of guarded.suppressed) tally(suppressedBy, reason);
        counts.suppressed += guarded.suppressed.length;
        const sends: (() => Promise<void>)[] = [];
        for (const { customer, row, address, traits } of guarded.allowed) {
          reserved.add(customer);
          const unsubscribe = ctx.links.unsubscribe(customer, "email");
          let rendered: RenderedMessage;
          try {
            rendered = renderMessage(message, row, traits ?? {}, unsubscribe.url);
          } catch (err) {
            if (!(err instanceof TemplateError)) throw err;
            reserved.delete(customer);
            await ctx.guardrails.release([customer]);
            counts.failed++;
            tally(failedBy, "template");
            await ctx.ledger.record([{ ...about(customer, row), status: "failed", reason: `template: ${err.message}`, content: { campaign: config.campaign, template: fingerprint } }]);
            continue;
          }
          sends.push(() => send(customer, row, address, rendered, unsubscribe));
        }
        for (const job of sends) {
          if (fatal || ctx.signal.aborted) break;
          await schedule(job);
        }
        report();
      }
      await Promise.all(inFlight);
      if (ctx.signal.aborted) throw ctx.signal.reason ?? new Error("cancelled");
      if (fatal) throw fatal;
    } finally {
      await Promise.allSettled(inFlight);
      transport.close();
      if (reserved.size) await ctx.guardrails.release([...reserved]).catch((err: unknown) => ctx.log.warn(`Reserved contacts not given back: ${err instanceof Error ? err.message : String(err)}`));
    }
    const { now, defer } = await deferrals.split(ctx, "rows");
    report(true);
    const seconds = (Date.now() - started) / 1000;
    if (counts.suppressed) ctx.log.info(`${counts.suppressed} customer(s) suppressed`, suppressedBy);
    return {
      outputs: { rows: now },
      ...(defer.length ? { defer } : {}),
      metrics: {
        sent: counts.sent,
        suppressed: counts.suppressed,
        failed: counts.failed,
        ...(deferrals.count ? { deferred: deferrals.count, deferredUntil: deferrals.schedule() } : {}),
        ...(counts.suppressed ? { suppressedByReason: suppressedBy } : {}),
        ...(counts.failed ? { failedByReason: failedBy } : {}),
        ...(counts.alreadySettled ? { alreadySettled: counts.alreadySettled } : {}),
        ...(counts.duplicateRows ? { duplicateRows: counts.duplicateRows } : {}),
        ...(counts.rowsWithoutCustomerId ? { rowsWithoutCustomerId: counts.rowsWithoutCustomerId } : {}),
        ...(counts.sent ? { messagesPerSecond: Math.round((counts.sent / Math.max(seconds, 0.001)) * 10) / 10 } : {}),
        campaign: config.campaign,
        connection: config.connection,
      },
    };
  },
});
