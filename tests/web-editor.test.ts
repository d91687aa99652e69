// A marketer builds the Telco churn flow in real Chromium against the production build, the test
// Temporal server and worker: upload, drag, connect, fill forms, save, run, read the results.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { datasetFile } from "./harness";
import { ARTIFACTS, newFlowWithUpload, shotWhenFailed, signedInContext } from "./support-browser";

const FLOW = "telco-churn-e2e";
const NODES = [
  // palette entry, the id the editor gives it, where to drop it (the node's centre, relative to the canvas)
  { ref: "source.csv-file@1", id: "csv-file-1", at: { x: 150, y: 220 } },
  { ref: "transform.dedupe@1", id: "dedupe-1", at: { x: 410, y: 220 } },
  { ref: "model.train-classifier@1", id: "train-classifier-1", at: { x: 670, y: 80 } },
  { ref: "model.score@1", id: "score-1", at: { x: 930, y: 300 } },
  { ref: "insight.metrics@1", id: "metrics-1", at: { x: 930, y: 80 } },
  { ref: "action.write-table@2", id: "write-table-1", at: { x: 1180, y: 300 } },
] as const;

let browser: Browser;
let context: BrowserContext;
let page: Page;
const url = (p: string) => `${inject("webUrl")}${p}`;

const nodeCard = (id: string) => page.getByTestId(`node-${id}`);
const handle = (node: string, port: string, side: "source" | "target") => page.locator(`.react-flow__handle.${side}[data-nodeid="${node}"][data-handleid="${port}"]`);
const settings = () => page.getByRole("complementary", { name: "Node settings" });

async function centre(l: Locator) {
  const box = await l.boundingBox();
  if (!box) throw new Error("element is not visible");
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drag from an output handle to an input handle with the mouse, as a user does. */
async function connect(from: string, out: string, to: string, inp: string) {
  const a = await centre(handle(from, out, "source"));
  const b = await centre(handle(to, inp, "target"));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
}

async function select(id: string) {
  // The top-left corner of the header: the minimap can cover a node's lower right.
  await nodeCard(id).locator("div").first().click({ position: { x: 12, y: 10 } });
  // The panel names the node by its label; its id is in the tooltip.
  await settings().locator(`[title^="${id} · "]`).waitFor();
}

async function addToList(label: string, value: string) {
  const input = settings().getByLabel(`Add to ${label}`);
  await input.fill(value);
  await input.press("Enter");
}

const edgeCount = () => page.locator(".react-flow__edge").count();
/** Edges are drawn once both ends are measured, a frame or two after their nodes. */
const waitForEdges = (n: number) => page.waitForFunction((count) => document.querySelectorAll(".react-flow__edge").length === count, n);

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  context = await signedInContext(browser, "editor", { viewport: { width: 1920, height: 1080 } });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
});

// What the browser showed when a test failed, next to the other screenshots.
beforeEach((ctx) => shotWhenFailed(ctx, () => page));

afterAll(async () => {
  await browser?.close();
});

describe("the canvas in Chromium", () => {
  it("builds the Telco flow from an empty canvas, runs it and shows the results", async () => {
    // Upload the customers through the Datasets page, make a new, empty flow, drop the CSV source.
    const { uploaded } = await newFlowWithUpload(page, { file: datasetFile("telco-customer-churn.csv"), flowName: "Telco churn e2e", flowId: FLOW, at: NODES[0].at, pickFile: false });
    expect(uploaded).toContain("7,043 rows, 21 columns");

    // The other five nodes dragged from the palette.
    const canvas = page.locator(".react-flow");
    for (const n of NODES.slice(1)) {
      await page.locator(`[data-ref="${n.ref}"]`).dragTo(canvas, { targetPosition: n.at });
      await nodeCard(n.id).waitFor();
    }
    expect(await page.locator(".react-flow__node").count()).toBe(6);

    // Missing required settings: marked on the node and under the field; Save keeps the flow as a draft.
    await nodeCard("dedupe-1").getByRole("img", { name: /problem/ }).waitFor();
    await select("dedupe-1");
    await settings().getByText("required").first().waitFor();
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("status").getByText(/^Saved as version \d+, a draft with \d+ problems?: it will not run until/).waitFor();

    // A model output cannot feed a table input: refused, with the reason on screen.
    await connect("train-classifier-1", "model", "score-1", "rows");
    await page.getByRole("alert").getByText(/Cannot connect model output/).waitFor();
    expect(await edgeCount()).toBe(0);

    await connect("csv-file-1", "rows", "dedupe-1", "rows");
    await connect("dedupe-1", "rows", "train-classifier-1", "rows");
    await connect("dedupe-1", "rows", "score-1", "rows");
    await connect("train-classifier-1", "model", "score-1", "model");
    await connect("train-classifier-1", "model", "metrics-1", "model");
    await connect("score-1", "rows", "write-table-1", "rows");
    await waitForEdges(6);

    // The forms.
    await select("csv-file-1");
    const file = settings().getByLabel("File", { exact: true });
    const option = await file.locator("option", { hasText: "telco-customer-churn.csv" }).first().getAttribute("value");
    await file.selectOption(option!);
    await select("dedupe-1");
    await addToList("Keys", "customerID");
    await select("train-classifier-1");
    await settings().getByLabel("Target", { exact: true }).fill("Churn");
    await addToList("Exclude", "customerID");
    await select("write-table-1");
    // No connection: a SQLite file in the exports folder.
    await settings().getByLabel("File", { exact: true }).fill("crm-e2e.sqlite");
    await settings().getByLabel("Table", { exact: true }).fill("churn_scores");
    await addToList("Keys", "customerID");
    await page.getByRole("button", { name: /problem/ }).waitFor({ state: "detached" });

    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByRole("status").getByText(/^Saved as version \d+\.$/).waitFor();
    await page.getByTestId("save-state").getByText("· saved").waitFor();

    await page.getByRole("button", { name: "Run", exact: true }).click();
    for (const n of NODES) {
      await page.locator(`[data-testid="node-status-${n.id}"][data-status="succeeded"]`).waitFor({ timeout: 180_000 });
    }

    // The metrics: ROC AUC of the trained model.
    await select("metrics-1");
    const metrics = settings().getByRole("region", { name: "Last run" });
    await metrics.getByText("ROC AUC").first().waitFor();
    const auc = Number(/ROC AUC\s*([01]\.\d+)/.exec(await metrics.innerText())?.[1]);
    console.log(`ROC AUC shown in the editor: ${auc}`);
    expect(auc).toBeGreaterThan(0.75);
    expect(auc).toBeLessThan(1);

    // The scoring node's output: a score column among the customers' columns.
    await nodeCard("score-1").locator("div").first().click({ position: { x: 12, y: 10 } });
    const table = page.getByRole("table", { name: "Output of Score with model" });
    await table.waitFor();
    const headers = await table.locator("th").allInnerTexts();
    expect(headers.some((h) => /^score\b/.test(h.trim()))).toBe(true);
    expect(headers.some((h) => h.includes("customerID"))).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, "editor-finished-run-1920x1080.png") });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: path.join(ARTIFACTS, "editor-finished-run-1280x800.png") });
    await page.setViewportSize({ width: 1920, height: 1080 });

    // The run page and the datasets page, for a person to look at.
    await page.getByRole("link", { name: /Run of v\d+/ }).click();
    await page.waitForURL(/\/runs\/[0-9a-f-]+$/);
    await page.getByText("Open in Temporal UI").waitFor();
    await page.getByRole("heading", { name: "Score with model" }).first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "run-page.png"), fullPage: true });
    await page.goto(url("/datasets"));
    await page.getByText("telco-customer-churn.csv").first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "datasets-page.png"), fullPage: true });
  }, 600_000);

  it("undoes a delete, and shows the saved flow as it was after a reload", async () => {
    await page.goto(url(`/flows/${FLOW}`));
    for (const n of NODES) await nodeCard(n.id).waitFor();
    await waitForEdges(6);
    await page.getByTestId("save-state").getByText("· saved").waitFor();

    await select("write-table-1");
    await page.keyboard.press("Delete");
    await nodeCard("write-table-1").waitFor({ state: "detached" });
    await waitForEdges(5);
    await page.keyboard.press("Control+z");
    await nodeCard("write-table-1").waitFor();
    await waitForEdges(6); // one undo brings back the node and its edge together

    // The saved settings are there after a reload.
    await page.reload();
    await select("write-table-1");
    expect(await settings().getByLabel("Table", { exact: true }).inputValue()).toBe("churn_scores");
    await select("dedupe-1");
    await settings().getByText("customerID").first().waitFor();
    expect(await page.locator(".react-flow__node").count()).toBe(6);
  }, 120_000);

  it("refuses a file over the upload limit with a message that says the limit", async () => {
    await page.goto(url("/datasets"));
    const before = await page.getByText("big.csv").count();
    const row = "a,b,c\n" + "1,2,3\n".repeat(1_000_000); // 6 MB against the test server's 5 MB
    await page.getByLabel("Choose a file to upload").setInputFiles({ name: "big.csv", mimeType: "text/csv", buffer: Buffer.from(row) });
    await page.getByText(/big\.csv is 5\.7 MB; the limit is 5 MB/).waitFor();
    expect(before).toBe(0);
    await page.reload();
    await page.getByText("telco-customer-churn.csv").first().waitFor();
    expect(await page.getByText("big.csv").count()).toBe(0);
  });
});
