// The e-mail node against a real Mailpit (started here on free ports): personalisation, consent,
// unsubscribe headers, Message-IDs from ledger keys, retries that send nothing twice, refused
// recipients, a mail server that is down, and bad templates refused before anything is sent.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ledger, profiles } from "../../db/store";
import { freePort } from "../../lib/dev-server";
import { mailpitBinary, MailpitApi, startMailpit, type Mailpit } from "../../lib/mailpit";
import { failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, TransientError, type DatasetRef } from "../sdk";
import { verifyUnsubscribeToken } from "../../lib/unsubscribe-links";
import sendEmail, { messageIdOf } from "./send-email.node.ts";

const binary = mailpitBinary();
const KEY = randomBytes(32);
const saved = { key: process.env.LOOPWRIGHT_UNSUBSCRIBE_KEY, url: process.env.LOOPWRIGHT_PUBLIC_URL };

let h: Harness;
let mp: Mailpit;
let api: MailpitApi;
let refusing: Mailpit;

const TEMPLATES = {
  subject: "{{ profile.first_name }}, a better plan for you",
  html: "<p>Hi {{ profile.first_name }},</p><p>You pay ${{ row.MonthlyCharges }} a month. {{ row.note }}</p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a>",
  text: "Hi {{ profile.first_name }}, you pay ${{ row.MonthlyCharges }} a month.",
};

const CUSTOMERS = `SELECT * FROM (VALUES
  ('c1', 70.35, '<b>bold</b>', 0.91, 'A'),
  ('c2', 29.85, 'x', 0.88, 'B'),
  ('c3', 50.00, 'x', 0.80, 'A'),
  ('c4', 10.00, 'x', 0.75, 'A'),
  ('c5', 99.00, 'x', 0.95, 'B'),
  ('c6', 12.00, 'x', 0.71, 'A'),
  ('c1', 70.35, 'dup', 0.91, 'A'),
  (NULL, 1.00, 'x', 0.5, 'A')
) t(customerID, MonthlyCharges, note, churn_score, arm)`;

beforeAll(async () => {
  if (!binary) throw new Error("Mailpit is not built: run npm test (it builds it into .tools/bin), or set MAILPIT_PATH");
  process.env.LOOPWRIGHT_UNSUBSCRIBE_KEY = KEY.toString("base64");
  process.env.LOOPWRIGHT_PUBLIC_URL = "https://app.example.com";
  h = harness();
  mp = await startMailpit({ binary, smtpPort: await freePort(), uiPort: await freePort() });
  api = new MailpitApi(mp.url);
  // A server that refuses every recipient at refused.example.
  refusing = await startMailpit({ binary, smtpPort: await freePort(), uiPort: await freePort(), extraArgs: ["--smtp-allowed-recipients", "@ok\\.example$"] });
  await h.connection({ name: "mailpit", kind: "smtp", config: { host: "127.0.0.1", port: mp.smtpPort, from: "Telco <news@telco.example>" } });
  await h.connection({ name: "refusing", kind: "smtp", config: { host: "127.0.0.1", port: refusing.smtpPort, from: "news@telco.example" } });
  await h.connection({ name: "down", kind: "smtp", config: { host: "127.0.0.1", port: await freePort(), from: "news@telco.example" } });
  await profiles.writeTraits(h.store, [
    { userId: "c1", traits: { first_name: "Ann", email: "ann@ok.example", consent: { email: true } } },
    { userId: "c2", traits: { first_name: "Bob", email: "bob@ok.example", consent: { email: false } } },
    { userId: "c3", traits: { first_name: "Cy", email: "cy@ok.example" } },
    { userId: "c4", traits: { first_name: "Dee", consent: { email: true } } },
    { userId: "c5", traits: { first_name: "Eve", email: "eve@refused.example", consent: { email: true, sms: false } } },
    { userId: "c6", traits: { first_name: "Fay", email: "not an address", consent: { email: true } } },
  ]);
}, 60_000);

afterAll(async () => {
  await mp?.stop();
  await refusing?.stop();
  await h?.close();
  for (const [k, v] of [["LOOPWRIGHT_UNSUBSCRIBE_KEY", saved.key], ["LOOPWRIGHT_PUBLIC_URL", saved.url]] as const) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const dataset = (sql: string): Promise<DatasetRef> => h.ctx("setup").datasets.create(sql);

describe("action.send-email", () => {
  it("sends each consenting customer one personalised message with both unsubscribe headers; the rest are suppressed with reasons", async () => {
    const rows = await dataset(CUSTOMERS);
    const config = { connection: "mailpit", customerId: "customerID", ...TEMPLATES, campaign: "retention", scoreColumn: "churn_score", armColumn: "arm" };
    const ctx = h.ctx("email", { runId: "run-1" });
    const result = await h.run(sendEmail, config, { rows }, ctx);
    expect(result.metrics).toMatchObject({
      sent: 2,
      suppressed: 4,
      failed: 0,
      suppressedByReason: { "no consent": 2, "no e-mail address": 1, "invalid e-mail address": 1 },
      duplicateRows: 1,
      rowsWithoutCustomerId: 1,
      campaign: "retention",
    });
    expect(result.outputs.rows).toEqual(rows);

    const got = await api.messages();
    expect(got.map((m) => m.To[0]!.Address).sort()).toEqual(["ann@ok.example", "eve@refused.example"]);
    const ann = got.find((m) => m.To[0]!.Address === "ann@ok.example")!;
    expect(ann.Subject).toBe("Ann, a better plan for you");
    expect(ann.From).toEqual({ Name: "Telco", Address: "news@telco.example" });
    const body = await api.message(ann.ID);
    expect(body.Text).toContain("Hi Ann, you pay $70.35 a month.");
    expect(body.HTML).toContain("&lt;b&gt;bold&lt;/b&gt;");
    expect(`<${ann.MessageID}>`).toBe(messageIdOf(ctx.ledger.key("c1"), "Telco <news@telco.example>"));

    const headers = await api.headers(ann.ID);
    expect(headers["List-Unsubscribe-Post"]).toEqual(["List-Unsubscribe=One-Click"]);
    expect(headers["List-Unsubscribe"]).toHaveLength(1);
    const [https, mailto] = headers["List-Unsubscribe"]![0]!.split(/,\s*/);
    const link = /^<(https:\/\/app\.example\.com\/u\/([^>]+))>$/.exec(https!);
    expect(link).not.toBeNull();
    expect(verifyUnsubscribeToken(KEY, link![2]!)).toEqual({ customer: "c1", channel: "email" });
    expect(mailto).toBe(`<mailto:news@telco.example?subject=unsubscribe%20${link![2]}>`);
    expect(body.HTML).toContain(`href="${link![1]}"`);

    const rowsInLedger = await ledger.list(h.store, {});
    const byCustomer = Object.fromEntries(rowsInLedger.map((r) => [r.customerId, r]));
    expect(Object.keys(byCustomer).sort()).toEqual(["c1", "c2", "c3", "c4", "c5", "c6"]);
    expect(byCustomer.c1).toMatchObject({ status: "sent", channel: "email", providerId: `<${ann.MessageID}>`, arm: "A", model: { score: 0.91 }, content: { campaign: "retention", subject: "Ann, a better plan for you" } });
    expect(byCustomer.c2).toMatchObject({ status: "suppressed", reason: "no consent" });
    expect(byCustomer.c3).toMatchObject({ status: "suppressed", reason: "no consent" });
    expect(byCustomer.c4).toMatchObject({ status: "suppressed", reason: "no e-mail address" });
    expect(byCustomer.c6).toMatchObject({ status: "suppressed", reason: "invalid e-mail address" });

    // The node again in the same run (a retry): everything is settled, nothing is sent.
    const again = await h.run(sendEmail, config, { rows }, h.ctx("email", { runId: "run-1", attempt: 2 }));
    expect(again.metrics).toMatchObject({ sent: 0, suppressed: 0, failed: 0, alreadySettled: 6 });
    expect(await api.messages()).toHaveLength(2);
  });

  it("a recipient the server refuses is failed with its answer; the others are sent", async () => {
    const rows = await dataset("SELECT * FROM (VALUES ('c1'), ('c5')) t(customerID)");
    const result = await h.run(sendEmail, { connection: "refusing", customerId: "customerID", ...TEMPLATES }, { rows }, h.ctx("email", { runId: "run-refused" }));
    expect(result.metrics).toMatchObject({ sent: 1, failed: 1, failedByReason: { "refused by the mail server": 1 } });
    const [eve] = (await ledger.list(h.store, {})).filter((r) => r.runId === "run-refused" && r.customerId === "c5");
    expect(eve).toMatchObject({ status: "failed", reason: expect.stringMatching(/^refused by the mail server: .*5\d\d/) });
  });

  it("a mail server that is down is a transient error (the node is retried), and nothing is recorded as sent", async () => {
    const rows = await dataset("SELECT 'c1' AS customerID");
    const err = await failure(h.run(sendEmail, { connection: "down", customerId: "customerID", ...TEMPLATES }, { rows }, h.ctx("email", { runId: "run-down" })));
    expect(err).toBeInstanceOf(TransientError);
    expect(err.message).toMatch(/^SMTP 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect((await ledger.list(h.store, {})).filter((r) => r.runId === "run-down")).toEqual([]);
  });

  it("bad templates are refused before anything is sent, naming the field, line and column", async () => {
    const rows = await dataset("SELECT 'c1' AS customerID");
    const before = (await api.messages()).length;
    const bad = async (field: string, template: string) => {
      const err = await failure(h.run(sendEmail, { connection: "mailpit", customerId: "customerID", ...TEMPLATES, [field]: template }, { rows }, h.ctx("email", { runId: `run-bad-${field}` })));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.where).toBe(field);
      return err.message;
    };
    expect(await bad("subject", "Hi {{ profile.first_name | shout }}")).toBe('Send e-mail: subject: line 1, column 4: unknown filter "shout"');
    expect(await bad("html", "<p>\n{% if row.vip %}VIP</p>")).toBe("Send e-mail: html: line 2, column 1: tag {% if row.vip %} not closed");
    expect(await bad("text", "{% for i in (1..10000000) %}x{% endfor %}")).toMatch(/^Send e-mail: text: line 1, column 1: the template would build more than/);
    expect(await bad("html", "{{ this.constructor }}")).toMatch(/^Send e-mail: html: line 1, column 4: "constructor" cannot be used/);
    expect(await bad("text", "Hi {{ first_name }}")).toMatch(/unknown variable "first_name"; write row.first_name for a column or profile.first_name/);
    expect(await api.messages()).toHaveLength(before);
  });

  it("names a missing column and an unknown connection as config problems", async () => {
    const rows = await dataset("SELECT 'c1' AS id");
    const missing = await failure(h.run(sendEmail, { customerId: "customerID", ...TEMPLATES }, { rows }, h.ctx("email", { runId: "run-cols" })));
    expect(missing).toMatchObject({ message: 'customerId: the input has no column "customerID"', where: "customerId" });
    const noConn = await failure(h.run(sendEmail, { connection: "nope", customerId: "id", ...TEMPLATES }, { rows }, h.ctx("email", { runId: "run-conn" })));
    expect(noConn).toMatchObject({ where: "connection" });
  });

  it("sends a few hundred messages at a measured rate, each once", async () => {
    const n = 400;
    await profiles.writeTraits(
      h.store,
      Array.from({ length: n }, (_, i) => ({ userId: `bulk-${i}`, traits: { first_name: `N${i}`, email: `bulk-${i}@ok.example`, consent: { email: true } } })),
    );
    await api.deleteAll();
    const rows = await dataset(`SELECT 'bulk-' || i AS customerID, i * 1.5 AS MonthlyCharges, '' AS note FROM range(${n}) t(i)`);
    const started = Date.now();
    const result = await h.run(sendEmail, { connection: "mailpit", customerId: "customerID", ...TEMPLATES, concurrency: 4 }, { rows }, h.ctx("email", { runId: "run-bulk" }));
    const seconds = (Date.now() - started) / 1000;
    expect(result.metrics).toMatchObject({ sent: n, failed: 0, suppressed: 0 });
    const got = await api.messages();
    expect(new Set(got.map((m) => m.To[0]!.Address)).size).toBe(n);
    console.log(`[send-email] ${n} messages to Mailpit in ${seconds.toFixed(2)} s: ${(n / seconds).toFixed(0)} messages/s (node's own figure ${String(result.metrics?.messagesPerSecond)}/s; ledger write after each)`);
  }, 60_000);
});
