// Sends rows to another system as JSON over HTTP: one POST per row, or a JSON array per batch of
// rows, to a path of an HTTP API connection (its credentials, its hosts only, through the SSRF
// guard; no redirects). Each request carries Standard Webhooks v1 headers (webhook-id,
// webhook-timestamp, webhook-signature, signed by the connection) and an Idempotency-Key; both
// are derived from the decision ledger's key, so a retried request, or a retried node, sends the
// same id and the receiver can drop duplicates. Busy and failing receivers are retried with
// backoff (Retry-After honoured); every row ends up in the ledger as sent or failed (with the
// HTTP status and reason), and rows already sent by an earlier try of this node are not sent again.
// Rows pass the guardrails first (ctx.guardrails; ./guardrails-use.ts), under the channel the node
// names (sms, push, or a plain webhook): for marketing, the global control group, consent (sms,
// push), frequency caps and quiet hours; those put off are sent by this node again at their time.
import { z } from "zod";
import { advanced, column, ConfigError, connectionField, defineNode, multiline, redactUrl, type LedgerEntry } from "../sdk";
import { POSITION, checkNoPositionColumn } from "../transform/sql-helpers";
import { Deferrals, guard, marketingField } from "./guardrails-use";
import { checkTemplate, compileTemplate, templateValue, TemplateError } from "./liquid";
import { messageId, pool, Sender, sha256, signerOf, type Item } from "./webhook-send";

/** Rows read, checked against the ledger and sent per round; a multiple of any batch size is not needed. */
const CHUNK_ROWS = 2000;
/** What a template may name: the row's columns as row.<column>, and the row's idempotency key. */
const TEMPLATE_ROOTS = ["row", "idempotency_key"];
const NO_LINE_BREAKS = /^[^\r\n\0]*$/;
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/;

const config = z
  .object({
    connection: connectionField(z.string().trim().min(1, "Choose an HTTP API connection"), ["http"]).describe(
      "The HTTP API connection (kept by an admin) that receives the rows: requests go only to its hosts, with its credentials, and are signed with its webhook signing secret.",
    ),
    path: z
      .string()
      .trim()
      .max(2000)
      .regex(NO_LINE_BREAKS, "No line breaks in the path")
      .default("")
      .describe("Where to POST, below the connection's base URL (e.g. /v1/messages). Empty: the base URL itself."),
    customerId: column(z.string().min(1, "Choose the customer id column")).describe(
      "The column with each row's customer id: the ledger records one send per customer, and a retry skips customers already sent. Rows without one are skipped.",
    ),
    payload: z
      .enum(["columns", "template"])
      .default("columns")
      .describe("columns: each row as a JSON object of the chosen columns. template: each row's JSON rendered by a Liquid template."),
    columns: z
      .array(column(z.string().min(1)))
      .max(1000)
      .default([])
      .describe("columns payload: the columns sent, under their own names. Empty: every column."),
    template: multiline(
      z
        .string()
        .max(100_000)
        .default("")
        .describe(
          'template payload: a Liquid template rendering one row as JSON, e.g. {"to": {{ row.phone | json }}, "text": {{ row.message | json }}}. It may use row.<column> and idempotency_key (the row\'s key).',
        ),
    ),
    keyField: advanced(
      z
        .string()
        .trim()
        .default("")
        .refine((v) => v === "" || FIELD_NAME.test(v), "A field name: a letter or _, then letters, digits, _ . -")
        .describe("Adds each row's idempotency key to its JSON object under this name (in batches the header key covers the whole request). Empty: not added."),
    ),
    batchSize: advanced(
      z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(1)
        .describe("1: one request per row, its JSON object as the body. More: up to this many rows per request, as a JSON array."),
    ),
    concurrency: advanced(z.number().int().min(1).max(64).default(8).describe("Requests in flight at once.")),
    sign: advanced(
      z
        .boolean()
        .default(true)
        .describe("Sign every request with the connection's Standard Webhooks signing secret (webhook-signature). Off only for receivers that check the connection's credentials instead."),
    ),
    maxAttempts: advanced(
      z
        .number()
        .int()
        .min(1)
        .max(10)
        .default(5)
        .describe("Tries per request: HTTP 408, 429, 5xx and network errors are tried again with growing waits (Retry-After is honoured, up to 60 s); other answers are final."),
    ),
    backoffMs: advanced(z.number().int().min(0).max(60_000).default(500).describe("The first wait between tries, in milliseconds; it doubles each try.")),
    timeoutSeconds: advanced(z.number().positive().max(300).default(30).describe("Longest wait for one answer, in seconds.")),
    channel: z
      .enum(["webhook", "sms", "push"])
      .default("webhook")
      .describe("What the receiver does with each row: sends an SMS, a push notification, or something else (webhook). The ledger and the guardrails count sends per channel; SMS and push need the customer's consent on that channel (consent.sms, consent.push)."),
    marketing: marketingField,
  })
  .superRefine((c, issue) => {
    if (c.payload !== "template") return;
    if (!c.template.trim()) return issue.addIssue({ code: "custom", path: ["template"], message: "Give the template (or send columns)" });
    const problem = checkTemplate(c.template, "text", { roots: TEMPLATE_ROOTS });
    if (problem) issue.addIssue({ code: "custom", path: ["template"], message: `line ${problem.line}, column ${problem.column}: ${problem.message}` });
  });

/** JSON for DuckDB's values: bigints as numbers when exact, else as digit strings. */
const replacer = (_key: string, v: unknown) => (typeof v === "bigint" ? (Number.isSafeInteger(Number(v)) ? Number(v) : v.toString()) : v);

/** Renders one row to its JSON text; a problem with one row is that row's failure, not the node's. */
type Render = (row: Record<string, unknown>, key: string) => string;

function columnsRender(cols: readonly string[], keyField: string): Render {
  return (row, key) => {
    const obj: Record<string, unknown> = {};
    // Defined, not assigned: a column named __proto__ stays an ordinary key.
    for (const c of cols) Object.defineProperty(obj, c, { value: row[c], enumerable: true, writable: true, configurable: true });
    if (keyField) Object.defineProperty(obj, keyField, { value: key, enumerable: true, writable: true, configurable: true });
    return JSON.stringify(obj, replacer);
  };
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function templateRender(source: string, keyField: string): Render {
  let template;
  try {
    template = compileTemplate(source, "text", { roots: TEMPLATE_ROOTS });
  } catch (err) {
    if (err instanceof TemplateError) throw new ConfigError(`Send webhook: the template, ${err.message}`, { field: "template" });
    throw err;
  }
  return (row, key) => {
    let text: string;
    try {
      text = template.render({ row: templateValue(row) as Record<string, unknown>, idempotency_key: key });
    } catch (err) {
      throw new Error(`The template failed for this row: ${err instanceof Error ? err.message : String(err)}`);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // Not the SyntaxError's message: it quotes the row's data.
      throw new Error("The template's output for this row is not valid JSON (values need | json)");
    }
    if (keyField && isPlainObject(value)) Object.defineProperty(value, keyField, { value: key, enumerable: true, writable: true, configurable: true });
    return JSON.stringify(value);
  };
}

export default defineNode({
  type: "action.webhook",
  version: 1,
  kind: "action",
  label: "Send webhook",
  description:
    "Send each row (or rows in batches) to another system through an HTTP API connection: how SMS and push providers and other tools are reached. What is sent is built from chosen columns or a template. Requests are signed, busy receivers are tried again, and each row is recorded in the decision ledger as sent or failed; a retry never sends a row twice.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config,
  async run({ config: cfg, inputs, ctx }) {
    const input = inputs.rows;
    const names = new Set(input.columns.map((c) => c.name));
    if (!names.has(cfg.customerId)) throw new ConfigError(`Send webhook: the input has no column "${cfg.customerId}"`, { field: "customerId" });
    checkNoPositionColumn(input, "Send webhook", "customerId");
    for (const [i, c] of cfg.columns.entries()) {
      if (!names.has(c)) throw new ConfigError(`Send webhook: the input has no column "${c}"`, { field: `columns.${i}` });
    }
    const sent = cfg.payload === "columns" ? (cfg.columns.length ? [...new Set(cfg.columns)] : input.columns.map((c) => c.name)) : input.columns.map((c) => c.name);
    if (cfg.keyField && cfg.payload === "columns" && sent.includes(cfg.keyField)) {
      throw new ConfigError(`Send webhook: "${cfg.keyField}" is already a column of the payload; choose another name for the key field`, { field: "keyField" });
    }
    const render = cfg.payload === "columns" ? columnsRender(sent, cfg.keyField) : templateRender(cfg.template, cfg.keyField);

    const conn = await ctx.connection(cfg.connection, "http");
    const sign = cfg.sign ? signerOf(conn) : undefined;
    if (cfg.sign && !sign) {
      throw new ConfigError(
        `Send webhook: connection "${conn.name}" has no webhook signing secret, so requests cannot be signed; an admin adds one to the connection, or turn signing off if the receiver checks the connection's credentials instead`,
        { field: "connection" },
      );
    }
    const url = conn.resolveUrl(cfg.path);
    const shown = redactUrl(url);
    const sender = new Sender(cfg, ctx, conn, url, sign);

    const { ident } = ctx.datasets;
    const cols = [cfg.customerId, ...sent.filter((c) => c !== cfg.customerId)];
    const seen = new Set<string>();
    let read = 0;
    let sentRows = 0;
    let failedRows = 0;
    let alreadySent = 0;
    let withoutId = 0;
    let duplicates = 0;
    let suppressed = 0;
    const deferrals = new Deferrals(input);
    ctx.progress(0, `Sending ${input.rows} rows to ${shown}`);
    const positioned = `SELECT ${cols.map(ident).join(", ")}, ${POSITION} FROM ${ctx.datasets.fromWithPosition(input)}`;
    for await (const rows of ctx.datasets.batches(positioned, CHUNK_ROWS)) {
      read += rows.length;
      // One send per customer: the ledger key is per customer, and a second row would repeat its webhook-id.
      const fresh: { customer: string; row: Record<string, unknown>; position: number }[] = [];
      for (const { [POSITION]: position, ...row } of rows) {
        const v = row[cfg.customerId];
        const customer = v === null || v === undefined ? "" : v instanceof Date ? v.toISOString() : String(v).trim();
        if (!customer) withoutId++;
        else if (seen.has(customer)) duplicates++;
        else {
          seen.add(customer);
          fresh.push({ customer, row, position: Number(position) });
        }
      }
      const settled = await ctx.ledger.settled(fresh.map((f) => f.customer));
      alreadySent += settled.size;
      const guarded = await guard(ctx, { channel: cfg.channel, marketing: cfg.marketing, deferrals, entry: (f) => ({ customer: f.customer, channel: cfg.channel }) }, fresh.filter((f) => !settled.has(f.customer)));
      suppressed += guarded.suppressed.length;
      // Contacts the guardrails reserved for sends that did not go are given back.
      const unsent = new Set(guarded.allowed.map((f) => f.customer));

      const entries: LedgerEntry[] = [];
      const items: Item[] = [];
      for (const { customer, row } of guarded.allowed) {
        const key = messageId([ctx.ledger.key(customer)]);
        try {
          items.push({ customer, key, json: render(row, key) });
        } catch (err) {
          failedRows++;
          entries.push({ customer, channel: cfg.channel, status: "failed", reason: err instanceof Error ? err.message : String(err), content: { webhookId: key } });
        }
      }
      const requests: Item[][] = [];
      for (let i = 0; i < items.length; i += cfg.batchSize) requests.push(items.slice(i, i + cfg.batchSize));

      try {
        await pool(requests, cfg.concurrency, async (batch) => {
          const out = await sender.send(batch);
          for (const item of batch) {
            entries.push({
              customer: item.customer,
              channel: cfg.channel,
              status: out.ok ? "sent" : "failed",
              reason: out.reason,
              content: {
                sha256: sha256(item.json).toString("hex"),
                bytes: Buffer.byteLength(item.json),
                webhookId: out.id,
                ...(out.status !== undefined ? { httpStatus: out.status } : {}),
                attempts: out.attempts,
              },
              providerId: out.providerId,
            });
          }
          if (out.ok) for (const item of batch) unsent.delete(item.customer);
          if (out.ok) sentRows += batch.length;
          else failedRows += batch.length;
          sender.beat(`${sentRows} sent, ${failedRows} failed`);
        });
      } finally {
        // What was sent is recorded even when the node stops halfway (cancelled, a ConfigError), so a
        // retry does not send it again.
        await ctx.ledger.record(entries).catch((err: unknown) => {
          ctx.log.error(`Could not record ${entries.length} ledger entries: ${err instanceof Error ? err.message : String(err)}`);
          throw err;
        });
        await ctx.guardrails.release([...unsent]);
      }
      ctx.progress(input.rows ? read / input.rows : null, `${read} of ${input.rows} rows: ${sentRows} sent, ${failedRows} failed`);
    }
    if (withoutId) ctx.log.warn(`${withoutId} row(s) had no customer id in "${cfg.customerId}" and were not sent`);
    if (duplicates) ctx.log.warn(`${duplicates} row(s) repeated a customer id already sent in this run and were not sent again`);
    if (failedRows) ctx.log.warn(`${failedRows} row(s) could not be delivered to ${shown}; the ledger says why`);
    ctx.progress(1, `${sentRows} sent, ${failedRows} failed, ${alreadySent} already sent`);
    const { now, defer } = await deferrals.split(ctx, "rows");
    return {
      outputs: { rows: now },
      ...(defer.length ? { defer } : {}),
      metrics: {
        url: shown,
        rows: input.rows,
        sent: sentRows,
        failed: failedRows,
        ...(suppressed ? { suppressed } : {}),
        ...(deferrals.count ? { deferred: deferrals.count, deferredUntil: deferrals.schedule() } : {}),
        alreadySent,
        withoutCustomerId: withoutId,
        duplicates,
        requests: sender.requests,
        retries: sender.retries,
      },
    };
  },
});

