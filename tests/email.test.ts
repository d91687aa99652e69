// The Telco flow, extended with a retention e-mail: customers whose churn score is above 0.8 and who
// consented get a message personalised from their profile (first name) and their row (monthly
// charge), through the "mailpit" connection to the test Mailpit, whose API says what arrived. A
// one-click unsubscribe (a POST without Origin, as Gmail sends it) withdraws consent at once, and
// the next run sends that customer nothing and records why. Bad templates are refused at save and
// at preview, and nothing is sent.
import { Client, Connection } from "@temporalio/client";
import { DuckDBInstance } from "@duckdb/node-api";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { ledger, profiles, runs } from "../db/store";
import { MailpitApi, type MailpitSummary } from "../lib/mailpit";
import { projectRoot } from "../lib/paths";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { exportedFile, telcoFlow } from "./flows";
import { launchChromium } from "../lib/browser";
import { authHeaders, testEnv, testStore } from "./support";
import { signedInContext } from "./support-browser";

const store = testStore();
const DOMAIN = "telco-retention.example";
const THRESHOLD = 0.8;

async function duck<T>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as T[];
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

const parquet = (ref: { path: string }) => `read_parquet('${path.join(inject("dataDir"), ref.path).replace(/'/g, "''")}')`;
const addressOf = (id: string) => `${id.toLowerCase()}@${DOMAIN}`;
const firstNameOf = (id: string) => `Cust${id.slice(0, 4)}`;

const TEMPLATES = {
  subject: "{{ profile.first_name }}, we have a better plan for you",
  html: "<p>Hi {{ profile.first_name }},</p><p>You pay ${{ row.MonthlyCharges }} a month. Stay with us for less.</p><p><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>",
  text: "Hi {{ profile.first_name }}, you pay ${{ row.MonthlyCharges }} a month. Stay with us for less.\nUnsubscribe: {{ unsubscribe_url }}",
};

function retentionFlow(id: string) {
  const flow = telcoFlow({ crm: exportedFile(`crm-${id}.sqlite`), id });
  flow.nodes.push(
    { id: "risky", type: "transform.filter@1", position: { x: 1040, y: 260 }, config: { conditions: [{ column: "churn_score", operator: ">", value: String(THRESHOLD) }] } },
    {
      id: "email",
      type: "action.send-email@1",
      position: { x: 1300, y: 260 },
      config: { connection: "mailpit", customerId: "customerID", ...TEMPLATES, campaign: "telco-retention", scoreColumn: "churn_score" },
    },
  );
  flow.edges.push(
    { id: "e7", source: "score", sourceHandle: "rows", target: "risky", targetHandle: "rows" },
    { id: "e8", source: "risky", sourceHandle: "rows", target: "email", targetHandle: "rows" },
  );
  return flow;
}

/** Messages to this test's domain. */
async function arrived(api: MailpitApi): Promise<MailpitSummary[]> {
  return (await api.messages()).filter((m) => m.To[0]?.Address.endsWith(`@${DOMAIN}`));
}

describe("e-mail from the Telco flow", () => {
  it("sends each chosen customer one personalised retention e-mail with one-click unsubscribe; after unsubscribing, the next run suppresses them", async () => {
    const registry = await loadRegistry();
    const settings = temporalSettings(testEnv());
    const api = new MailpitApi(inject("mailpitUrl"));
    const connection = await Connection.connect({ address: settings.address });
    try {
      const client = new Client({ connection, namespace: settings.namespace });

      // Profiles for every customer: a first name and an address; every tenth customer (by id) never consented.
      const ids = (await duck<{ id: string }>(`SELECT DISTINCT customerID AS id FROM read_csv('${path.join(projectRoot, "examples", "data", "telco-customer-churn.csv")}') ORDER BY 1`)).map((r) => r.id);
      const noConsent = new Set(ids.filter((_, i) => i % 10 === 0));
      await profiles.writeTraits(
        store,
        ids.map((id) => ({ userId: id, traits: { first_name: firstNameOf(id), email: addressOf(id), ...(noConsent.has(id) ? {} : { consent: { email: true } }) } })),
      );

      const flow = retentionFlow("telco-email");
      const saved = await saveFlowVersion(store, registry, flow, { flowId: flow.id });
      const first = await startRun(store, registry, client, settings, { versionId: saved.versionId });
      expect((await client.workflow.getHandle(first.workflowId).result()).status).toBe("succeeded");

      // Who should get one: worked out by DuckDB from the scores the run produced.
      const scored = (await runs.node(store, first.runId, "score")).outputs as Record<string, { path: string }>;
      const risky = await duck<{ id: string; charge: number }>(`SELECT customerID AS id, MonthlyCharges AS charge FROM ${parquet(scored.rows!)} WHERE churn_score > ${THRESHOLD} ORDER BY 1`);
      const chosen = risky.filter((r) => !noConsent.has(r.id));
      expect(chosen.length).toBeGreaterThan(50);
      const emailNode = await runs.node(store, first.runId, "email");
      expect(emailNode.metrics).toMatchObject({ sent: chosen.length, suppressed: risky.length - chosen.length, failed: 0, suppressedByReason: { "no consent": risky.length - chosen.length } });

      // Mailpit has exactly one message per chosen customer, personalised, with both unsubscribe headers.
      const got = await arrived(api);
      expect(got.map((m) => m.To[0]!.Address).sort()).toEqual(chosen.map((r) => addressOf(r.id)).sort());
      const byAddress = new Map(got.map((m) => [m.To[0]!.Address, m]));
      const links = new Map<string, string>();
      for (const c of chosen) {
        const m = byAddress.get(addressOf(c.id))!;
        expect(m.Subject).toBe(`${firstNameOf(c.id)}, we have a better plan for you`);
        const [body, headers] = await Promise.all([api.message(m.ID), api.headers(m.ID)]);
        expect(body.Text).toContain(`Hi ${firstNameOf(c.id)}, you pay $${c.charge} a month.`);
        expect(body.HTML).toContain(`You pay $${c.charge} a month.`);
        expect(headers["List-Unsubscribe-Post"]).toEqual(["List-Unsubscribe=One-Click"]);
        const link = /^<(http[^>]+\/u\/[A-Za-z0-9_.-]+)>, <mailto:loopwright@example\.com\?subject=unsubscribe%20[A-Za-z0-9_.-]+>$/.exec(headers["List-Unsubscribe"]?.[0] ?? "");
        expect(link, headers["List-Unsubscribe"]?.[0]).not.toBeNull();
        expect(link![1]!.startsWith(`${inject("webUrl")}/u/`)).toBe(true);
        links.set(c.id, link![1]!);
      }
      // The ledger says the same: one sent row per chosen customer, its Message-ID, its score.
      const sentRows = (await ledger.list(store, { flowId: flow.id })).filter((r) => r.runId === first.runId && r.nodeId === "email");
      expect(sentRows.filter((r) => r.status === "sent").map((r) => r.customerId).sort()).toEqual(chosen.map((r) => r.id));
      expect(sentRows.find((r) => r.customerId === chosen[0]!.id)).toMatchObject({ channel: "email", providerId: `<${byAddress.get(addressOf(chosen[0]!.id))!.MessageID}>`, content: { campaign: "telco-retention" } });

      // One-click unsubscribe, as Gmail does it: a POST from elsewhere, no Origin, no cookie.
      const leaver = chosen[0]!.id;
      const page = await fetch(links.get(leaver)!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Unsubscribe from our e-mails?");
      const oneClick = await fetch(links.get(leaver)!, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
      expect(oneClick.status).toBe(200);
      const profile = await profiles.get(store, (await profiles.byIdentity(store, leaver))!);
      expect(profile.traits.consent).toEqual({ email: false });
      expect(profile.traits.first_name).toBe(firstNameOf(leaver));
      // A tampered token unsubscribes no one.
      const link = links.get(chosen[1]!.id)!;
      for (const at of [link.length - 1, link.length - 5]) {
        const tampered = link.slice(0, at) + (link[at] === "A" ? "B" : "A") + link.slice(at + 1);
        expect((await fetch(tampered, { method: "POST", body: "List-Unsubscribe=One-Click" })).status).toBe(404);
      }
      expect((await profiles.get(store, (await profiles.byIdentity(store, chosen[1]!.id))!)).traits.consent).toEqual({ email: true });

      // The next run: everyone chosen again, but the one who left gets nothing, recorded as suppressed: no consent.
      const before = got.length;
      const second = await startRun(store, registry, client, settings, { versionId: saved.versionId });
      expect((await client.workflow.getHandle(second.workflowId).result()).status).toBe("succeeded");
      expect((await runs.node(store, second.runId, "email")).metrics).toMatchObject({ sent: chosen.length - 1, suppressed: risky.length - chosen.length + 1 });
      const after = await arrived(api);
      expect(after).toHaveLength(before + chosen.length - 1);
      expect(after.filter((m) => m.To[0]!.Address === addressOf(leaver))).toHaveLength(1);
      const [leaverRow] = (await ledger.list(store, { flowId: flow.id })).filter((r) => r.runId === second.runId && r.customerId === leaver);
      expect(leaverRow).toMatchObject({ status: "suppressed", reason: "no consent", channel: "email" });

      // What a marketer sees: the run page counts the ledger, the leaver's page says why nothing was sent.
      const browser = await launchChromium();
      try {
        const page = await (await signedInContext(browser, "editor")).newPage();
        await page.goto(`${inject("webUrl")}/runs/${second.runId}`);
        const actions = page.getByRole("region", { name: "Actions" });
        await expect.poll(() => actions.innerText(), { timeout: 20_000 }).toContain(`E-mails (email): ${(chosen.length - 1).toLocaleString("en-US")} sent · ${risky.length - chosen.length + 1} suppressed`);
        await page.goto(`${inject("webUrl")}/customers/${await profiles.byIdentity(store, leaver)}`);
        const decisions = page.getByRole("table", { name: "Messages and decisions" }).getByRole("row");
        await expect.poll(() => decisions.count(), { timeout: 20_000 }).toBe(3);
        expect(await decisions.nth(1).innerText()).toMatch(new RegExp(`E-mail\\s+telco-retention[\\s\\S]*suppressed no consent[\\s\\S]*${second.runId}`));
        expect(await decisions.nth(2).innerText()).toMatch(new RegExp(`E-mail\\s+${firstNameOf(leaver)}, we have a better plan for you\\s+sent[\\s\\S]*${first.runId}`));
      } finally {
        await browser.close();
      }
      console.log(`[email] churn score above ${THRESHOLD}: ${risky.length} customers, ${chosen.length} with consent sent one e-mail each; after one unsubscribed, the next run sent ${chosen.length - 1}`);
    } finally {
      await connection.close();
    }
  }, 600_000);

  it("refuses bad templates at save and at preview, with line and column, and sends nothing", async () => {
    const base = inject("webUrl");
    const flow = retentionFlow("telco-email-bad");
    const email = flow.nodes.find((n: { id: string }) => n.id === "email");
    const validate = async (config: Record<string, string>) => {
      email.config = { ...email.config, ...config };
      const res = await fetch(`${base}/api/trpc/flow.validate`, { method: "POST", headers: { ...authHeaders("editor"), "content-type": "application/json" }, body: JSON.stringify({ json: { graph: flow } }) });
      expect(res.status).toBe(200);
      const out = (await res.json()) as { result: { data: { json: { ok: boolean; problems: { nodeId?: string; field?: string; message: string }[] } } } };
      email.config = { ...email.config, ...TEMPLATES };
      return out.result.data.json.problems.filter((p) => p.nodeId === "email");
    };
    expect(await validate({ subject: "Hi {{ profile.first_name | shout }}" })).toEqual([{ nodeId: "email", field: "subject", message: 'subject: line 1, column 4: unknown filter "shout"' }]);
    expect(await validate({ html: "<p>\n{% if row.vip %}VIP</p>" })).toEqual([{ nodeId: "email", field: "html", message: "html: line 2, column 1: tag {% if row.vip %} not closed" }]);
    expect((await validate({ text: "{% for i in (1..10000000) %}x{% endfor %}" }))[0]).toMatchObject({ field: "text", message: expect.stringMatching(/^text: line 1, column 1: the template would build more than/) });
    expect((await validate({ html: "{{ this.constructor }}" }))[0]).toMatchObject({ field: "html", message: expect.stringMatching(/^html: line 1, column 4: "constructor" cannot be used/) });

    // Saving is refused the same way.
    email.config = { ...email.config, html: "{{ row.constructor.name }}" };
    const registry = await loadRegistry();
    await expect(Promise.resolve().then(() => saveFlowVersion(store, registry, flow, { flowId: flow.id }))).rejects.toMatchObject({ problems: [expect.objectContaining({ nodeId: "email", field: "html" })] });

    // Preview, over HTTP as the editor's panel calls it: a loop whose size comes from the row.
    const input = { config: { ...TEMPLATES, text: "{% for i in (1..row.n) %}x{% endfor %}", emailColumn: "" }, customerId: "7590-VHVEG", row: { n: 10_000_000 } };
    const res = await fetch(`${base}/api/trpc/email.preview?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, { headers: authHeaders("editor") });
    expect(res.status).toBe(200);
    const preview = ((await res.json()) as { result: { data: { json: unknown } } }).result.data.json;
    expect(preview).toMatchObject({ ok: false, problems: [{ field: "text", line: 1, column: 1, message: expect.stringMatching(/more than 1,000,000/) }] });
    // Nothing was run, so nothing was sent or recorded.
    expect(await ledger.list(store, { flowId: flow.id })).toEqual([]);
  }, 120_000);
});
