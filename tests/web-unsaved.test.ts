// Never losing work in the editor, in real Chromium against the production build: a number field
// keeps text that is not a number and Save keeps it in a draft version, naming the problem; a flow
// without a name is refused and the "Not saved" notice goes once it is fixed; and every in-app way
// out asks first while there are unsaved edits (and only then). The page logs nothing about props that are not plain objects.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import { projectRoot } from "../lib/paths";
import { signedInContext } from "./support-browser";

const ARTIFACTS = path.join(projectRoot, "test-artifacts");
const FLOW = "unsaved-work-e2e";
const CSV = "unsaved-work-e2e.csv";

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every console message and uncaught error of every page the test opened. */
const consoleLines: string[] = [];
const url = (p: string) => `${inject("webUrl")}${p}`;
const editorUrl = url(`/flows/${FLOW}`);

const settings = () => page.getByRole("complementary", { name: "Node settings" });
const skipRows = () => settings().getByLabel("Skip rows", { exact: true });
const notice = () => page.getByRole("status");
const saveState = () => page.getByTestId("save-state");
const leaveDialog = () => page.getByRole("dialog", { name: "Leave without saving?" });
/** The editor's own "Flows" link at the top left of the canvas (not the one in the top menu). */
const backLink = () => page.locator('a[href="/flows"]:not(header a)');
const topMenu = (name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true });

async function openEditor() {
  await page.goto(editorUrl);
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

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  context = await signedInContext(browser, "editor", { viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(20_000);
  context.on("console", (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  context.on("weberror", (e) => consoleLines.push(`pageerror: ${e.error().message}`));
  page = await context.newPage();
});

beforeEach((ctx) => {
  ctx.onTestFailed(async () => {
    await page?.screenshot({ path: path.join(ARTIFACTS, `failed-${ctx.task.name.replace(/[^a-z0-9]+/gi, "-").slice(0, 60)}.png`) }).catch(() => undefined);
  });
});

afterAll(async () => {
  await browser?.close();
});

describe("unsaved work in the editor", () => {
  it("keeps 'abc' in a number field, saves it as a draft naming the problem, and refuses only a flow without a name", async () => {
    // A saved one-node flow: a CSV source reading a small upload.
    await page.goto(url("/datasets"));
    await page.getByLabel("Choose a file to upload").setInputFiles({ name: CSV, mimeType: "text/csv", buffer: Buffer.from("id,name\n1,Ada\n2,Grace\n") });
    // The progress bar shows the name while sending; leaving then would abort the upload.
    await page.getByRole("status").getByText(`Uploaded ${CSV}`).waitFor();
    await page.goto(url("/flows"));
    await page.getByRole("button", { name: "New flow" }).first().click();
    await page.getByLabel("Flow name").fill("Unsaved work e2e");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await page.waitForURL(editorUrl);
    await page.locator('[data-ref="source.csv-file@1"]').dragTo(page.locator(".react-flow"), { targetPosition: { x: 200, y: 200 } });
    await selectCsvNode();
    const file = settings().getByLabel("File", { exact: true });
    await file.selectOption((await file.locator("option", { hasText: CSV }).first().getAttribute("value"))!);
    await page.getByRole("button", { name: /problem/ }).waitFor({ state: "detached" });
    await save();
    await notice().getByText("Saved as version 2.").waitFor();
    await saveState().getByText("v2 · saved").waitFor();

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
    await page.screenshot({ path: path.join(ARTIFACTS, "unsaved-number-draft.png") });

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
    await page.keyboard.press("Delete"); // the new node is the selected one
    await page.getByTestId("node-dedupe-1").waitFor({ state: "detached" });
    await save();
    await notice().getByText("Saved as version 7.").waitFor();

    // A flow without a name cannot be kept even as a draft: Save refuses, naming why, and the
    // notice goes once the name is back.
    await page.getByLabel("Flow name").fill("");
    await save();
    await notice().getByText(/^Not saved: 1 problem to fix first\. The flow › a flow needs a name\./).waitFor();
    await page.getByLabel("Flow name").fill("Unsaved work e2e");
    await notice().waitFor({ state: "detached" });
    await save();
    await notice().getByText("No changes since version 7.").waitFor();

    await page.reload();
    await selectCsvNode();
    expect(await skipRows().inputValue()).toBe("2");
  }, 180_000);

  it("with no unsaved edits, the Flows link and the top menu leave at once", async () => {
    await openEditor();
    await backLink().click();
    await page.waitForURL(url("/flows"));
    await openEditor();
    await topMenu("Runs").click();
    await page.waitForURL(url("/runs"));
    expect(await leaveDialog().count()).toBe(0);
  });

  it("with unsaved edits, the browser's Back button asks first: Stay stays with the edit, Leave goes back", async () => {
    await page.goto(url("/flows"));
    await openEditor();
    await selectCsvNode();
    await skipRows().fill("7");
    await saveState().getByText("unsaved changes").waitFor();
    await page.evaluate(() => window.history.back());
    await leaveDialog().waitFor();
    await leaveDialog().getByRole("button", { name: "Stay and keep editing" }).click();
    await leaveDialog().waitFor({ state: "hidden" });
    expect(page.url()).toBe(editorUrl);
    expect(await skipRows().inputValue()).toBe("7");
    // Asked again the next time, and leaving goes back to the Flows page.
    await page.evaluate(() => window.history.back());
    await leaveDialog().getByRole("button", { name: "Leave without saving" }).click();
    await page.waitForURL(url("/flows"));
    await page.getByRole("heading", { name: "Flows" }).waitFor();
  });

  it("with unsaved edits, the Flows link, the top menu and Sign out ask first: Stay stays, Leave leaves", async () => {
    await openEditor();
    await selectCsvNode();
    await skipRows().fill("5");
    await saveState().getByText("unsaved changes").waitFor();

    // The editor's back link: asked, and staying keeps the edit.
    await backLink().click();
    await leaveDialog().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "unsaved-leave-dialog.png") });
    await leaveDialog().getByRole("button", { name: "Stay and keep editing" }).click();
    await leaveDialog().waitFor({ state: "hidden" });
    expect(page.url()).toBe(editorUrl);
    expect(await skipRows().inputValue()).toBe("5");

    // The top menu, the logo and the account link: each asks.
    for (const link of [topMenu("Runs"), page.getByRole("link", { name: "Loopwright" }), page.getByRole("link", { name: "Account" })]) {
      await link.click();
      await leaveDialog().waitFor();
      await page.keyboard.press("Escape"); // Escape is staying too
      await leaveDialog().waitFor({ state: "hidden" });
      expect(page.url()).toBe(editorUrl);
    }

    // Sign out asks as well (and stays signed in when the user stays).
    await page.getByRole("button", { name: "Sign out" }).click();
    await leaveDialog().waitFor();
    await leaveDialog().getByRole("button", { name: "Stay and keep editing" }).click();
    await leaveDialog().waitFor({ state: "hidden" });
    expect(page.url()).toBe(editorUrl);
    await page.getByTestId("signed-in-name").waitFor();

    // Leaving through the top menu goes where the link points.
    await topMenu("Datasets").click();
    await leaveDialog().getByRole("button", { name: "Leave without saving" }).click();
    await page.waitForURL(url("/datasets"));

    // Leaving through the back link, from a fresh load with a new edit.
    await openEditor();
    await page.getByLabel("Flow name").fill("Unsaved work e2e renamed");
    await saveState().getByText("unsaved changes").waitFor();
    await backLink().click();
    await leaveDialog().getByRole("button", { name: "Leave without saving" }).click();
    await page.waitForURL(url("/flows"));

    // Nothing was saved on the way out.
    await openEditor();
    expect(await page.getByLabel("Flow name").inputValue()).toBe("Unsaved work e2e");
    await selectCsvNode();
    expect(await skipRows().inputValue()).toBe("2");
  }, 120_000);

  it("text that is not a number yet counts as unsaved work for leaving too", async () => {
    await openEditor();
    await selectCsvNode();
    await skipRows().fill("abc");
    await topMenu("Flows").click();
    await leaveDialog().waitFor();
    await leaveDialog().getByRole("button", { name: "Stay and keep editing" }).click();
    expect(page.url()).toBe(editorUrl);
    expect(await skipRows().inputValue()).toBe("abc");
  });

  it("no page logged 'Only plain objects can be passed to Client Components'", async () => {
    // The editor was loaded many times above. (React checks props in development builds only; the
    // unit test server/api/routers/rsc-props.test.ts renders the page's props through its dev build.)
    await page.evaluate(() => console.log("console-probe"));
    await expect.poll(() => consoleLines).toContain("log: console-probe");
    expect(consoleLines.filter((l) => l.includes("Only plain objects"))).toEqual([]);
  });
});
