// Admin > Guardrails in Chromium against the production build: an editor is told the page is for
// admins and the server refuses them the data; an admin sets a frequency cap, is stopped by a clear
// message on bad values (nothing saved), saves, and finds the values again after a reload, in the
// store the sending nodes read and in the audit log with what they were before.
//
// The web app and its store are shared with the other test files running at the same time, so
// this test only saves rules that no other test's sends meet (a cap on push notifications, quiet
// hours switched off, no control group) and puts the settings back afterwards.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { audit, guardrails } from "../db/store";
import { launchChromium } from "../lib/browser";
import type { GuardrailSettings } from "../lib/guardrails-rules";
import { projectRoot } from "../lib/paths";
import { testStore } from "./support";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const url = (p: string) => `${inject("webUrl")}${p}`;
let browser: Browser;
let before: GuardrailSettings;

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  before = await guardrails.settings(testStore());
  expect(before.caps.push, "no other test sets a push cap").toBeUndefined();
});

afterAll(async () => {
  if (before) await guardrails.saveSettings(testStore(), before);
  await browser?.close();
});

const shot = (page: Page, step: string) => page.screenshot({ path: path.join(ARTIFACTS, `guardrails-${step}.png`) });

describe("Admin > Guardrails", () => {
  it("is for admins: an editor reads why the page is empty and the server refuses the data", async () => {
    const context = await signedInContext(browser, "editor", { viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(url("/admin/guardrails"));
      await expect.poll(() => page.getByRole("heading", { name: "Only admins can open this page" }).isVisible()).toBe(true);
      await expect(page.getByRole("button", { name: "Save guardrails" }).count()).resolves.toBe(0);
      const res = await context.request.get(url("/api/trpc/guardrails.get"));
      expect(res.status()).toBe(403);
      await shot(page, "editor-refused");
    } finally {
      await context.close();
    }
  });

  it("an admin sets a cap, is stopped by bad values, saves, and finds the rules again after a reload", async () => {
    const context = await signedInContext(browser, "admin", { viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(30_000);
    try {
      const page = await context.newPage();
      await page.goto(url("/"));
      await page.getByRole("navigation").getByRole("link", { name: "Guardrails", exact: true }).click();
      await page.waitForURL("**/admin/guardrails");
      const push = page.getByRole("checkbox", { name: "Push notifications" });
      await expect.poll(() => push.isVisible()).toBe(true);
      expect(await push.isChecked()).toBe(false);
      const pushMax = page.getByLabel("Push notifications: at most (messages)");
      expect(await pushMax.isDisabled()).toBe(true);
      await shot(page, "1-loaded");

      await push.check();
      await pushMax.fill("3");
      await page.getByLabel("Push notifications: in (days)").fill("14");

      // Bad values are refused with the reason, and nothing is saved.
      const quiet = page.getByRole("checkbox", { name: "Hold marketing during quiet hours" });
      await quiet.check();
      await page.getByLabel("From", { exact: true }).fill("22:00");
      await page.getByLabel("Until", { exact: true }).fill("22:00");
      await page.getByRole("button", { name: "Save guardrails" }).click();
      await expect.poll(() => page.getByText("Quiet hours must start and end at different times.").isVisible()).toBe(true);
      await page.getByLabel("Until", { exact: true }).fill("08:00");
      await quiet.uncheck(); // the shared store's other tests send e-mail now: quiet hours stay off
      await page.getByLabel("Global control group (%)").fill("80");
      await page.getByRole("button", { name: "Save guardrails" }).click();
      await expect.poll(() => page.getByText("The global control group is 0 to 50 % of customers.").isVisible()).toBe(true);
      await page.getByText("The global control group is 0 to 50 % of customers.").scrollIntoViewIfNeeded();
      await shot(page, "2-refused");
      expect((await guardrails.settings(testStore())).caps.push).toBeUndefined();

      await page.getByLabel("Global control group (%)").fill("0");
      await page.getByLabel("Default time zone").fill("Europe/Paris");
      await page.getByRole("button", { name: "Save guardrails" }).click();
      await expect.poll(() => page.getByText("Saved. Sends from now on follow these rules.").isVisible()).toBe(true);
      await page.getByText("Saved. Sends from now on follow these rules.").scrollIntoViewIfNeeded();
      await shot(page, "3-saved");

      // What the sending nodes read.
      const saved = await guardrails.settings(testStore());
      expect(saved.caps.push).toEqual({ max: 3, days: 14 });
      expect(saved.caps.email).toEqual(before.caps.email);
      expect(saved.quietHours).toEqual({ enabled: false, from: "22:00", to: "08:00" });
      expect(saved.timeZone).toBe("Europe/Paris");
      expect(saved.controlPercent).toBe(0);

      // A reload shows the saved rules.
      await page.reload();
      await expect.poll(() => page.getByRole("checkbox", { name: "Push notifications" }).isChecked()).toBe(true);
      expect(await page.getByLabel("Push notifications: at most (messages)").inputValue()).toBe("3");
      expect(await page.getByLabel("Push notifications: in (days)").inputValue()).toBe("14");
      expect(await page.getByLabel("Default time zone").inputValue()).toBe("Europe/Paris");
      expect(await page.getByLabel("Until", { exact: true }).inputValue()).toBe("08:00");
      expect(await page.getByRole("checkbox", { name: "Hold marketing during quiet hours" }).isChecked()).toBe(false);
      await shot(page, "4-reloaded");

      // The audit log has the change, with what the rules were before.
      const [entry] = await audit.list(testStore(), { action: "guardrails.update", limit: 1 });
      expect(entry?.outcome).toBe("ok");
      const detail = entry?.detail as { before: GuardrailSettings; after: GuardrailSettings };
      expect(detail.before.caps.push).toBeUndefined();
      expect(detail.after.caps.push).toEqual({ max: 3, days: 14 });
    } finally {
      await context.close();
    }
  });
});
