// The webhook router through createCaller against a real store (SQLite file): the URL and auth mode
// of a flow's webhook, a new secret or token returned once (sealed or hashed in the store, named in
// the audit log without its value), never returned by `get`, and viewers refused.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { audit, openSqliteStore, triggers, type Store } from "../../../db/store";
import { sha256 } from "../../access";
import { createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { asRole, noTemporal, rejection } from "./test-support";

let dir: string;
let store: Store;
let editor: ReturnType<typeof createCaller>;
let viewer: ReturnType<typeof createCaller>;
const saved = { dataDir: process.env.LOOPWRIGHT_DATA_DIR, ingest: process.env.LOOPWRIGHT_INGEST_URL, key: process.env.LOOPWRIGHT_ENCRYPTION_KEY };

const restore = (name: string, value: string | undefined) => (value === undefined ? delete process.env[name] : (process.env[name] = value));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-webhook-router-"));
  process.env.LOOPWRIGHT_DATA_DIR = dir;
  process.env.LOOPWRIGHT_INGEST_URL = "https://hooks.example.com/";
  delete process.env.LOOPWRIGHT_ENCRYPTION_KEY;
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  editor = createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: asRole("editor") }));
  viewer = createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: asRole("viewer") }));
  await triggers.register(store, "signed", { flowVersionId: "signed@1", nodeId: "hook", kind: "webhook", config: { auth: "signature" } });
  await triggers.register(store, "tokened", { flowVersionId: "tokened@1", nodeId: "hook", kind: "webhook", config: { auth: "token" } });
});

afterAll(async () => {
  restore("LOOPWRIGHT_DATA_DIR", saved.dataDir);
  restore("LOOPWRIGHT_INGEST_URL", saved.ingest);
  restore("LOOPWRIGHT_ENCRYPTION_KEY", saved.key);
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("webhook router", () => {
  it("shows the URL on the ingest base and the auth mode, before any secret exists", async () => {
    expect(await editor.webhook.get({ flowId: "signed" })).toEqual({ flowId: "signed", url: "https://hooks.example.com/hooks/signed", active: true, auth: "signature", hasCredential: false, createdAt: null });
    expect(await editor.webhook.get({ flowId: "not-saved-yet" })).toMatchObject({ active: false, auth: null, hasCredential: false });
  });

  it("returns a new Standard Webhooks secret once: sealed in the store, audited without its value, never in get", async () => {
    const made = await editor.webhook.rotate({ flowId: "signed" });
    expect(made.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(made.secret.slice("whsec_".length), "base64").length).toBeGreaterThanOrEqual(24);
    // The reference library takes it as it is.
    const at = new Date();
    const signature = new Webhook(made.secret).sign("msg_1", at, "{}");
    expect(() => new Webhook(made.secret).verify("{}", { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signature })).not.toThrow();
    expect(made).toMatchObject({ auth: "signature", hasCredential: true });

    const shown = await editor.webhook.get({ flowId: "signed" });
    expect(shown).toMatchObject({ hasCredential: true, createdAt: expect.any(Number) });
    expect(JSON.stringify(shown)).not.toContain(made.secret.slice(6));
    const row = await triggers.webhookEndpoint(store, "signed");
    expect(row!.secret).toMatch(/^v1:/);
    expect(row!.secret).not.toContain(made.secret.slice(6));
    expect(row!.createdBy).toBe("test-editor");

    const again = await editor.webhook.rotate({ flowId: "signed" });
    expect(again.secret).not.toBe(made.secret);
    const entries = (await audit.list(store)).filter((e) => e.action === "webhook.rotate" && e.target === "signed");
    expect(entries.map((e) => e.detail)).toEqual(expect.arrayContaining([{ auth: "signature", replaced: false }, { auth: "signature", replaced: true }]));
    expect(JSON.stringify(entries)).not.toContain(made.secret.slice(6));
  });

  it("makes a bearer token for a token-mode webhook, kept as its hash", async () => {
    const made = await editor.webhook.rotate({ flowId: "tokened" });
    expect(made.secret).toMatch(/^wht_[A-Za-z0-9_-]{40,}$/);
    expect((await triggers.webhookEndpoint(store, "tokened"))!.tokenHash).toBe(sha256(made.secret));
    expect(await editor.webhook.get({ flowId: "tokened" })).toMatchObject({ auth: "token", hasCredential: true });
  });

  it("refuses a flow without a webhook trigger, and viewers", async () => {
    expect((await rejection(editor.webhook.rotate({ flowId: "not-saved-yet" }))).code).toBe("PRECONDITION_FAILED");
    expect((await rejection(viewer.webhook.get({ flowId: "signed" }))).code).toBe("FORBIDDEN");
    expect((await rejection(viewer.webhook.rotate({ flowId: "signed" }))).code).toBe("FORBIDDEN");
    expect((await rejection(editor.webhook.get({ flowId: "Bad/Id" }))).code).toBe("BAD_REQUEST");
  });
});
