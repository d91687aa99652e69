// Previews open where the click was, and "Run up to here" on a sample, in Chromium at 1280x800 and
// 1920x1080 against the production build, the test Temporal server and worker. The flow reads the
// Telco CSV (7,043 customers) and keeps one row per customer. Run up to "Remove duplicates" on a
// sample gives 1,000 rows, and says so; each preview (editor: the settings' button and the node on
// the canvas; run page; Datasets page) opens next to what was clicked, inside the window, with
// focus in it, and Escape gives focus back to what opened it.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runs } from "../db/store";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { loadRegistry } from "../nodes/registry";
import type { DatasetRef } from "../nodes/sdk/types";
import { saveFlowVersion } from "../server/services/flows";
import { testStore } from "./support";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const store = testStore();
const stamp = Date.now().toString(36);
const FLOW = `place-${stamp}`;
const url = (p: string) => `${inject("webUrl")}${p}`;
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];

let browser: Browser;
let runId: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const registry = await loadRegistry();
  const flow = {
    id: FLOW,
    name: `Telco sample ${stamp}`,
    nodes: [
      { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 120 }, config: { path: "examples/data/telco-customer-churn.csv" } },
      { id: "unique", type: "transform.dedupe@1", position: { x: 300, y: 120 }, config: { keys: ["customerID"], keep: "first" } },
    ],
    edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "unique", targetHandle: "rows" }],
  };
  await saveFlowVersion(store, registry, flow, { flowId: FLOW });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

type Box = { x: number; y: number; width: number; height: number };
const box = async (l: Locator): Promise<Box> => (await l.boundingBox())!;
/** Its box once it has stopped moving (the page scrolls to a preview as its rows come in). */
async function settledBox(l: Locator): Promise<Box> {
  let last = "";
  for (let i = 0; i < 40; i++) {
    const now = JSON.stringify(await box(l));
    if (now === last) return JSON.parse(now);
    last = now;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`still moving: ${last}`);
}
function expectInside(b: Box, s: { width: number; height: number }, what: string) {
  expect(b.x, `${what}: left`).toBeGreaterThanOrEqual(0);
  expect(b.y, `${what}: top`).toBeGreaterThanOrEqual(0);
  expect(b.x + b.width, `${what}: right`).toBeLessThanOrEqual(s.width);
  expect(b.y + b.height, `${what}: bottom`).toBeLessThanOrEqual(s.height);
}
/** Scrolled to once its rows are in: below the top bar (56 px), and all of it or at least 300 px of it in the window. */
function expectScrolledTo(b: Box, s: { width: number; height: number }) {
  expect(b.y, `top ${JSON.stringify(b)}`).toBeGreaterThanOrEqual(56);
  expect(b.y + Math.min(b.height, 300), `shown ${JSON.stringify(b)}`).toBeLessThanOrEqual(s.height);
  expect(b.x + b.width).toBeLessThanOrEqual(s.width);
}
/** Whether focus is inside `l`, and the text of what has it. */
const focusedIn = (l: Locator) => l.evaluate((el) => el.contains(document.activeElement));
const focusedText = (p: Page) => p.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? document.activeElement?.textContent?.trim() ?? "");

async function withPage<T>(size: { width: number; height: number }, body: (page: Page) => Promise<T>): Promise<T> {
  const context: BrowserContext = await signedInContext(browser, "editor", { viewport: size });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  try {
    return await body(page);
  } catch (err) {
    await page.screenshot({ path: path.join(ARTIFACTS, `failed-preview-place-${size.width}x${size.height}.png`) }).catch(() => undefined);
    throw err;
  } finally {
    await context.close();
  }
}

const select = (page: Page, id: string) => page.getByTestId(`node-${id}`).locator("div").first().click({ position: { x: 12, y: 10 } });

describe("run up to here on a sample", () => {
  it("runs the Telco flow up to Remove duplicates on 1,000 of its 7,043 rows, and says so", async () => {
    await withPage(SIZES[0]!, async (page) => {
      await page.goto(url(`/flows/${FLOW}`));
      await page.getByTestId("node-unique").waitFor();
      await select(page, "unique");
      const settings = page.getByRole("complementary", { name: "Node settings" });
      await settings.getByRole("button", { name: "Run up to here on a sample of 1,000 rows" }).click();
      await page.getByRole("status").getByText(/Run up to .* on a sample of 1,000 rows per source started on version 1\./).waitFor();
      await page.locator('[data-testid="node-status-unique"][data-status="succeeded"]').waitFor({ timeout: 120_000 });
      await page.getByRole("note").getByText("Sample run: 1,000 rows per source").waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, "sample-run-editor-1280x800.png") });
    });
    const [latest] = await runs.list(store, { flowId: FLOW, limit: 1 });
    runId = latest!.id;
    expect(latest!.trigger?.sample).toEqual({ rows: 1000, seed: 1 });
    expect((await runs.node(store, runId, "customers")).metrics).toMatchObject({ rowsBeforeSample: 7043 });
    expect((await runs.node(store, runId, "unique")).rows).toBe(1000);
  }, 180_000);
});

describe.each(SIZES)("previews open where the click was at $width x $height", (size) => {
  it("in the editor: beside the settings' Preview button, and under the node clicked on the canvas", async () => {
    await withPage(size, async (page) => {
      await page.goto(url(`/flows/${FLOW}`));
      await page.locator('[data-testid="node-status-unique"][data-status="succeeded"]').waitFor();
      await page.getByRole("note").getByText("Sample run: 1,000 rows per source").waitFor();
      const preview = page.getByTestId("editor-preview");

      // Clicking the finished node opens its output under (or above) it on the canvas, focus inside.
      await select(page, "unique");
      await preview.getByText("Showing 100 of 1,000 rows").waitFor();
      const node = await box(page.getByTestId("node-unique"));
      const opened = await box(preview);
      expectInside(opened, size, "preview from the node");
      // On the canvas, clear of the settings panel the click also opened.
      const settingsBox = await box(page.getByRole("complementary", { name: "Node settings" }));
      expect(opened.x + opened.width, `left of the settings ${JSON.stringify(settingsBox)}: ${JSON.stringify(opened)}`).toBeLessThanOrEqual(settingsBox.x);
      const gapBelow = opened.y - (node.y + node.height);
      const gapAbove = node.y - (opened.y + opened.height);
      expect(Math.max(gapBelow, gapAbove), `next to the node ${JSON.stringify(node)}: ${JSON.stringify(opened)}`).toBeGreaterThanOrEqual(0);
      expect(Math.min(Math.abs(gapBelow), Math.abs(gapAbove))).toBeLessThan(40);
      expect(await focusedIn(preview)).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `preview-from-node-${size.width}x${size.height}.png`) });
      await page.keyboard.press("Escape");
      await preview.waitFor({ state: "detached" });
      // Focus is back on the node (React Flow's wrapper around the card).
      expect(await page.evaluate(() => Boolean(document.activeElement?.querySelector("[data-testid='node-unique']")))).toBe(true);

      // The settings' button: the preview opens attached to the panel, at the button's height.
      const button = page.getByRole("complementary", { name: "Node settings" }).getByRole("button", { name: "Preview output" });
      await button.click();
      await preview.getByText("Showing 100 of 1,000 rows").waitFor();
      await preview.getByText("Sample run: 1,000 rows per source").waitFor();
      const b = await box(button);
      const p = await box(preview);
      const panel = await box(page.getByRole("complementary", { name: "Node settings" }));
      expectInside(p, size, "preview from the button");
      // Its right edge at the settings panel's left edge (8 px apart), and the button's height within it.
      expect(panel.x - (p.x + p.width)).toBeGreaterThanOrEqual(0);
      expect(panel.x - (p.x + p.width)).toBeLessThanOrEqual(12);
      expect(b.y + b.height / 2).toBeGreaterThan(p.y);
      expect(b.y + b.height / 2).toBeLessThan(p.y + p.height);
      expect(await focusedIn(preview)).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `preview-from-settings-${size.width}x${size.height}.png`) });
      await page.keyboard.press("Escape");
      await preview.waitFor({ state: "detached" });
      expect(await focusedText(page)).toBe("Preview output");

      // Close gives focus back too.
      await button.click();
      await preview.getByRole("button", { name: "Close preview" }).click();
      await preview.waitFor({ state: "detached" });
      expect(await focusedText(page)).toBe("Preview output");
    });
  }, 120_000);

  it("on the run page: right under the node's Preview button, scrolled into view", async () => {
    await withPage(size, async (page) => {
      await page.goto(url(`/runs/${runId}`));
      await page.getByRole("note").getByText("Sample run: 1,000 rows per source.").waitFor();
      const card = page.getByRole("article", { name: "Node Remove duplicates" });
      const button = card.getByRole("button", { name: "Preview output" });
      await button.click();
      const preview = card.getByTestId("run-preview");
      await preview.getByRole("table", { name: "Remove duplicates · rows: 1,000 rows" }).waitFor();
      await preview.getByText("Showing 100 of 1,000 rows").waitFor();
      const p = await settledBox(preview);
      const b = await box(button);
      expect(p.y - (b.y + b.height)).toBeGreaterThanOrEqual(0);
      expect(p.y - (b.y + b.height)).toBeLessThan(24);
      expectScrolledTo(p, size);
      expect(await focusedIn(preview)).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `run-preview-under-button-${size.width}x${size.height}.png`) });
      // Escape in the search box with text in it clears the text; the preview stays open.
      const search = preview.getByLabel("Search every text column");
      await search.fill("Female");
      await expect.poll(() => preview.getByText("Showing 100 of 1,000 rows").count()).toBe(0);
      await search.press("Escape");
      expect(await search.inputValue()).toBe("");
      await preview.getByText("Showing 100 of 1,000 rows").waitFor();
      await page.keyboard.press("Escape");
      await preview.waitFor({ state: "detached" });
      expect(await focusedText(page)).toBe("Preview output");
    });
  }, 60_000);

  it("on the Datasets page: right under the row clicked", async () => {
    const unique = (await runs.node(store, runId, "unique")).outputs as Record<string, DatasetRef>;
    const id = unique.rows!.id;
    await withPage(size, async (page) => {
      await page.goto(url("/datasets"));
      const button = page.getByRole("button", { name: `Preview ${id}` });
      await button.click();
      const preview = page.getByTestId("dataset-preview");
      await preview.getByRole("table").waitFor();
      const p = await settledBox(preview);
      const row = await box(page.locator("tr", { has: button }));
      expect(p.y - (row.y + row.height)).toBeGreaterThanOrEqual(0);
      expect(p.y - (row.y + row.height)).toBeLessThan(24);
      expectScrolledTo(p, size);
      expect(await focusedIn(preview)).toBe(true);
      await page.screenshot({ path: path.join(ARTIFACTS, `datasets-preview-under-row-${size.width}x${size.height}.png`) });
      await page.keyboard.press("Escape");
      await preview.waitFor({ state: "detached" });
      expect(await focusedText(page)).toBe(`Preview ${id}`);
    });
  }, 60_000);
});
