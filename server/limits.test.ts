// Per-user limits (issue 11, hardening 6): one account cannot start runs or upload files without end.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore, type Store } from "../db/store";
import { RateLimiter } from "../lib/rate-limit";
import { createCaller } from "./api/root";
import { asRole, noTemporal } from "./api/routers/test-support";
import { createTRPCContext } from "./api/trpc";
import { takeLimit } from "./limits";

let dir: string;
let store: Store;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-limits-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("per-user limits", () => {
  it("a sliding window: the limit's worth of hits, then a wait until the oldest leaves the window", () => {
    let now = 1_000_000;
    const limiter = new RateLimiter({ limit: 3, windowMs: 60_000, now: () => now });
    expect([limiter.take("u"), limiter.take("u"), limiter.take("u")]).toEqual([0, 0, 0]);
    now += 10_000;
    expect(limiter.take("u")).toBe(50_000);
    expect(limiter.take("someone else")).toBe(0);
    now += 50_000;
    expect(limiter.take("u")).toBe(0);
  });

  it("refuses the 31st run start in a minute from one user, and not another user's", async () => {
    const call = async (userId: string) => {
      const api = createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: { ...asRole("editor"), userId, email: `${userId}@example.com` } }));
      return api.run.start({ flowId: "no-such-flow" }).then(
        () => "ok",
        (e: TRPCError) => e.code,
      );
    };
    const outcomes: string[] = [];
    for (let i = 0; i < 31; i++) outcomes.push(await call("busy"));
    // The first 30 get as far as looking for the flow; the 31st is stopped before.
    expect(outcomes.slice(0, 30).every((o) => o === "NOT_FOUND")).toBe(true);
    expect(outcomes[30]).toBe("TOO_MANY_REQUESTS");
    expect(await call("calm")).toBe("NOT_FOUND");
  });

  it("says how long to wait, naming the user", () => {
    const user = { ...asRole("editor"), userId: "uploader", email: "up@example.com" };
    for (let i = 0; i < 20; i++) takeLimit("upload", user);
    expect(() => takeLimit("upload", user)).toThrow(/Too many uploads from up@example.com in the last minute; try again in \d+ s/);
  });
});
