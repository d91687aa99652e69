// Never losing work in the editor, in real Chromium against the production build, at 1280x800 and
// 1920x1080 (issue 15): a number field keeps text that is not a number and Save keeps it in a draft
// version, naming the problem; a flow without a name is refused and the "Not saved" notice goes
// once it is fixed; and every way out of the editor asks first while there are unsaved edits (and
// only then): the Flows back link, each top menu link, the logo, Account, Results, Sign out, the browser's
// Back button, and closing or reloading the tab (the browser's own prompt). The page logs nothing
// about props that are not plain objects. Screenshots of each step in test-artifacts/unsaved-<size>-*.png.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { ARTIFACTS, newFlowWithUpload, shotWhenFailed, signedInContext, signIn, sizeName, stepShots, VIEWPORTS } from "./support-browser";

/** The top menu of an editor (not an admin), in order. */
const TOP_MENU = ["Flows", "Runs", "Customers", "Datasets", "Models", "Tracking plan"];

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** This size's flow: made by the first test, used by the others. */
let flow: { id: string; name: string };
/** Every console message and uncaught error of every page the tests opened. */
const consoleLines: string[] = [];
const url = (p: string) => `${inject("webUrl")}${p}`;
const editorUrl = () => url(`/flows/${flow.id}`);

const settings = () => page.getByRole("complementary", { name: "Node settings" });
const skipRows = () => settings().getByLabel("Skip rows", { exact: true });
const notice = () => page.getByRole("status");
const saveState = () => page.getByTestId("save-state");
const leaveDialog = () => page.getByRole("dialog", { name: "Leave without saving?" });
/** The editor's own "Flows" link at the top left of the canvas (not the one in the top menu). */
const backLink = () => page.locator('a[href="/flows"]:not(header a)');
const topMenu = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

async function openEditor() {
  await page.goto(editorUrl());
  await page.getByTestId("node-csv-file-1").waitFor();
  await saveState().getByText("· saved").waitFor();
}

async function selectCsvNode() {
  await page.getByTestId("node-csv-file-1").locator("div").first().click({ position: { x: 12, y: 10 } });
  await skipRows().waitFor();
}

async function save() {
  await page.getByRole("button", { name: "Save", exact: true }).click();
}

/** Opens the editor and types `value` into Skip rows: an unsaved edit. */
async function editSkipRows(value: string) {
  await openEditor();
  await selectCsvNode();
  await skipRows().fill(value);
  await saveState().getByText("unsaved changes").waitFor();
}

async function stay() {
  await leaveDialog().getByRole("button", { name: "Stay and keep editing" }).click();
  await leaveDialog().waitFor({ state: "hidden" });
  expect(page.url()).toBe(editorUrl());
}

/**
 * Closes the tab as the browser's close button does (the page's beforeunload runs). With "stay" the
 * browser's prompt is expected and dismissed (the page stays open); otherwise any prompt is accepted
 * and the tab closes (a new one replaces it). Returns the prompts the browser showed.
 */
async function closeTab(answer: "stay" | "leave"): Promise<string[]> {
  const asked: string[] = [];
  const prompted = new Promise<"prompted">((resolve) =>
    page.once("dialog", (d) => {
      asked.push(d.type());
      void (answer === "stay" ? d.dismiss() : d.accept()).then(() => resolve("prompted"));
    }),
  );
  const closed = page.waitForEvent("close", { timeout: 0 }).then(
    () => "closed" as const,
    () => "closed" as const,
  );
  await page.close({ runBeforeUnload: true });
  if (answer === "stay") {
    expect(await Promise.race([prompted, closed])).toBe("prompted");
    expect(await page.evaluate(() => document.visibilityState)).toBe("visible");
  } else {
    await closed;
    page = await context.newPage();
  }
  return asked;
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

for (const viewport of VIEWPORTS) {
  describe(`unsaved work in the editor at ${sizeName(viewport)}`, () => {
    const shot = stepShots(() => page, "unsaved", viewport);

    beforeAll(async () => {
      flow = { id: `unsaved-work-e2e-${viewport.width}`, name: `Unsaved work e2e ${viewport.width}` };
      context = await signedInContext(browser, "editor", { viewport });
      context.setDefaultTimeout(20_000);
      context.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
      context.on("weberror", (e) => consoleLines.push(`pageerror: ${e.error().message}`));
      page = await context.newPage();
    });
    beforeEach((ctx) => shotWhenFailed(ctx, () => page, `unsaved-${sizeName(viewport)}-`));
    afterAll(async () => {
      await context?.close();
    });

    it("keeps 'abc' in a number field, saves it as a draft naming the problem, and refuses only a flow without a name", async () => {
      // A saved one-node flow: a CSV source reading a small upload.
      const csv = { name: `unsaved-work-e2e-${viewport.width}.csv`, mimeType: "text/csv", buffer: Buffer.from("id,name\n1,Ada\n2,Grace\n") };
      const { uploaded } = await newFlowWithUpload(page, { file: csv, flowName: flow.name, flowId: flow.id, at: { x: 200, y: 200 } });
      expect(uploaded).toContain("2 rows, 2 columns");
      await save();
      await notice().getByText("Saved as version 2.").waitFor();
      await saveState().getByText("v2 · saved").waitFor();
      await shot("1-saved");

      // Letters: they stay in the field, with the problem under it, and the flow counts as unsaved.
      await skipRows().fill("abc");
      expect(await skipRows().inputValue()).toBe("abc");
      await settings().getByText("Enter a whole number").waitFor();
      expect(await skipRows().getAttribute("aria-invalid")).toBe("true");
      await saveState().getByText("v2 · unsaved changes").waitFor();
      await page.getByTestId("node-csv-file-1").getByRole("img", { name: "1 problem" }).waitFor();

      // Save keeps it, as typed, in a draft version that never runs, and names the field's problem
      // (instead of "No changes since version 2").
      await save();
      await notice().getByText(/^Saved as version 3, a draft with 1 problem: it will not run until it is fixed\. .*\(csv-file-1\) › skipRows: "abc" is not a number\./).waitFor();
      expect(await notice().innerText()).not.toContain("No changes");
      await saveState().getByText("v3 · draft, 1 problem · saved").waitFor();
      await shot("2-number-draft");

      // The text survives selecting another node and coming back.
      await settings().getByRole("button", { name: "Close settings" }).click();
      await skipRows().waitFor({ state: "detached" });
      await selectCsvNode();
      expect(await skipRows().inputValue()).toBe("abc");

      // Out of range: shown under the field and listed among the flow's problems; Save keeps it as a draft too.
      await skipRows().fill("-1");
      await settings().getByText("Must be at least 0").waitFor();
      await saveState().getByText("v3 · draft, 1 problem · unsaved changes").waitFor();
      await save();
      await notice().getByText(/^Saved as version 4, a draft with 1 problem: .*\(csv-file-1\) › skipRows: /).waitFor();
      await shot("3-range-draft");

      // Fixed: a version that can run.
      await skipRows().fill("2");
      await save();
      await notice().getByText("Saved as version 5.").waitFor();
      await saveState().getByText("v5 · saved").waitFor();

      // The server's problems too: an unconnected node makes a draft; deleting it makes a version that can run.
      await page.locator('[data-ref="transform.dedupe@1"]').dragTo(page.locator(".react-flow"), { targetPosition: { x: 500, y: 200 } });
      await page.getByTestId("node-dedupe-1").getByRole("img", { name: /problem/ }).waitFor();
      await save();
      await notice().getByText(/^Saved as version 6, a draft with \d+ problems?: .*\(dedupe-1\) › /).waitFor();
      await shot("4-unconnected-draft");
      await page.keyboard.press("Delete"); // the new node is the selected one
      await page.getByTestId("node-dedupe-1").waitFor({ state: "detached" });
      await save();
      await notice().getByText("Saved as version 7.").waitFor();

      // A flow without a name cannot be kept even as a draft: Save refuses, naming why, and the
      // notice goes once the name is back.
      await page.getByLabel("Flow name").fill("");
      await save();
      await notice().getByText(/^Not saved: 1 problem to fix first\. The flow › a flow needs a name\./).waitFor();
      await shot("5-no-name-refused");
      await page.getByLabel("Flow name").fill(flow.name);
      await notice().waitFor({ state: "detached" });
      await save();
      await notice().getByText("No changes since version 7.").waitFor();

      await page.reload();
      await selectCsvNode();
      expect(await skipRows().inputValue()).toBe("2");
      await shot("6-reloaded");
    }, 180_000);

    it("with no unsaved edits, every way out leaves at once: the Flows link, the top menu, Back, closing the tab", async () => {
      await page.goto(url("/flows"));
      await openEditor();
      await backLink().click();
      await page.waitForURL(url("/flows"));
      await openEditor();
      await topMenu("Runs").click();
      await page.waitForURL(url("/runs"));
      await openEditor();
      await page.goBack();
      await page.waitForURL(url("/runs"));
      expect(await leaveDialog().count()).toBe(0);
      // Selecting a node and closing its settings is no edit: the tab closes without the browser's prompt.
      await openEditor();
      await selectCsvNode();
      await settings().getByRole("button", { name: "Close settings" }).click();
      expect(await closeTab("leave")).toEqual([]);
    });

    it("with unsaved edits, the browser's Back button asks first: Stay stays with the edit, Leave goes back", async () => {
      await page.goto(url("/flows"));
      await editSkipRows("7");
      // (Back lands on the editor's own copy of its history entry: no navigation for goBack() to wait for.)
      await page.evaluate(() => window.history.back());
      await leaveDialog().waitFor();
      await shot("7-back-button-asks");
      await stay();
      expect(await skipRows().inputValue()).toBe("7");
      // Asked again the next time, and leaving goes back to the Flows page.
      await page.evaluate(() => window.history.back());
      await leaveDialog().getByRole("button", { name: "Leave without saving" }).click();
      await page.waitForURL(url("/flows"));
      await page.getByRole("heading", { name: "Flows" }).waitFor();
    });

    it("with unsaved edits, the Flows link, every top menu link, the logo, Account, Results and Sign out ask first: Stay stays, Leave leaves", async () => {
      await editSkipRows("5");

      // The editor's back link: asked, and staying keeps the edit.
      await backLink().click();
      await leaveDialog().waitFor();
      await shot("8-flows-link-asks");
      await stay();
      expect(await skipRows().inputValue()).toBe("5");

      // Each link of the top menu, the logo, the account link and the toolbar's Results link: each asks.
      const links = page.getByRole("navigation", { name: "Main" }).getByRole("link");
      expect(await links.allInnerTexts()).toEqual(TOP_MENU);
      const others = [page.getByRole("link", { name: "Loopwright" }), page.getByRole("link", { name: "Account" }), page.getByRole("link", { name: "Results", exact: true })];
      for (const link of [...TOP_MENU.map(topMenu), ...others]) {
        await link.click();
        await leaveDialog().waitFor();
        await page.keyboard.press("Escape"); // Escape is staying too
        await leaveDialog().waitFor({ state: "hidden" });
        expect(page.url()).toBe(editorUrl());
      }
      expect(await skipRows().inputValue()).toBe("5");

      // Sign out asks as well (and stays signed in when the user stays).
      await page.getByRole("button", { name: "Sign out" }).click();
      await leaveDialog().waitFor();
      await shot("9-sign-out-asks");
      await stay();
      await page.getByTestId("signed-in-name").waitFor();

      // Leaving through the top menu goes where the link points.
      await topMenu("Datasets").click();
      await leaveDialog().getByRole("button", { name: "Leave without saving" }).click();
      await page.waitForURL(url("/datasets"));

      // Leaving through the back link, from a fresh load with a new edit.
      await openEditor();
      await page.getByLabel("Flow name").fill(`${flow.name} renamed`);
      await saveState().getByText("unsaved changes").waitFor();
      await backLink().click();
      await leaveDialog().getByRole("button", { name: "Leave without saving" }).click();
      await page.waitForURL(url("/flows"));

      // Leaving through Sign out signs out and goes to the sign-in page.
      await editSkipRows("6");
      await page.getByRole("button", { name: "Sign out" }).click();
      await leaveDialog().getByRole("button", { name: "Leave without saving" }).click();
      await page.waitForURL(/\/login(\?|$)/);
      await page.getByText("Sign in to Loopwright").waitFor();
      await shot("10-signed-out");
      await signIn(context, "editor");

      // Nothing was saved on the way out.
      await openEditor();
      expect(await page.getByLabel("Flow name").inputValue()).toBe(flow.name);
      await selectCsvNode();
      expect(await skipRows().inputValue()).toBe("2");
    }, 120_000);

    it("with unsaved edits, closing or reloading the tab asks (the browser's prompt): staying keeps the edit, leaving loses it", async () => {
      await editSkipRows("9");
      // Closing: the browser asks; the user stays, and the page is there with the edit.
      expect(await closeTab("stay")).toEqual(["beforeunload"]);
      expect(page.isClosed()).toBe(false);
      expect(await skipRows().inputValue()).toBe("9");
      await shot("11-close-tab-stayed");
      // Reloading asks too; leaving reloads the saved flow, without the edit.
      const asked: string[] = [];
      page.once("dialog", (d) => {
        asked.push(d.type());
        void d.accept();
      });
      await page.reload();
      expect(asked).toEqual(["beforeunload"]);
      await selectCsvNode();
      expect(await skipRows().inputValue()).toBe("2");
      // Closing and leaving closes the tab.
      await skipRows().fill("8");
      await saveState().getByText("unsaved changes").waitFor();
      expect(await closeTab("leave")).toEqual(["beforeunload"]);
      await openEditor();
      await selectCsvNode();
      expect(await skipRows().inputValue()).toBe("2");
    });

    it("text that is not a number yet counts as unsaved work for leaving too", async () => {
      await editSkipRows("abc");
      await topMenu("Flows").click();
      await leaveDialog().waitFor();
      await stay();
      expect(await skipRows().inputValue()).toBe("abc");
    });

    it("no page logged 'Only plain objects can be passed to Client Components'", async () => {
      // The editor was loaded many times above. (React checks props in development builds only; the
      // unit test server/api/routers/rsc-props.test.ts renders the page's props through its dev build.)
      await page.evaluate((size) => console.log(`console-probe ${size}`), sizeName(viewport));
      await expect.poll(() => consoleLines).toContain(`log: console-probe ${sizeName(viewport)}`);
      expect(consoleLines.filter((l) => l.includes("Only plain objects"))).toEqual([]);
    });
  });
}
