// A node's settings in Chromium against the production build, at 1280x800 and 1920x1080: a
// Train classifier node dragged onto a new flow shows the settings a marketer sets (Target, the
// columns to learn from) at once, and keeps the seed and the other tuning knobs in a closed
// "Advanced" section below them. The section opens from the keyboard, and opens by itself when one
// of its settings gets a problem while it is closed (here: Undo brings back a number of folds the
// server refuses). Screenshots of each step in test-artifacts/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const stamp = Date.now().toString(36);
const url = (p: string) => `${inject("webUrl")}${p}`;
// What model.train-classifier marks advanced, counted by hand: algorithm, testFraction, seed,
// folds, maxCategories, textVocabulary, textMode, regularisation, hiddenLayers, iterations,
// learningRate, momentum, validationFraction, patience.
const ADVANCED_COUNT = 14;
const FOLDS_PROBLEM = "Use 0 (no cross-validation) or 3 to 10 folds";

let browser: Browser;
let page: Page | undefined;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await page?.screenshot({ path: path.join(ARTIFACTS, `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`) }).catch(() => undefined);
  });
});

afterAll(async () => {
  await browser?.close();
});

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1920, height: 1080 },
];

describe("advanced settings in Chromium", () => {
  for (const viewport of VIEWPORTS) {
    const size = `${viewport.width}x${viewport.height}`;
    it(`at ${size}: the seed waits in a closed Advanced section, which opens by itself on a problem`, async () => {
      const context = await signedInContext(browser, "editor", { viewport });
      context.setDefaultTimeout(20_000);
      const p = await context.newPage();
      page = p;
      const shot = (step: string) => p.screenshot({ path: path.join(ARTIFACTS, `advanced-${size}-${step}.png`) });
      const settings = p.getByRole("complementary", { name: "Node settings" });

      // A new, empty flow with one Train classifier node dragged onto it.
      await p.goto(url("/flows"));
      await p.getByRole("button", { name: "New flow" }).first().click();
      await p.getByLabel("Flow name").fill(`Advanced ${size} ${stamp}`);
      await p.getByRole("button", { name: "Create", exact: true }).click();
      await p.getByText("Drag a source here to start").waitFor();
      await p.locator('[data-ref="model.train-classifier@1"]').dragTo(p.locator(".react-flow"), { targetPosition: { x: 400, y: 220 } });
      const card = p.getByTestId("node-train-classifier-1");
      await card.waitFor();
      await card.locator("div").first().click({ position: { x: 12, y: 10 } });
      await settings.locator('[title^="train-classifier-1 · "]').waitFor();

      // The plain settings are there at once; the seed is inside the closed Advanced section.
      const target = settings.getByLabel("Target", { exact: true });
      await target.waitFor();
      expect(await target.isVisible()).toBe(true);
      expect(await settings.getByLabel("Add to Exclude").isVisible()).toBe(true);
      const section = settings.locator("details");
      expect(await section.count()).toBe(1);
      const summary = section.locator("summary");
      expect((await summary.innerText()).trim()).toBe(`Advanced · ${ADVANCED_COUNT} settings`);
      expect(await section.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      const seed = section.getByLabel("Seed", { exact: true });
      expect(await seed.count()).toBe(1);
      expect(await seed.isVisible()).toBe(false);
      // Target is not in the section, and the section comes after it.
      expect(await section.getByLabel("Target", { exact: true }).count()).toBe(0);
      const [targetBox, summaryBox] = [await target.boundingBox(), await summary.boundingBox()];
      expect(summaryBox!.y).toBeGreaterThan(targetBox!.y);
      await summary.scrollIntoViewIfNeeded();
      await shot("1-closed");

      // Opened from the keyboard, it shows the seed with its default.
      await summary.focus();
      await p.keyboard.press("Enter");
      await seed.waitFor({ state: "visible" });
      expect(await section.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      expect(await seed.getAttribute("placeholder")).toContain("42");
      await shot("2-open");

      // Folds 2: the server refuses it and says so under the field; 3 is fine.
      const folds = section.getByLabel("Folds", { exact: true });
      await folds.fill("2");
      await section.getByText(FOLDS_PROBLEM).waitFor();
      await summary.getByText(/1 problem$/).waitFor();
      // Typing in one field within a second is one undo step: the next value is a step of its own.
      await p.waitForTimeout(1_200);
      await folds.fill("3");
      await section.getByText(FOLDS_PROBLEM).waitFor({ state: "hidden" });
      expect((await summary.innerText()).trim()).toBe(`Advanced · ${ADVANCED_COUNT} settings · 1 changed`);

      // Closed again (keyboard), then Undo brings folds 2 back out of sight: the section opens by
      // itself and shows the problem under Folds.
      await summary.focus();
      await p.keyboard.press("Enter");
      await folds.waitFor({ state: "hidden" });
      expect(await section.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      await shot("3-closed-again");
      await p.getByRole("button", { name: /^Undo/ }).click();
      const problem = section.getByText(FOLDS_PROBLEM);
      await problem.waitFor({ state: "visible" });
      expect(await section.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      expect(await folds.inputValue()).toBe("2");
      expect(await folds.getAttribute("aria-invalid")).toBe("true");
      expect((await summary.innerText()).trim()).toBe(`Advanced · ${ADVANCED_COUNT} settings · 1 changed · 1 problem`);
      await problem.scrollIntoViewIfNeeded();
      await shot("4-opened-by-problem");
      await context.close();
      page = undefined;
    }, 120_000);
  }
});
