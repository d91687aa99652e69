// Using the answer, in Chromium at 1280x800 against the production build, the test Temporal server
// and worker: a flow reads 250 customers with a churn score; the editor's preview of its output
// shows the identifier and the score first (the score as a percentage), sorts the whole dataset by
// the score, filters it, searches it, and downloads the rows as shown and the whole dataset as CSV
// (formula-like text neutralised, negative numbers left alone). The download route answers editors
// only, like the preview; the run page's preview is the same explorer.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { runs } from "../db/store";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { temporalSettings } from "../lib/temporal";
import { loadRegistry } from "../nodes/registry";
import { saveFlowVersion, startRun } from "../server/services/flows";
import { Client, Connection } from "@temporalio/client";
import { apiKey, testEnv, testStore } from "./support";
import { downloadPreview, parseCsv, signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const store = testStore();
const stamp = Date.now().toString(36);
const FLOW = `preview-${stamp}`;
const url = (p: string) => `${inject("webUrl")}${p}`;

// 250 customers. Scores ((i·37) mod 250) / 250 are all different (37 and 250 share no factor), from
// 0 to 0.996; every fifth customer is gold; balance i − 100 is negative for the first hundred.
interface Customer {
  plan: string;
  note: string;
  balance: number;
  churn_score: number;
  customerID: string;
}
const NOTES: Record<number, string> = { 7: '=HYPERLINK("http://evil.example","x")', 8: "-2", 9: "@SUM(A1:A2)" };
const CUSTOMERS: Customer[] = Array.from({ length: 250 }, (_, i) => ({
  plan: i % 5 === 0 ? "gold" : "basic",
  note: NOTES[i] ?? "ok",
  balance: i - 100,
  churn_score: ((i * 37) % 250) / 250,
  customerID: `C${String(i).padStart(3, "0")}`,
}));
const csvText = (s: string) => (/[",]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

let browser: Browser;
let context: BrowserContext;
let page: Page;
let runId: string;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const csv = path.join(inject("dataDir"), `${FLOW}.csv`);
  writeFileSync(csv, ["plan,note,balance,churn_score,customerID", ...CUSTOMERS.map((c) => [c.plan, csvText(c.note), c.balance, c.churn_score, c.customerID].join(","))].join("\n") + "\n");
  const registry = await loadRegistry();
  const flow = {
    id: FLOW,
    name: `Churn preview ${stamp}`,
    nodes: [{ id: "customers", type: "source.csv-file@1", position: { x: 0, y: 120 }, config: { path: csv } }],
    edges: [],
  };
  const saved = await saveFlowVersion(store, registry, flow, { flowId: FLOW });
  const settings = temporalSettings(testEnv());
  const connection = await Connection.connect({ address: settings.address });
  try {
    const client = new Client({ connection, namespace: settings.namespace });
    const started = await startRun(store, registry, client, settings, { versionId: saved.versionId });
    runId = started.runId;
    await client.workflow.getHandle(started.workflowId).result();
  } finally {
    await connection.close();
  }
  expect((await runs.node(store, runId, "customers")).status).toBe("succeeded");

  browser = await launchChromium();
  context = await signedInContext(browser, "editor", { viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(20_000);
  page = await context.newPage();
}, 120_000);

beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await page?.screenshot({ path: path.join(ARTIFACTS, `failed-preview-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 50)}.png`) }).catch(() => undefined);
  });
});

afterAll(async () => {
  await browser?.close();
});

const table = () => page.getByRole("table", { name: "Output of CSV file" });
const summary = () => page.getByTestId("view-summary");
const header = (name: string) => table().locator("th", { has: page.getByText(name, { exact: true }) });
/** The customerIDs of the first `n` rows shown. */
const shownIds = async (n: number) => (await table().locator("tbody tr td:first-child").allInnerTexts()).slice(0, n).map((t) => t.trim());

const download = (which: "As shown" | "Whole dataset" | null, format: "CSV" | "Parquet") => downloadPreview(page, which, format);

describe("the data preview: sort, filter, search and download", () => {
  it("shows the identifier and the score first, the score as a percentage with its raw value on hover", async () => {
    await page.goto(url(`/flows/${FLOW}`));
    const node = page.getByTestId("node-customers");
    await node.waitFor();
    await node.locator("div").first().click({ position: { x: 12, y: 10 } });
    // Clicking a finished node opens its preview once the editor has the run; the settings' button always does.
    await page.getByRole("complementary", { name: "Node settings" }).getByRole("button", { name: "Preview output" }).click();
    await table().waitFor();
    const headers = (await table().locator("th").allInnerTexts()).map((h) => h.split("\n")[0]!.trim());
    expect(headers).toEqual(["customerID", "churn_score", "plan", "note", "balance"]);
    await summary().getByText("Showing 100 of 250 rows").waitFor();
    // The file's order: C000 (score 0), C001 (37 / 250 = 0.148).
    expect(await shownIds(2)).toEqual(["C000", "C001"]);
    const score = table().locator("tbody tr").nth(1).locator("td").nth(1);
    expect((await score.innerText()).trim()).toBe("14.8 %");
    expect(await score.locator("span").getAttribute("title")).toBe("0.148");
  });

  it("sorts all 250 rows by the score, highest first, then lowest first", async () => {
    await header("churn_score").getByRole("button").click();
    await expect.poll(() => header("churn_score").getAttribute("aria-sort")).toBe("descending");
    // By hand: 249 / 250 at i·37 ≡ 249 (mod 250), i = 27 (999 = 3·250 + 249); then 248 at i = 54
    // (1998 = 7·250 + 248) and 247 at i = 81 (2997 = 11·250 + 247).
    await expect.poll(() => shownIds(3)).toEqual(["C027", "C054", "C081"]);
    expect((await table().locator("tbody tr").first().locator("td").nth(1).innerText()).trim()).toBe("99.6 %");
    await header("churn_score").getByRole("button").click();
    await expect.poll(() => header("churn_score").getAttribute("aria-sort")).toBe("ascending");
    await expect.poll(() => shownIds(1)).toEqual(["C000"]);
    await header("churn_score").getByRole("button").click(); // a third click: the file's order
    await expect.poll(() => header("churn_score").getAttribute("aria-sort")).toBe("none");
    await header("churn_score").getByRole("button").click();
    await expect.poll(() => header("churn_score").getAttribute("aria-sort")).toBe("descending");
  });

  it("filters to gold customers at 50 % or more, searches, and reads the top rows", async () => {
    // Gold: i = 0, 5, 10 … 245, fifty customers.
    await page.getByRole("button", { name: "Filter", exact: true }).click();
    const form = page.getByRole("form", { name: "New filter" });
    await form.getByLabel("Filter column").selectOption("plan");
    await form.getByLabel("Comparison").selectOption("equals");
    await form.getByLabel("Filter value").fill("gold");
    await form.getByRole("button", { name: "Apply filter" }).click();
    await summary().getByText("Showing 50 of 50 matching rows (250 in all)").waitFor();

    await page.getByRole("button", { name: "Filter", exact: true }).click();
    await form.getByLabel("Filter column").selectOption("churn_score");
    await form.getByLabel("Comparison").selectOption(">=");
    await form.getByLabel("Filter value").fill("50 %");
    await form.getByRole("button", { name: "Apply filter" }).click();
    await page.getByRole("list", { name: "Filters" }).getByText("churn_score ≥ 50.0 %").waitFor();
    const gold = CUSTOMERS.filter((c) => c.plan === "gold");
    // For i = 5k the score is 5·(37k mod 50) / 250, and 37k mod 50 takes each value 0 … 49 once as
    // k goes 0 … 49: exactly 25 gold customers score 125 / 250 or more, the highest 245 / 250 at
    // 37k ≡ 49 (mod 50), k = 27, C135.
    const atRisk = gold.filter((c) => c.churn_score >= 0.5).sort((a, b) => b.churn_score - a.churn_score);
    expect(atRisk).toHaveLength(25);
    expect(atRisk[0]!.customerID).toBe("C135");
    await summary().getByText("Showing 25 of 25 matching rows (250 in all)").waitFor();
    expect(await shownIds(25)).toEqual(atRisk.map((c) => c.customerID));

    // Searching any text column: "c1" is in the IDs C100 … C199 only.
    await page.getByLabel("Search every text column").fill("c1");
    const found = atRisk.filter((c) => c.customerID.startsWith("C1"));
    await summary().getByText(`Showing ${found.length} of ${found.length} matching rows (250 in all)`).waitFor();
    expect(found.length).toBeGreaterThan(3);
    expect(await shownIds(found.length)).toEqual(found.map((c) => c.customerID));
    await page.screenshot({ path: path.join(ARTIFACTS, "preview-sorted-filtered-searched-1280x800.png") });

    // The rows as shown, as CSV: those customers in that order, columns as shown.
    const shown = await download("As shown", "CSV");
    expect(shown.name).toBe(`Churn-preview-${stamp}-CSV-file-view.csv`);
    const rows = parseCsv(shown.text);
    expect(rows[0]).toEqual(["customerID", "churn_score", "plan", "note", "balance"]);
    expect(rows.slice(1).map((r) => r[0])).toEqual(found.map((c) => c.customerID));
    expect(rows.slice(1).map((r) => Number(r[1]))).toEqual(found.map((c) => c.churn_score));
  });

  it("downloads the whole dataset as CSV: every row, formula-like text neutralised, negative numbers kept", async () => {
    const whole = await download("Whole dataset", "CSV");
    expect(whole.name).toBe(`Churn-preview-${stamp}-CSV-file.csv`);
    const rows = parseCsv(whole.text);
    expect(rows[0]).toEqual(["plan", "note", "balance", "churn_score", "customerID"]);
    expect(rows).toHaveLength(251);
    const byId = new Map(rows.slice(1).map((r) => [r[4], r]));
    expect(byId.get("C007")).toEqual(["basic", `'=HYPERLINK("http://evil.example","x")`, "-93", "0.036", "C007"]);
    expect(byId.get("C008")).toEqual(["basic", "'-2", "-92", "0.184", "C008"]); // "-2" as text is quoted; -92 is a number
    expect(byId.get("C009")).toEqual(["basic", "'@SUM(A1:A2)", "-91", "0.332", "C009"]);
    expect(byId.get("C098")![2]).toBe("-2"); // the number -2 stays a number
    expect(whole.text).toContain("\nbasic,ok,-2,");

    // Cleared, the menu only offers the whole dataset, and says so.
    await page.getByRole("button", { name: "Clear", exact: true }).click();
    await summary().getByText("Showing 100 of 250 rows").waitFor();
    await page.getByRole("button", { name: "Download", exact: true }).click();
    await page.getByRole("group", { name: "Download" }).getByText("The whole dataset: all 250 rows as stored.").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "preview-download-menu-1280x800.png") });
    await page.keyboard.press("Escape");
  });

  it("lets editors download by HTTP, and refuses viewers and anonymous visitors like the preview", async () => {
    const preview = await (await fetch(url(`/api/trpc/run.preview?input=${encodeURIComponent(JSON.stringify({ json: { runId, nodeId: "customers" } }))}`), { headers: { authorization: `Bearer ${apiKey("editor")}` } })).json();
    const id = preview.result.data.json.dataset.id as string;
    const link = url(`/api/datasets/${id}/download?format=csv&name=${encodeURIComponent("Top 20 at risk")}&view=${encodeURIComponent(JSON.stringify({ sort: { column: "churn_score", direction: "desc" } }))}`);
    const anonymous = await fetch(link);
    expect(anonymous.status).toBe(401);
    const viewer = await fetch(link, { headers: { authorization: `Bearer ${apiKey("viewer")}` } });
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).toMatch(/needs the editor role/);
    const editor = await fetch(link, { headers: { authorization: `Bearer ${apiKey("editor")}` } });
    expect(editor.status).toBe(200);
    expect(editor.headers.get("content-disposition")).toBe(`attachment; filename="Top-20-at-risk-view.csv"; filename*=UTF-8''Top-20-at-risk-view.csv`);
    // Response.text() would drop the byte order mark; the file keeps it.
    const rows = parseCsv(new TextDecoder("utf-8", { ignoreBOM: true }).decode(await editor.arrayBuffer()));
    expect(rows).toHaveLength(251);
    expect(rows[1]![1]).toBe("0.996");
    const bad = await fetch(link.replace("churn_score", "nope"), { headers: { authorization: `Bearer ${apiKey("editor")}` } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe('The dataset has no column "nope"');
    const parquet = await fetch(url(`/api/datasets/${id}/download?format=parquet`), { headers: { authorization: `Bearer ${apiKey("editor")}` } });
    expect(parquet.status).toBe(200);
    expect(Buffer.from(await parquet.arrayBuffer()).subarray(0, 4).toString()).toBe("PAR1");
  });

  it("offers the same explorer on the run page", async () => {
    await page.goto(url(`/runs/${runId}`));
    await page.getByRole("button", { name: "Preview output" }).click();
    const runTable = page.getByRole("table", { name: "CSV file · rows: 250 rows" });
    await runTable.waitFor();
    await runTable.locator("th", { has: page.getByText("balance", { exact: true }) }).getByRole("button").click();
    // Highest balance first: C249 (149).
    await expect.poll(async () => (await runTable.locator("tbody tr td:first-child").first().innerText()).trim()).toBe("C249");
    await page.screenshot({ path: path.join(ARTIFACTS, "run-page-preview-1280x800.png") });
  });
});
