// Customer profiles in Chromium against the production build: events written to the test store
// become a profile (as the worker's pump applies them); an editor finds the customer by e-mail,
// opens the page and sees the details, the ids, consent and time zone, the events, and what flows
// did to them (the decision ledger); a viewer is told plainly that customers are not for them.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { events, ledger, profiles, triggers } from "../db/store";
import type { NewInboxRow } from "../db/store/events";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { testStore } from "./support";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const url = (p: string) => `${inject("webUrl")}${p}`;
const stamp = Date.now().toString(36);
const userId = `marta-${stamp}`;
const anonymousId = `anon-${stamp}`;
const email = `marta.${stamp}@example.com`;
const runIds = { mail: `run-mail-${stamp}`, hook: `run-hook-${stamp}` };
let browser: Browser;
let profileId: string;

let n = 0;
function row(type: NewInboxRow["type"], who: { userId?: string; anonymousId?: string }, minutesAgo: number, payload: Record<string, unknown>, event: string | null = null): NewInboxRow {
  const at = Date.now() - minutesAgo * 60_000;
  const messageId = `web-customers-${stamp}-${++n}`;
  return { sourceId: `web-customers-${stamp}`, messageId, type, event, userId: who.userId ?? null, anonymousId: who.anonymousId ?? null, timestamp: at, receivedAt: at, payload: { type, messageId, ...who, ...payload } };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const store = testStore();
  await events.commit(store, [
    {
      events: [
        row("page", { anonymousId }, 90, { name: "Pricing", properties: { path: "/pricing" }, context: { timezone: "Europe/Madrid" } }, "Pricing"),
        row("identify", { userId, anonymousId }, 60, { traits: { email, name: `Marta ${stamp}`, plan: "pro", consent: { email: true, sms: false } } }),
        row("track", { userId }, 30, { properties: { total: 99.5, currency: "EUR" } }, "Order Completed"),
      ],
    },
  ]);
  // Apply the inbox to profiles as the worker's pump does (it may be doing the same meanwhile).
  for (let i = 0; i < 100 && !(await profiles.byIdentity(store, userId)); i++) await triggers.applyProfiles(store);
  const found = await profiles.byIdentity(store, userId);
  expect(found).not.toBeNull();
  profileId = found!;
  // A flow wrote a detail too.
  expect(await profiles.writeTraits(store, [{ userId, traits: { churn_risk: 0.12 } }])).toBe(1);
  // What flows did to her: an e-mail sent because of a churn score, in arm B; earlier a webhook call
  // held back for want of consent (recorded by the id the row carried, before the profile existed).
  const at = Date.now();
  await ledger.record(store, [
    { key: `${runIds.mail}:mail:${userId}`, runId: runIds.mail, flowId: `save-${stamp}`, flowVersion: 3, nodeId: "mail", channel: "email", customerId: userId, profileId, status: "sent", reason: null, content: { subject: `We miss you, Marta` }, model: { name: "churn", version: 2, score: 0.81 }, arm: "B", providerId: `<${stamp}@shop.example>`, at: at - 5 * 60_000 },
    { key: `${runIds.hook}:sms:${userId}`, runId: runIds.hook, flowId: `save-${stamp}`, flowVersion: 2, nodeId: "sms-hook", channel: "webhook", customerId: userId, profileId: null, status: "suppressed", reason: "no consent for sms", content: null, model: null, arm: null, providerId: null, at: at - 20 * 60_000 },
  ]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

describe("customers in the browser", () => {
  it("an editor finds a customer by e-mail and sees their details, ids, consent, time zone and events", async () => {
    const page = await (await signedInContext(browser, "editor", { viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(url("/flows"));
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Customers" }).click();
    await page.waitForURL(url("/customers"));
    await page.getByRole("heading", { name: "Customers", level: 1 }).waitFor();

    await page.getByRole("searchbox", { name: "Search customers" }).fill(email.toUpperCase());
    await page.waitForURL((u) => u.searchParams.get("q") === email.toUpperCase());
    await page.getByText(`1 customer matches “${email.toUpperCase()}”`).waitFor();
    const rows = page.getByRole("table").getByRole("row");
    expect(await rows.count()).toBe(2); // the header and Marta
    await expect.poll(() => rows.nth(1).innerText()).toContain(email);
    await page.screenshot({ path: path.join(ARTIFACTS, "customers.png"), fullPage: true });

    await page.getByRole("link", { name: `Marta ${stamp}` }).click();
    await page.waitForURL(url(`/customers/${profileId}`));
    await page.getByRole("heading", { name: `Marta ${stamp}`, level: 1 }).waitFor();

    const traits = page.getByRole("table", { name: "Traits" });
    for (const [name, value] of [
      ["email", email],
      ["plan", "pro"],
      ["churn_risk", "0.12"],
      ["timezone", "Europe/Madrid"],
    ]) {
      const cell = page.getByRole("cell", { name, exact: true });
      await expect.poll(() => traits.getByRole("row").filter({ has: cell }).innerText()).toContain(value);
    }
    const ids = page.getByRole("table", { name: "Identities" });
    expect(await ids.getByRole("row").filter({ hasText: userId }).innerText()).toContain("User id");
    expect(await ids.getByRole("row").filter({ hasText: anonymousId }).innerText()).toContain("Anonymous id");

    const consent = page.getByRole("list", { name: "Consent" });
    expect(await consent.getByRole("listitem").filter({ hasText: "email" }).innerText()).toContain("Yes, they agreed");
    expect(await consent.getByRole("listitem").filter({ hasText: "sms" }).innerText()).toContain("No");
    await page.getByText("Europe/Madrid (for them it is now").waitFor();

    const timeline = page.getByRole("table", { name: "Timeline" }).getByRole("row");
    expect(await timeline.count()).toBe(4);
    expect(await timeline.nth(1).innerText()).toMatch(/Action\s*Order Completed[\s\S]*total:\s*99\.5/);
    expect(await timeline.nth(2).innerText()).toContain("Details updated");
    expect(await timeline.nth(3).innerText()).toMatch(/Page view\s*Pricing[\s\S]*path:\s*\/pricing[\s\S]*anon-/);
    await page.getByText("No flow has run with this customer yet.").waitFor();

    // The decision ledger, newest first: what was sent, the outcome and reason, the score and arm behind it.
    const decisions = page.getByRole("table", { name: "Messages and decisions" }).getByRole("row");
    expect(await decisions.count()).toBe(3);
    const sent = await decisions.nth(1).innerText();
    expect(sent).toMatch(/E-mail\s+We miss you, Marta\s+sent/);
    expect(sent).toContain("churn v2: score 81% · arm B");
    expect(sent).toContain(runIds.mail);
    const held = await decisions.nth(2).innerText();
    expect(held).toMatch(/Webhook\s+sms-hook\s+suppressed\s+no consent for sms/);
    expect(held).toContain(runIds.hook);
    expect(await decisions.nth(1).getByRole("link", { name: runIds.mail }).getAttribute("href")).toBe(`/runs/${runIds.mail}`);
    await page.screenshot({ path: path.join(ARTIFACTS, "customer.png"), fullPage: true });

    // An unknown id is said to be unknown.
    await page.goto(url("/customers/p_does-not-exist"));
    await page.getByRole("heading", { name: "Customer not available" }).waitFor();
    await page.getByText("No customer with profile id p_does-not-exist").waitFor();
  }, 120_000);

  it("a viewer is told they are not allowed to see customers", async () => {
    const page = await (await signedInContext(browser, "viewer")).newPage();
    for (const p of ["/customers", `/customers/${profileId}`]) {
      await page.goto(url(p));
      await page.getByRole("heading", { name: "You are not allowed to see customers" }).waitFor();
      await page.getByText("Only editors and admins can see customers.").waitFor();
      expect(await page.content()).not.toContain(email);
    }
    // The API says the same.
    const res = await page.request.get(url(`/api/trpc/customer.get?input=${encodeURIComponent(JSON.stringify({ json: { id: profileId } }))}`));
    expect(res.status()).toBe(403);
    expect(await res.text()).not.toContain(email);
  }, 60_000);
});
