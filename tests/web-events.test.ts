// Events in, in Chromium against the production build and a real ingest process: an admin creates
// a source and gets its write key once; an editor writes a tracking plan entry with the form; an
// event that breaks it is kept as a failed event with its reason; after the plan is fixed, Replay
// lets it in.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { events } from "../db/store";
import { launchChromium } from "../lib/browser";
import { freePort } from "../lib/dev-server";
import { projectRoot } from "../lib/paths";
import { testEnv, testStore } from "./support";
import { signedInContext } from "./support-browser";
import { startIngest, type IngestProcess } from "./support-process";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const url = (p: string) => `${inject("webUrl")}${p}`;
const stamp = Date.now().toString(36);
let browser: Browser;
let ingest: IngestProcess;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  ingest = await startIngest(testEnv(), await freePort());
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await ingest?.stop();
});

describe("sources and the tracking plan in the browser", () => {
  it("a source's key sends events; a plan breach is a failed event with its reason; Replay lets it in after a fix", async () => {
    const admin = await (await signedInContext(browser, "admin", { viewport: { width: 1400, height: 1000 } })).newPage();
    await admin.goto(url("/sources"));
    await admin.getByRole("button", { name: "New source" }).click();
    await admin.getByLabel("Source name").fill(`shop-${stamp}`);
    await admin.getByRole("button", { name: "Create source" }).click();
    const writeKey = await admin.getByRole("textbox", { name: "Write key" }).inputValue();
    expect(writeKey).toMatch(/^wk_/);
    await admin.getByText("Copy it now: it will not be shown again").waitFor();

    const event = `Order Placed ${stamp}`;
    const editor = await (await signedInContext(browser, "editor", { viewport: { width: 1400, height: 1000 } })).newPage();
    await editor.goto(url("/plan"));
    await editor.getByRole("button", { name: "New event" }).click();
    await editor.getByLabel("Event name").fill(event);
    await editor.getByLabel("Property name").fill("total"); // a new entry starts with one empty row
    await editor.getByLabel("Type", { exact: true }).selectOption({ label: "Number" });
    await editor.getByLabel("Required", { exact: true }).check();
    await editor.getByLabel("Minimum").fill("0");
    await editor.getByRole("button", { name: "Save entry" }).click();
    await editor.getByText(/version 1|v1/).first().waitFor();

    // The ingest process picks up the plan within 5 seconds.
    await new Promise((r) => setTimeout(r, 6_000));
    const send = (messageId: string, total: number) =>
      fetch(`${ingest.url}/v1/track`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}` },
        body: JSON.stringify({ userId: "c1", event, messageId, properties: { total } }),
      });
    expect((await send(`ok-${stamp}`, 10)).status).toBe(200);
    const refused = await send(`refund-${stamp}`, -10);
    expect(refused.status).toBe(400);
    expect((await refused.json()).reasons).toEqual([{ path: "properties.total", rule: "minimum", message: "must be >= 0" }]);

    await editor.reload();
    await editor.getByText("properties.total").first().waitFor();
    await editor.screenshot({ path: path.join(ARTIFACTS, "tracking-plan.png"), fullPage: true });

    // Refunds are real: allow negative totals, then replay.
    await editor.getByRole("button", { name: event }).click();
    await editor.getByLabel("Minimum").fill("");
    await editor.getByRole("button", { name: "Save entry" }).click();
    await editor.getByText(/version 2|v2/).first().waitFor();
    await editor.getByRole("button", { name: "Replay failed events" }).click();
    await editor.getByText(/Let in [1-9]\d* of \d+/).waitFor();
    const stored = (await events.readInbox(testStore(), 0, 100_000)).filter((r) => r.event === event).map((r) => r.messageId).sort();
    expect(stored).toEqual([`ok-${stamp}`, `refund-${stamp}`]);
  }, 180_000);
});
