import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSqliteStore, profiles, type Store } from "../../../db/store";
import { createCaller } from "../root";
import { createTRPCContext } from "../trpc";
import { asRole, noTemporal, rejection } from "./test-support";

let dir: string;
let store: Store;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-email-router-"));
  store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
  await profiles.writeTraits(store, [
    { userId: "c1", traits: { first_name: "Ann", email: "ann@example.com", consent: { email: true } } },
    { userId: "c2", traits: { first_name: "Bob", email: "bob@example.com" } },
  ]);
});

afterAll(async () => {
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

const caller = async (role: "viewer" | "editor" = "editor") => createCaller(await createTRPCContext({ store, temporal: noTemporal, principal: asRole(role) }));

const config = {
  subject: "{{ profile.first_name }}, stay with us",
  html: "<p>Hi {{ profile.first_name }}: {{ row.MonthlyCharges }} {{ row.note }}</p><a href='{{ unsubscribe_url }}'>x</a>",
  text: "Hi {{ profile.first_name }}, you pay {{ row.MonthlyCharges }}.",
};

describe("email.preview", () => {
  it("renders the message for a chosen customer and a row, and says whether they would be suppressed", async () => {
    const api = await caller();
    const ann = await api.email.preview({ config, customerId: "c1", row: { MonthlyCharges: 70.35, note: "<i>" } });
    expect(ann).toMatchObject({ ok: true, subject: "Ann, stay with us", text: "Hi Ann, you pay 70.35.", to: "ann@example.com", suppressed: null });
    expect(ann.ok && ann.html).toMatch(/^<p>Hi Ann: 70.35 &lt;i&gt;<\/p><a href='http:\/\/[^']+\/u\/preview'>x<\/a>$/);
    expect(await api.email.preview({ config, customerId: "c2" })).toMatchObject({ ok: true, subject: "Bob, stay with us", suppressed: "no consent" });
  });

  it("gives template problems by field with line and column, and an unknown customer by id; sends nothing", async () => {
    const api = await caller();
    expect(await api.email.preview({ config: { ...config, subject: "{{ profile.first_name | nope }}", html: "a\n{% for x in row.y %}" }, customerId: "c1" })).toEqual({
      ok: false,
      problems: [
        { field: "subject", line: 1, column: 1, message: 'unknown filter "nope"' },
        { field: "html", line: 2, column: 1, message: "tag {% for x in row.y %} not closed" },
      ],
    });
    expect(await api.email.preview({ config: { ...config, text: "{{ this.constructor }}" }, customerId: "c1" })).toMatchObject({ ok: false, problems: [{ field: "text", line: 1, column: 4 }] });
    expect(await api.email.preview({ config, customerId: "nobody" })).toEqual({ ok: false, problems: [{ field: "customerId", message: 'No customer has the id "nobody"' }] });
    // A failure that depends on the data is found by the preview (with the customer's row).
    const loop = await api.email.preview({ config: { ...config, text: "{% for i in (1..row.n) %}x{% endfor %}" }, customerId: "c1", row: { n: 10_000_000 } });
    expect(loop).toMatchObject({ ok: false, problems: [{ field: "text", message: expect.stringMatching(/more than/) }] });
  });

  it("is for editors: viewers may not see customers' data", async () => {
    const err = await rejection((await caller("viewer")).email.preview({ config, customerId: "c1" }));
    expect(err.code).toBe("FORBIDDEN");
  });
});
