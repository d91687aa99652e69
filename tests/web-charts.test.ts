// Insight charts in Chromium: the Hillstrom A/B flow runs through Temporal (as the CLI runs it),
// then its run page draws the arms with their confidence intervals.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { lastJsonLine, runCli } from "./support";

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

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
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
});
