// The e-mail node's preview in Chromium against the production build, as an editor at 1400x1000: a
// saved flow (Telco CSV -> Send e-mail) is opened, the node selected, and its message previewed for
// a customer who consented (sent to their address, personalised from their profile and the row typed
// in) and for one who did not (not sent, for want of consent). A subject with an unknown filter is
// shown in the preview's problems and under the Subject field, with its line and column. No run.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { profiles, runs } from "../db/store";
import { launchChromium } from "../lib/browser";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion } from "../server/services/flows";
import { testStore } from "./support";
import { ARTIFACTS, shotWhenFailed, signedInContext } from "./support-browser";

const store = testStore();
const stamp = Date.now().toString(36);
const FLOW = `email-preview-${stamp}`;
const url = (p: string) => `${inject("webUrl")}${p}`;

const ada = { id: `ada-${stamp}`, firstName: `Ada${stamp}`, email: `ada.${stamp}@example.com` };
const bob = { id: `bob-${stamp}`, firstName: `Bob${stamp}`, email: `bob.${stamp}@example.com` };

const SUBJECT = "{{ profile.first_name }}, a better plan for you";
const HTML = '<p>Hi {{ profile.first_name }}, you pay {{ row.MonthlyCharges }} a month.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>';
const TEXT = "Hi {{ profile.first_name }}, you pay {{ row.MonthlyCharges }} a month.\nUnsubscribe: {{ unsubscribe_url }}";
// "Hi " takes columns 1-3, so the output tag with the unknown filter starts at line 1, column 4.
const BAD_SUBJECT = "Hi {{ profile.first_name | shout }}";
const BAD_AT = "line 1, column 4";

let browser: Browser;
let context: BrowserContext | undefined;
let page: Page | undefined;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  expect(
    await profiles.writeTraits(store, [
      { userId: ada.id, traits: { first_name: ada.firstName, email: ada.email, consent: { email: true } } },
      { userId: bob.id, traits: { first_name: bob.firstName, email: bob.email, consent: { email: false } } },
    ]),
  ).toBe(2);
  const registry = await loadRegistry();
  await saveFlowVersion(
    store,
    registry,
    {
      id: FLOW,
      name: `E-mail preview ${stamp}`,
      nodes: [
        { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 120 }, config: { path: "examples/data/telco-customer-churn.csv" } },
        {
          id: "email",
          type: "action.send-email@1",
          position: { x: 320, y: 120 },
          config: { connection: "mailpit", customerId: "customerID", subject: SUBJECT, html: HTML, text: TEXT, campaign: `preview-${stamp}` },
        },
      ],
      edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "email", targetHandle: "rows" }],
    },
    { flowId: FLOW },
  );
  browser = await launchChromium();
}, 60_000);

beforeEach((ctx) => shotWhenFailed(ctx, () => page, "email-"));

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

describe("the e-mail node's preview in the browser", () => {
  it("renders the message for a customer who consented, says why one who did not would get nothing, and shows a bad subject's line and column", async () => {
    context = await signedInContext(browser, "editor", { viewport: { width: 1400, height: 1000 } });
    context.setDefaultTimeout(30_000);
    const p = (page = await context.newPage());

    await p.goto(url(`/flows/${FLOW}`));
    const node = p.getByTestId("node-email");
    await node.waitFor();
    await node.locator("div").first().click({ position: { x: 12, y: 10 } });
    const panel = p.getByRole("complementary", { name: "Node settings" });
    await panel.locator('[title="email · action.send-email@1"]').waitFor();
    const preview = panel.getByRole("region", { name: "E-mail preview" });
    const form = panel.getByRole("region", { name: "Settings" });
    const subjectField = form.getByLabel("Subject", { exact: true });
    expect(await subjectField.inputValue()).toBe(SUBJECT);

    // Ada consented: the message would go to her address, filled from her profile and the row.
    const customer = preview.getByLabel("Customer id", { exact: true });
    const rowValues = preview.getByLabel("Row values (JSON; null for none)", { exact: true });
    const previewButton = preview.getByRole("button", { name: "Preview", exact: true });
    await customer.fill(ada.id);
    await rowValues.fill('{"MonthlyCharges": 70.35}');
    await previewButton.click();
    const rendered = preview.locator('[aria-label="Rendered message"]');
    await rendered.getByText(`Would be sent to ${ada.email}`, { exact: true }).waitFor();
    expect(await rendered.locator("p", { hasText: "Subject:" }).innerText()).toBe(`Subject: ${ada.firstName}, a better plan for you`);
    const frame = rendered.locator('iframe[title="HTML body"]');
    expect(await frame.getAttribute("srcdoc")).toContain(`<p>Hi ${ada.firstName}, you pay 70.35 a month.</p>`);
    expect(await p.frameLocator('iframe[title="HTML body"]').locator("body").innerText()).toContain(`Hi ${ada.firstName}, you pay 70.35 a month.`);
    const textAlternative = rendered.locator("details");
    await textAlternative.locator("summary", { hasText: "Text alternative" }).click();
    const text = await textAlternative.locator("pre").innerText();
    expect(text).toContain(`Hi ${ada.firstName}, you pay 70.35 a month.`);
    // The unsubscribe link of a preview unsubscribes no one.
    expect(text).toMatch(/Unsubscribe: http\S+\/u\/preview$/);
    await preview.scrollIntoViewIfNeeded();
    await p.screenshot({ path: path.join(ARTIFACTS, "email-preview.png") });

    // Bob said no to e-mail: the same message would not be sent to him, and the reason is consent.
    await customer.fill(bob.id);
    await previewButton.click();
    const notSent = rendered.getByText(/^Would not be sent: /);
    await notSent.waitFor();
    expect(await notSent.innerText()).toBe("Would not be sent: no consent");
    expect(await rendered.getByText(/^Would be sent to/).count()).toBe(0);
    expect(await rendered.locator("p", { hasText: "Subject:" }).innerText()).toBe(`Subject: ${bob.firstName}, a better plan for you`);

    // An unknown filter in the subject, as typed and not saved: the preview names the field, line
    // and column, and the settings show the server's problem under the Subject field.
    expect(await subjectField.getAttribute("aria-invalid")).toBeNull();
    await subjectField.fill(BAD_SUBJECT);
    const problem = `${BAD_AT}: unknown filter "shout"`;
    await form.getByText(problem, { exact: true }).waitFor();
    expect(await subjectField.getAttribute("aria-invalid")).toBe("true");
    const described = (await subjectField.getAttribute("aria-describedby"))?.split(" ") ?? [];
    const errorId = described.find((id) => id.endsWith("-error"));
    expect(errorId, `aria-describedby: ${described.join(" ")}`).toBeDefined();
    expect(await form.locator(`[id="${errorId}"]`).innerText()).toBe(problem);

    await previewButton.click();
    const problems = preview.getByRole("list", { name: "Template problems" });
    await problems.waitFor();
    expect(await problems.getByRole("listitem").allInnerTexts()).toEqual([`Subject, ${problem}`]);
    expect(await rendered.count()).toBe(0);
    await preview.scrollIntoViewIfNeeded();
    await p.screenshot({ path: path.join(ARTIFACTS, "email-preview-problem.png") });

    // None of this started a run (so nothing could have been sent).
    expect(await runs.list(store, { flowId: FLOW })).toEqual([]);
  }, 120_000);
});
