// Insight charts in Chromium: example flows run through Temporal (as the CLI runs them), then their
// run pages draw what the nodes measured: the Hillstrom A/B arms with their confidence intervals,
// the CDNOW RFM segment profile, and a three-class confusion matrix.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { lastJsonLine, runCli } from "./support";
import { signedInContext } from "./support-browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe("insight charts on the run page", () => {
  it("reports the Hillstrom A/B test with rates that exclude zero difference, and draws the arms", async () => {
    const res = await runCli(["run", path.join(projectRoot, "examples", "flows", "hillstrom-ab.flow.json"), "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    const ab = summary.nodes.find((n: { id: string }) => n.id === "ab");
    expect(ab.status, ab.error).toBe("succeeded");
    const rate = Object.fromEntries(ab.metrics.arms.map((a: { arm: string; value: number }) => [a.arm, a.value.toFixed(3)]));
    console.log(`Hillstrom A/B visit rates: ${JSON.stringify(rate)}; comparisons: ${JSON.stringify(ab.metrics.comparisons.map((c: Record<string, unknown>) => [c.arm, c.difference, c.ciLow, c.ciHigh, c.pValue]))}`);
    expect(rate).toEqual({ "No E-Mail": "0.106", "Mens E-Mail": "0.183", "Womens E-Mail": "0.151" });
    for (const c of ab.metrics.comparisons) expect(c.ciLow).toBeGreaterThan(0);

    const page = await (await signedInContext(browser, "viewer", { viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${inject("webUrl")}/runs/${summary.runId}`);
    const chart = page.getByRole("figure", { name: "A/B arms" });
    await chart.waitFor({ timeout: 20_000 });
    await chart.locator(".recharts-bar-rectangle").first().waitFor();
    expect(await chart.locator(".recharts-bar-rectangle").count()).toBe(3);
    expect(await chart.locator(".recharts-errorBar").count()).toBeGreaterThanOrEqual(3);
    const table = page.getByRole("table", { name: "Comparisons with the control" });
    expect(await table.locator("tbody tr").count()).toBe(2);
    expect(await table.innerText()).toContain("< 0.001");
    await page.screenshot({ path: path.join(projectRoot, "test-artifacts", "run-page-ab-chart.png"), fullPage: true });
    await page.close();
  }, 180_000);

  it("segments CDNOW customers by RFM, every customer in one segment, and draws how the segments differ", async () => {
    const res = await runCli(["run", path.join(projectRoot, "examples", "flows", "cdnow-segments.flow.json"), "--json"]);
    expect(res.code, res.stderr).toBe(0);
    const summary = lastJsonLine(res.stdout);
    const byId = Object.fromEntries(summary.nodes.map((n: { id: string }) => [n.id, n]));
    for (const id of ["purchases", "rfm", "segments", "profile"]) expect(byId[id].status, byId[id].error).toBe("succeeded");
    const k = byId.segments.metrics.k as number;
    const profile = byId.profile.metrics as { rows: number; rowsWithoutSegment: number; segments: { segment: number; size: number; features: Record<string, { mean: number }> }[] };
    // Every customer in exactly one segment: 23,570 customers in the RFM table, none left out, sizes adding up.
    expect(byId.rfm.rows).toBe(23_570);
    expect(profile.rows).toBe(23_570);
    expect(profile.rowsWithoutSegment).toBe(0);
    expect(profile.segments).toHaveLength(k);
    expect(profile.segments.reduce((t, s) => t + s.size, 0)).toBe(23_570);
    const spend = profile.segments.map((s) => s.features.monetary!.mean);
    console.log(`CDNOW RFM segments: k = ${k}; ${profile.segments.map((s) => `segment ${s.segment}: ${s.size} customers, mean monetary $${s.features.monetary!.mean.toFixed(2)}`).join("; ")}`);
    expect(Math.max(...spend) / Math.min(...spend)).toBeGreaterThan(3); // the segments differ in monetary value

    const page = await (await signedInContext(browser, "viewer", { viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${inject("webUrl")}/runs/${summary.runId}`);
    const shares = page.getByRole("figure", { name: "Segment shares" });
    await shares.waitFor({ timeout: 20_000 });
    await shares.locator(".recharts-bar-rectangle").first().waitFor();
    expect(await shares.locator(".recharts-bar-rectangle").count()).toBe(k);
    const differences = page.getByRole("figure", { name: "Segment differences" });
    expect(await differences.locator(".recharts-legend-item").allInnerTexts()).toEqual(["recency", "frequency", "monetary"]);
    const table = page.getByRole("table", { name: "Segment profile" });
    expect(await table.locator("tbody tr").count()).toBe(k);
    const firstRow = await table.locator("tbody tr").first().locator("td").allInnerTexts();
    expect(firstRow[0]).toBe(String(profile.segments[0]!.segment));
    expect(Number(firstRow[1]!.replace(/,/g, ""))).toBe(profile.segments[0]!.size);
    await page.screenshot({ path: path.join(projectRoot, "test-artifacts", "run-page-segments.png"), fullPage: true });
    await page.close();
  }, 180_000);

  it("draws the confusion matrix of a three-class model as a table of actual against predicted classes", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-contract-"));
    try {
      const flow = {
        id: "telco-contract",
        name: "Telco: which contract?",
        nodes: [
          { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: "examples/data/telco-customer-churn.csv" } },
          { id: "train", type: "model.train-classifier@1", position: { x: 300, y: 0 }, config: { target: "Contract", algorithm: "logistic", exclude: ["customerID"], modelName: "contract" } },
        ],
        edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "train", targetHandle: "rows" }],
      };
      const file = path.join(dir, "contract.flow.json");
      writeFileSync(file, JSON.stringify(flow));
      const res = await runCli(["run", file, "--json"]);
      expect(res.code, res.stderr).toBe(0);
      const summary = lastJsonLine(res.stdout);
      const train = summary.nodes.find((n: { id: string }) => n.id === "train");
      expect(train.status, train.error).toBe("succeeded");
      const { labels, matrix } = train.metrics.confusion as { labels: string[]; matrix: number[][] };
      expect(labels).toEqual(["Month-to-month", "One year", "Two year"]);

      const page = await (await signedInContext(browser, "viewer", { viewport: { width: 1280, height: 900 } })).newPage();
      await page.goto(`${inject("webUrl")}/runs/${summary.runId}`);
      const table = page.getByRole("table", { name: "Confusion matrix" });
      await table.waitFor({ timeout: 20_000 });
      expect(await table.locator("thead th").allInnerTexts()).toEqual(labels);
      expect(await table.locator("tbody th").allInnerTexts()).toEqual(labels);
      const cells: number[][] = [];
      for (const row of await table.locator("tbody tr").all()) cells.push((await row.locator("td").allInnerTexts()).map((t) => Number(t.replace(/,/g, ""))));
      expect(cells).toEqual(matrix);
      await page.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
