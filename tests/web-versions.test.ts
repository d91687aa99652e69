// Never losing work, in real Chromium against the production build at 1280x800 and 1920x1080
// (issue 15): Save keeps a flow with problems as a draft ('abc' in a number field included), which
// reloads exactly as saved with its problem shown and is marked in the flows list; Run refuses the
// draft by name; the History dialog lists who saved each version, shows what changed between
// versions 1 and 3 setting by setting, and restores version 1 over version 3 as version 4.
// Screenshots of each step in test-artifacts/versions-<size>-*.png.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { flows } from "../db/store";
import { launchChromium } from "../lib/browser";
import { testStore } from "./support";
import { ARTIFACTS, newFlowWithUpload, shotWhenFailed, signedInContext, sizeName, stepShots, VIEWPORTS } from "./support-browser";

const stamp = Date.now().toString(36);

let browser: Browser;
let context: BrowserContext;
let page: Page;
const url = (p: string) => `${inject("webUrl")}${p}`;

const settings = () => page.getByRole("complementary", { name: "Node settings" });
const skipRows = () => settings().getByLabel("Skip rows", { exact: true });
const notice = () => page.getByRole("status");
const saveState = () => page.getByTestId("save-state");
const history = () => page.getByRole("dialog", { name: "Version history" });

async function selectNode(id: string) {
  await page.getByTestId(`node-${id}`).locator("div").first().click({ position: { x: 12, y: 10 } });
  await skipRows().waitFor();
}

async function save() {
  await page.getByRole("button", { name: "Save", exact: true }).click();
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

for (const viewport of VIEWPORTS) {
  const size = sizeName(viewport);
  const DRAFT_NAME = `Versions draft ${stamp} ${viewport.width}`;
  const DRAFT_FLOW = `versions-draft-${stamp}-${viewport.width}`;
  const HISTORY_NAME = `Versions history ${stamp} ${viewport.width}`;
  const HISTORY_FLOW = `versions-history-${stamp}-${viewport.width}`;
  const shot = stepShots(() => page, "versions", viewport);

  describe(`drafts and version history at ${size}`, () => {
    beforeAll(async () => {
      context = await signedInContext(browser, "editor", { viewport });
      context.setDefaultTimeout(20_000);
      page = await context.newPage();
      // Version 1 of the history flow, saved before anyone's name was recorded with it: "unknown".
      await flows.saveVersion(
        testStore(),
        {
          name: HISTORY_NAME,
          nodes: [
            { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: "examples/data/telco-customer-churn.csv", skipRows: 0 } },
            { id: "unique", type: "transform.dedupe@1", position: { x: 300, y: 0 }, config: { keys: ["customerID"] } },
          ],
          edges: [{ id: "e1", source: "customers", sourceHandle: "rows", target: "unique", targetHandle: "rows" }],
        },
        { flowId: HISTORY_FLOW },
      );
    });
    beforeEach((ctx) => shotWhenFailed(ctx, () => page, `versions-${size}-`));
    afterAll(async () => {
      await context?.close();
    });

    it("saves a flow with 'abc' in a number field as a draft, reloads it as saved with its problem, marks it in the list, and refuses to run it by name", async () => {
      const csv = { name: `versions-${stamp}-${viewport.width}.csv`, mimeType: "text/csv", buffer: Buffer.from("id,name\n1,Ada\n2,Grace\n") };
      await newFlowWithUpload(page, { file: csv, flowName: DRAFT_NAME, flowId: DRAFT_FLOW, at: { x: 300, y: 250 } });
      await save();
      await notice().getByText("Saved as version 2.").waitFor();

      // 'abc' is not a number: Save keeps it anyway, as a draft, and says what that means.
      await skipRows().fill("abc");
      await settings().getByText("Enter a whole number").waitFor();
      await save();
      await notice().getByText(/^Saved as version 3, a draft with 1 problem: it will not run until it is fixed\. .*\(csv-file-1\) › skipRows: "abc" is not a number\. Version 2 is the latest version that can run\.$/).waitFor();
      await saveState().getByText("v3 · draft, 1 problem · saved").waitFor();
      expect(await skipRows().inputValue()).toBe("abc");
      await shot("1-draft-saved");

      // Reloaded: exactly as saved, 'abc' and all, still a draft, with its problem on the node and the field.
      await page.reload();
      await saveState().getByText("v3 · draft, 1 problem · saved").waitFor();
      await notice().getByText("Version 3 is a draft with 1 problem: it will not run until it is fixed. Version 2 is the latest version that can run.").waitFor();
      await page.getByTestId("node-csv-file-1").getByRole("img", { name: "1 problem" }).waitFor();
      await selectNode("csv-file-1");
      expect(await skipRows().inputValue()).toBe("abc");
      await settings().getByText('"abc" is not a number').waitFor();
      expect(await skipRows().getAttribute("aria-invalid")).toBe("true");
      await shot("2-draft-reloaded");

      // Run: refused, naming the flow, the version and the problem.
      await page.getByRole("button", { name: "Run", exact: true }).click();
      await notice()
        .getByText(`Not run. Version 3 of flow "${DRAFT_NAME}" (${DRAFT_FLOW}) is a draft with 1 problem and never runs. csv-file-1 › skipRows: "abc" is not a number. Fix it and save, or run version 2, the latest without problems.`)
        .waitFor();
      await shot("3-run-refused");

      // The flows list marks the draft.
      await page.goto(url("/flows"));
      const row = page.getByRole("row").filter({ hasText: DRAFT_NAME });
      await row.getByText("draft", { exact: true }).waitFor();
      expect(await row.getByText("draft", { exact: true }).getAttribute("title")).toBe("Version 3 is a draft with 1 problem and never runs; version 2 is the latest that can run");
      await shot("4-flows-list-draft");
    }, 180_000);

    it("shows who saved each version and what changed between 1 and 3, and restores 1 over 3 as version 4", async () => {
      await page.goto(url(`/flows/${HISTORY_FLOW}`));
      await saveState().getByText("v1 · saved").waitFor();
      await selectNode("customers");
      await skipRows().fill("1");
      await save();
      await notice().getByText("Saved as version 2.").waitFor();
      await skipRows().fill("2");
      await page.getByLabel("Flow name").fill(`${HISTORY_NAME} (v3)`);
      await save();
      await notice().getByText("Saved as version 3.").waitFor();
      if (viewport.width >= 1920) {
        // On a wide screen the toolbar shows the whole name (it was cut at 256 px whatever the width).
        expect(await page.getByLabel("Flow name").evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      }

      await page.getByRole("button", { name: "History", exact: true }).click();
      await history().waitFor();
      const item = (v: number) => history().getByTestId(`version-${v}`);
      await item(3).getByText("by Test editor").waitFor();
      await item(2).getByText("by Test editor").waitFor();
      await item(1).getByText("by unknown").waitFor();
      // Versions 1 and 3 compared: the settings that changed, old and new; nothing else.
      await history().getByLabel("From version").selectOption("1");
      await history().getByLabel("To version").selectOption("3");
      const diff = history().getByTestId("version-diff");
      await diff.getByText("Version 1 → version 3: 2 changes").waitFor();
      const flowPart = diff.getByRole("region", { name: "Flow" });
      expect((await flowPart.innerText()).replace(/\s+/g, " ")).toContain(`Name: "${HISTORY_NAME}" → "${HISTORY_NAME} (v3)"`);
      const changed = diff.getByRole("region", { name: "Settings changed" });
      expect((await changed.innerText()).replace(/\s+/g, " ").trim()).toMatch(/^SETTINGS CHANGED .*\(customers\) Skip rows: 0 → 2$/i);
      await shot("5-history-diff");

      // Restore version 1: saved as version 4, opened in the editor with version 1's settings.
      await item(1).getByRole("button", { name: "Restore version 1" }).click();
      await item(1).getByRole("alertdialog", { name: "Restore version 1?" }).getByRole("button", { name: "Restore as version 4" }).click();
      await history().waitFor({ state: "hidden" });
      await notice().getByText("Restored version 1 as version 4.").waitFor();
      await saveState().getByText("v4 · saved").waitFor();
      expect(await page.getByLabel("Flow name").inputValue()).toBe(HISTORY_NAME);
      await selectNode("customers");
      expect(await skipRows().inputValue()).toBe("0");
      await shot("6-restored-editor");
      await page.getByRole("button", { name: "History", exact: true }).click();
      await item(4).getByText("by Test editor").waitFor();
      await history().getByLabel("From version").selectOption("1");
      await history().getByLabel("To version").selectOption("4");
      await diff.getByText("Version 1 → version 4: no changes (nodes may have moved)").waitFor();
      await shot("7-history-after-restore");
      await page.keyboard.press("Escape");
      await history().waitFor({ state: "hidden" });
      expect((await flows.get(testStore(), HISTORY_FLOW, 4)).graph).toEqual((await flows.get(testStore(), HISTORY_FLOW, 1)).graph);
    }, 180_000);
  });
}
