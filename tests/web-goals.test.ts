// A flow's conversion goal in Chromium against the production build: decisions written to the test
// store's ledger the way the split and e-mail nodes write them (a control group and two arms, each
// from its own e-mail node) and orders in the inbox; an editor opens the flow, goes to its results
// from the toolbar, sets the goal (Order Completed with total > 10, 7 days) and sees conversion per
// arm and per path against the control group, with the figures worked out by hand; a viewer reads
// them but cannot change the goal, and a flow without a control group says so.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { events, flows, goals, ledger } from "../db/store";
import type { NewInboxRow } from "../db/store/events";
import type { NewLedgerRow } from "../db/store/ledger";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { testStore } from "./support";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const url = (p: string) => `${inject("webUrl")}${p}`;
const stamp = Date.now().toString(36);
const flowId = `goal-${stamp}`;
const lonelyFlowId = `goal-none-${stamp}`;
const DAY = 86_400_000;
/** The goal event, this test's own (other tests write "Order Completed" to the same inbox). */
const EVENT = `Order ${stamp}`;
const decidedAt = Date.now() - 2 * DAY;
let browser: Browser;

const at = { x: 0, y: 0 };
const graph = (name: string) => ({
  name,
  nodes: [
    { id: "split", type: "control.split@1", label: "Split", position: at, config: {} },
    { id: "email-a", type: "action.send-email@1", label: "E-mail A", position: at, config: {} },
    { id: "email-b", type: "action.send-email@1", label: "E-mail B", position: at, config: {} },
  ],
  edges: [],
});

function decision(flow: string, nodeId: string, customer: string, arm: string): NewLedgerRow {
  const holdout = arm === "control";
  return {
    key: `run-${stamp}:${nodeId}:${customer}`,
    runId: `run-${stamp}`,
    flowId: flow,
    flowVersion: 1,
    nodeId,
    channel: holdout ? "holdout" : "email",
    customerId: customer,
    profileId: null,
    status: holdout ? "suppressed" : "sent",
    reason: holdout ? "control group" : null,
    content: null,
    model: null,
    arm,
    providerId: null,
    at: decidedAt,
  };
}

let n = 0;
function order(userId: string, total: number): NewInboxRow {
  const when = decidedAt + DAY;
  const messageId = `web-goals-${stamp}-${++n}`;
  return { sourceId: `web-goals-${stamp}`, messageId, type: "track", event: EVENT, userId, anonymousId: null, timestamp: when, receivedAt: when, payload: { type: "track", messageId, userId, event: EVENT, properties: { total } } };
}

const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${stamp}-${i + 1}`);

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const store = testStore();
  await flows.saveVersion(store, graph(`Goal ${stamp}`), { flowId });
  await flows.saveVersion(store, graph(`No control ${stamp}`), { flowId: lonelyFlowId });
  // 20 in the control group (4 order), 20 e-mailed A (10 order), 20 e-mailed B (6 order over 10; 2 more order for 5, which the goal's test leaves out).
  const control = ids("ctl", 20);
  const a = ids("a", 20);
  const b = ids("b", 20);
  await ledger.record(store, [
    ...control.map((c) => decision(flowId, "split", c, "control")),
    ...a.map((c) => decision(flowId, "email-a", c, "A")),
    ...b.map((c) => decision(flowId, "email-b", c, "B")),
    ...ids("solo", 3).map((c) => decision(lonelyFlowId, "email-a", c, "A")),
  ]);
  await events.commit(store, [
    {
      events: [
        ...control.slice(0, 4).map((c) => order(c, 20)),
        ...a.slice(0, 10).map((c) => order(c, 25)),
        ...b.slice(0, 6).map((c) => order(c, 12)),
        ...b.slice(6, 8).map((c) => order(c, 5)),
      ],
    },
  ]);
  await goals.save(store, lonelyFlowId, { event: EVENT, conditions: [], match: "all", windowDays: 7 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
});

const cellsOf = async (table: Locator, label: string) =>
  (await table.getByTestId(`row-${label}`).locator("td").allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());

describe("a flow's conversion goal in the browser", () => {
  it("an editor sets the goal from the flow's page and sees conversion per arm and per path against the control group", async () => {
    const page = await (await signedInContext(browser, "editor", { viewport: { width: 1400, height: 1100 } })).newPage();
    await page.goto(url(`/flows/${flowId}`));
    await page.getByRole("link", { name: "Results" }).click();
    await page.waitForURL(url(`/flows/${flowId}/results`));
    await page.getByRole("heading", { name: "Results", level: 1 }).waitFor();

    const form = page.getByRole("form", { name: "Conversion goal" });
    await form.getByLabel("Goal event").fill(EVENT);
    await form.getByLabel("Attribution window (days)").fill("7");
    await form.getByRole("button", { name: "Add a test" }).click();
    await form.getByLabel("Test 1 property").fill("total");
    await form.getByLabel("Test 1 operator").selectOption(">");
    await form.getByLabel("Test 1 value").fill("10");
    await form.getByRole("button", { name: "Save goal" }).click();

    await expect.poll(() => page.getByTestId("goal-summary").innerText(), { timeout: 20_000 }).toContain(`${EVENT} with total > 10 within 7 days`);
    await expect.poll(() => page.getByTestId("figures-summary").innerText()).toContain(`60 customers in 60 decisions; 22 “${EVENT}” events read`);

    // 10/20 against 4/20: difference 0.30, p̄ = 14/40, z = 0.3 / √(0.35 · 0.65 · (2/20)) = 1.98898, p = 0.0467;
    // Wilson 95%: 10/20 → 29.9% to 70.1%, 4/20 → 8.1% to 41.6%, 6/20 → 14.5% to 51.9%.
    // 6/20 against 4/20: z = 0.73030, p = 0.465. The control group's 4 converted is under 5: flagged.
    const arms = page.getByRole("table", { name: "Conversion per arm" });
    expect(await cellsOf(arms, "control")).toEqual(["control (control group)", "20", "4", "20.0%", "8.1% to 41.6%", "—", "—", "—"]);
    const rowA = await cellsOf(arms, "A");
    expect(rowA.slice(0, 6)).toEqual(["A", "20", "10", "50.0%", "29.9% to 70.1%", "+30.0 pts"]);
    expect(rowA[7]).toBe("0.047 too few customers");
    const rowB = await cellsOf(arms, "B");
    expect(rowB.slice(0, 6)).toEqual(["B", "20", "6", "30.0%", "14.5% to 51.9%", "+10.0 pts"]);
    expect(rowB[7]).toBe("0.465 too few customers");

    const paths = page.getByRole("table", { name: "Conversion per path" });
    expect((await cellsOf(paths, "E-mail A")).slice(0, 4)).toEqual(["E-mail A", "20", "10", "50.0%"]);
    expect((await cellsOf(paths, "E-mail B")).slice(0, 4)).toEqual(["E-mail B", "20", "6", "30.0%"]);
    expect((await cellsOf(paths, "control")).slice(0, 4)).toEqual(["control (control group)", "20", "4", "20.0%"]);

    // The bar chart: a bar per arm with its interval as whiskers.
    const chart = page.getByRole("figure", { name: "Conversion per arm" });
    await chart.locator(".recharts-bar-rectangle").first().waitFor();
    expect(await chart.locator(".recharts-bar-rectangle").count()).toBe(3);
    expect(await chart.locator(".recharts-errorBar").count()).toBeGreaterThanOrEqual(3);
    await page.getByRole("figure", { name: "Conversion per path" }).locator(".recharts-bar-rectangle").first().waitFor();
    await page.getByText("Some comparisons rest on too few customers").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "flow-results.png"), fullPage: true });

    // A bad window is refused, naming the field; the goal stays as it was.
    await page.getByRole("button", { name: "Change the goal" }).click();
    await form.getByLabel("Attribution window (days)").fill("0");
    await form.getByRole("button", { name: "Save goal" }).click();
    await page.getByRole("alert").filter({ hasText: "Attribution window" }).waitFor();
    expect((await goals.get(testStore(), flowId))?.windowDays).toBe(7);
  }, 120_000);

  it("a viewer reads the results but cannot change the goal; a flow without a control group says so", async () => {
    const page = await (await signedInContext(browser, "viewer", { viewport: { width: 1400, height: 1000 } })).newPage();
    await page.goto(url(`/flows/${flowId}/results`));
    await expect.poll(() => page.getByTestId("goal-summary").innerText(), { timeout: 20_000 }).toContain(EVENT);
    expect((await cellsOf(page.getByRole("table", { name: "Conversion per arm" }), "A")).slice(0, 4)).toEqual(["A", "20", "10", "50.0%"]);
    expect(await page.getByRole("button", { name: "Change the goal" }).count()).toBe(0);
    expect(await page.getByRole("button", { name: "Save goal" }).count()).toBe(0);
    // The API refuses a viewer's change too.
    const res = await page.request.post(url("/api/trpc/goal.save"), {
      data: { json: { flowId, goal: { event: "Page Viewed", days: 1 } } },
      headers: { origin: inject("webUrl") },
    });
    expect(res.status()).toBe(403);

    await page.goto(url(`/flows/${lonelyFlowId}/results`));
    await page.getByText("No control group: none of this flow's customers were held out").waitFor({ timeout: 20_000 });
    expect((await cellsOf(page.getByRole("table", { name: "Conversion per arm" }), "A")).slice(0, 6)).toEqual(["A", "3", "0", "0.0%", "0.0% to 56.1%", "no control group"]);
  }, 60_000);
});
