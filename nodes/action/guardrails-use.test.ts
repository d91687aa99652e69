// The sending nodes through ctx.guardrails, in a real store: send-email (a real Mailpit) and a
// webhook naming its channel (a local receiver). Consent per channel, the frequency cap across
// runs, quiet hours in each customer's zone (the node returns a part per release time, without
// those rows in its output; the part, run later as a child run, replaces the deferral in the
// ledger), transactional sends, and a failed send giving its contact back.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { flows, guardrails, ledger, profiles, runs } from "../../db/store";
import { freePort } from "../../lib/dev-server";
import { DEFAULT_GUARDRAILS, quietUntil, type GuardrailSettings } from "../../lib/guardrails-rules";
import { mailpitBinary, MailpitApi, startMailpit, type Mailpit } from "../../lib/mailpit";
import { harness, type Harness } from "../../tests/harness";
import type { DatasetRef, RunTrigger } from "../sdk";
import sendEmail from "./send-email.node.ts";
import webhook from "./webhook.node.ts";

let h: Harness;
let mp: Mailpit;
let api: MailpitApi;
let server: http.Server;
let status = 200;
const bodies: string[] = [];
let flow: { flowId: string; versionId: string };

/** Quiet hours from an hour before to an hour after this moment in Tokyo: night there, not in UTC (9 hours behind). */
function tokyoQuietHours(): GuardrailSettings["quietHours"] {
  const f = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const hhmm = (t: number) => f.format(new Date(t));
  return { enabled: true, from: hhmm(Date.now() - 3_600_000), to: hhmm(Date.now() + 3_600_000) };
}

beforeAll(async () => {
  const binary = mailpitBinary();
  if (!binary) throw new Error("Mailpit is not built: run npm test (it builds it into .tools/bin), or set MAILPIT_PATH");
  h = harness();
  mp = await startMailpit({ binary, smtpPort: await freePort(), uiPort: await freePort() });
  api = new MailpitApi(mp.url);
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", () => {
      bodies.push(body);
      res.writeHead(status).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  process.env.LOOPWRIGHT_HTTP_ALLOW = `127.0.0.1:${port}`;
  await h.connection({ name: "mailpit", kind: "smtp", config: { host: "127.0.0.1", port: mp.smtpPort, from: "news@shop.example" } });
  await h.connection({ name: "sms", kind: "http", config: { baseUrl: `http://127.0.0.1:${port}` }, plainHttpHosts: ["127.0.0.1"] });
  flow = await flows.create(h.store, { name: "Guarded", nodes: [], edges: [] });
  await profiles.writeTraits(h.store, [
    { userId: "ann", traits: { email: "ann@shop.example", timezone: "Asia/Tokyo", consent: { email: true, sms: true } } },
    { userId: "bob", traits: { email: "bob@shop.example", consent: { email: true, sms: "granted" } } },
    { userId: "cy", traits: { email: "cy@shop.example", consent: { email: false } } },
  ]);
}, 60_000);

afterAll(async () => {
  delete process.env.LOOPWRIGHT_HTTP_ALLOW;
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await mp?.stop();
  await h?.close();
});

beforeEach(async () => {
  status = 200;
  await guardrails.saveSettings(h.store, DEFAULT_GUARDRAILS);
});

const startRun = (runId: string, trigger: RunTrigger = { kind: "manual" }) =>
  runs.create(h.store, { runId, flowId: flow.flowId, flowVersionId: flow.versionId, flowVersion: 1, triggerKind: "manual", trigger, workflowId: runId, temporalUrl: "", nodes: [] });
const customers = () => h.ctx("setup").datasets.create("SELECT * FROM (VALUES ('ann', 1), ('bob', 2), ('cy', 3)) t(customer, n)");
const ledgerOf = async (runId: string) => Object.fromEntries((await ledger.list(h.store)).filter((r) => r.runId === runId).map((r) => [r.customerId, `${r.status}${r.reason ? `: ${r.reason}` : ""}`]));
const email = { connection: "mailpit", customerId: "customer", subject: "Hi", html: "<p>Hi</p>", text: "Hi", campaign: "guarded" };
const addresses = async () => (await api.messages()).map((m) => m.To[0]!.Address).sort();

describe("sending through the guardrails", () => {
  it("e-mail: consent, quiet hours in the customer's zone (a part for later, replaced in the ledger when it runs), then the cap across runs", async () => {
    await api.deleteAll();
    const quietHours = tokyoQuietHours();
    await guardrails.saveSettings(h.store, { ...DEFAULT_GUARDRAILS, caps: { email: { max: 1, days: 7 } }, quietHours });
    const rows = await customers();
    await startRun("g1");
    const first = await h.run(sendEmail, email, { rows }, h.ctx("email", { runId: "g1" }));

    // Bob (UTC, daytime) is sent; Cy never consented; Ann (Tokyo, night) is put off to the end of quiet hours there.
    const until = quietUntil(Date.now(), "Asia/Tokyo", quietHours)!;
    expect(first.metrics).toMatchObject({ sent: 1, suppressed: 1, deferred: 1, suppressedByReason: { "no consent": 1 }, deferredUntil: [{ at: new Date(until).toISOString(), customers: 1 }] });
    expect(first.defer).toHaveLength(1);
    expect(first.defer![0]!.at).toBe(until);
    const part = first.defer![0]!.inputs.rows!;
    expect(await h.ctx("check").datasets.preview(part)).toEqual([{ customer: "ann", n: 1 }]);
    expect((await h.ctx("check").datasets.preview(first.outputs.rows as DatasetRef)).map((r) => r.customer)).toEqual(["bob", "cy"]);
    expect(await ledgerOf("g1")).toEqual({ ann: `suppressed: deferred to ${new Date(until).toISOString()} (quiet hours)`, bob: "sent", cy: "suppressed: no consent" });
    expect(await addresses()).toEqual(["bob@shop.example"]);
    // A retry of the node defers Ann again (a deferral is not settled) and sends no one twice.
    const retry = await h.run(sendEmail, email, { rows }, h.ctx("email", { runId: "g1", attempt: 2 }));
    expect(retry.metrics).toMatchObject({ sent: 0, deferred: 1, alreadySettled: 2 });

    // Another flow the same day: Bob has had his one e-mail this week.
    await startRun("g2");
    const second = await h.run(sendEmail, email, { rows: await customers() }, h.ctx("email", { runId: "g2" }));
    expect((await ledgerOf("g2")).bob).toBe("suppressed: frequency cap: 1 e-mail in 7 days");
    expect(second.metrics).toMatchObject({ sent: 0, deferred: 1 });

    // Quiet hours over: the interpreter runs g1's part as a child run; Ann's e-mail replaces her deferral.
    await guardrails.saveSettings(h.store, { ...DEFAULT_GUARDRAILS, caps: { email: { max: 1, days: 7 } } });
    await startRun("g1.email.1", { kind: "manual", parent: { runId: "g1", node: "email", part: "quiet hours" } });
    const later = await h.run(sendEmail, email, { rows: part }, h.ctx("email", { runId: "g1.email.1" }));
    expect(later.metrics).toMatchObject({ sent: 1, suppressed: 0 });
    expect(later.defer).toBeUndefined();
    expect(await ledgerOf("g1")).toEqual({ bob: "sent", cy: "suppressed: no consent" });
    expect(await ledgerOf("g1.email.1")).toEqual({ ann: "sent" });
    expect(await addresses()).toEqual(["ann@shop.example", "bob@shop.example"]);
  });

  it("transactional e-mail passes the cap and needs no marketing consent", async () => {
    await api.deleteAll();
    await guardrails.saveSettings(h.store, { ...DEFAULT_GUARDRAILS, caps: { email: { max: 1, days: 7 } }, quietHours: tokyoQuietHours(), controlPercent: 50 });
    await startRun("t1");
    const out = await h.run(sendEmail, { ...email, marketing: false }, { rows: await customers() }, h.ctx("email", { runId: "t1" }));
    expect(out.metrics).toMatchObject({ sent: 3, suppressed: 0, failed: 0 });
    expect(out.defer).toBeUndefined();
  });

  it("a webhook names its channel: SMS needs consent.sms and counts against the SMS cap; a failed send gives its contact back", async () => {
    await guardrails.saveSettings(h.store, { ...DEFAULT_GUARDRAILS, caps: { sms: { max: 1, days: 1 } } });
    const config = { connection: "sms", customerId: "customer", sign: false, channel: "sms", maxAttempts: 1, backoffMs: 1 };
    status = 500;
    await startRun("w1");
    const failed = await h.run(webhook, config, { rows: await customers() }, h.ctx("sms", { runId: "w1" }));
    expect(failed.metrics).toMatchObject({ sent: 0, failed: 2, suppressed: 1 });
    expect((await ledgerOf("w1")).cy).toBe("suppressed: no consent");
    expect((await ledger.list(h.store)).find((r) => r.runId === "w1" && r.customerId === "ann")?.channel).toBe("sms");

    status = 200;
    await startRun("w2");
    const sent = await h.run(webhook, config, { rows: await customers() }, h.ctx("sms", { runId: "w2" }));
    expect(sent.metrics).toMatchObject({ sent: 2, failed: 0, suppressed: 1 });
    await startRun("w3");
    await h.run(webhook, config, { rows: await customers() }, h.ctx("sms", { runId: "w3" }));
    expect(await ledgerOf("w3")).toEqual({ ann: "suppressed: frequency cap: 1 SMS in 1 day", bob: "suppressed: frequency cap: 1 SMS in 1 day", cy: "suppressed: no consent" });
  });
});
