// Column pickers before any run, in Chromium against the production build at 1280x800 and
// 1920x1080: a flow made from the churn template (not run) offers the Telco CSV's columns in Train
// classifier's target two steps downstream; "Run up to here" runs a node and what it needs, and the
// output is there after a reload; a flow reading an uploaded file offers the file's columns in
// Remove duplicates' keys. Screenshots of each step in test-artifacts/columns-<size>-*.png.
import { mkdirSync } from "node:fs";
import { createTRPCClient, httpLink } from "@trpc/client";
import type { Browser, BrowserContext, Page } from "playwright-core";
import superjson from "superjson";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { launchChromium } from "../lib/browser";
import type { AppRouter } from "../server/api/root";
import { authHeaders } from "./support";
import { ARTIFACTS, shotWhenFailed, signedInContext, sizeName, stepShots, VIEWPORTS } from "./support-browser";

const api = createTRPCClient<AppRouter>({ links: [httpLink({ url: `${inject("webUrl")}/api/trpc`, transformer: superjson, headers: authHeaders("editor") })] });

let browser: Browser;
let context: BrowserContext;
let page: Page;
/** A flow reading an uploaded file, never run: one for both sizes (the test saves nothing). */
let uploadFlowId: string;
beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  const up = await fetch(`${inject("webUrl")}/api/uploads`, {
    method: "POST",
    headers: { ...authHeaders("editor"), "x-file-name": "members-columns-e2e.csv", "content-type": "text/csv" },
    body: "member_id,email,joined\n1,a@x.example,2024-01-02\n2,b@x.example,2024-02-03\n",
  });
  expect(up.status, await up.clone().text()).toBe(201);
  const file = (await up.json()) as { id: string };
  const graph = {
    name: "Columns before run e2e",
    nodes: [
      { id: "members", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { fileId: file.id } },
      { id: "unique", type: "transform.dedupe@1", position: { x: 300, y: 0 }, config: { keys: ["email"] } },
    ],
    edges: [{ id: "e1", source: "members", sourceHandle: "rows", target: "unique", targetHandle: "rows" }],
  };
  uploadFlowId = (await api.flow.save.mutate({ graph })).flowId;
});
afterAll(async () => {
  await browser?.close();
});

const settings = () => page.getByRole("complementary", { name: "Node settings" });
async function selectNode(id: string) {
  await page.getByTestId(`node-${id}`).locator("div").first().click({ position: { x: 12, y: 10 } });
  await settings().getByRole("region", { name: "Settings" }).waitFor();
}

for (const viewport of VIEWPORTS) {
  const size = sizeName(viewport);
  const shot = stepShots(() => page, "columns", viewport);

  describe(`column pickers before any run at ${size}`, () => {
    /** This size's churn flow from the template: the first test reads it never run, the second runs part of it. */
    let churnFlowId: string;
    beforeAll(async () => {
      context = await signedInContext(browser, "editor", { viewport });
      context.setDefaultTimeout(30_000);
      page = await context.newPage();
    });
    beforeEach((ctx) => shotWhenFailed(ctx, () => page, `columns-${size}-`));
    afterAll(async () => {
      await context?.close();
    });

    it("the churn template, never run: Train classifier's target offers the Telco CSV's columns", async () => {
      const made = await api.template.use.mutate({ id: "telco-churn", run: false });
      churnFlowId = made.flowId;
      expect(made.runId).toBeNull();
      expect((await api.run.list.query({ flowId: made.flowId })).length).toBe(0);
      await page.goto(`${inject("webUrl")}/flows/${made.flowId}`);
      await selectNode("train");
      const target = settings().getByLabel("Target", { exact: true });
      // The columns come from the server a moment after the panel opens.
      await expect.poll(() => target.getAttribute("list"), { timeout: 15_000 }).toBeTruthy();
      const listId = await target.getAttribute("list");
      await page.locator(`datalist[id="${listId}"] option[value="TotalCharges"]`).waitFor({ state: "attached" });
      const offered = await page.locator(`datalist[id="${listId}"] option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect(offered).toEqual([
        "customerID", "gender", "SeniorCitizen", "Partner", "Dependents", "tenure", "PhoneService", "MultipleLines", "InternetService", "OnlineSecurity", "OnlineBackup",
        "DeviceProtection", "TechSupport", "StreamingTV", "StreamingMovies", "Contract", "PaperlessBilling", "PaymentMethod", "MonthlyCharges", "TotalCharges", "Churn",
      ]);
      await shot("1-template-target-columns");
    });

    it("runs up to a node: only it and what it needs run, and after a reload its output is still there", async () => {
      await page.goto(`${inject("webUrl")}/flows/${churnFlowId}`);
      await selectNode("unique");
      await settings().getByRole("button", { name: "Run up to here", exact: true }).click();
      await page.locator('[data-testid="node-status-unique"][data-status="succeeded"]').waitFor({ timeout: 120_000 });
      await page.locator('[data-testid="node-status-customers"][data-status="succeeded"]').waitFor();
      // Nothing after it ran: the training node has no run state at all.
      expect(await page.getByTestId("node-status-train").count()).toBe(0);
      await shot("2-run-up-to-here");
      const runs = await api.run.list.query({ flowId: churnFlowId });
      expect(runs).toHaveLength(1);
      const run = await api.run.get.query({ runId: runs[0]!.id });
      expect(run.nodes.map((n) => n.nodeId).sort()).toEqual(["customers", "unique"]);
      expect(run.nodes.find((n) => n.nodeId === "unique")!.rows).toBe(7_043);
      // Reopened, the editor shows that run: the node's state and its preview are there.
      await page.reload();
      await page.locator('[data-testid="node-status-unique"][data-status="succeeded"]').waitFor();
      await selectNode("unique");
      await settings().getByRole("button", { name: "Preview output" }).click();
      await page.getByRole("table", { name: "Output of Remove duplicates" }).waitFor();
      await shot("3-reloaded-preview");
    }, 180_000);

    it("an uploaded file, never run: Remove duplicates' keys offer its columns as chips, and one click adds one", async () => {
      await page.goto(`${inject("webUrl")}/flows/${uploadFlowId}`);
      await selectNode("unique");
      await settings().getByText("Columns of the input").first().waitFor();
      await shot("4-upload-key-chips");
      await settings().getByRole("button", { name: "member_id", exact: true }).click();
      await settings().getByRole("list", { name: "Keys" }).getByRole("button", { name: "Remove member_id" }).waitFor();
      await settings().getByRole("button", { name: "joined", exact: true }).waitFor();
      // "email" is a key already, so it is not offered again.
      expect(await settings().getByRole("button", { name: "email", exact: true }).count()).toBe(0);
      await shot("5-upload-key-added");
    });
  });
}
