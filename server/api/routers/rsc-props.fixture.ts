// Run by rsc-props.test.ts in a child process, under the "react-server" condition and
// NODE_ENV=development (React checks props only in development): hands what the flow editor page
// (app/flows/[flowId]/page.tsx) passes to its client component to React's own server renderer
// (Flight, the build Next uses) and prints, as one JSON line, what React logged.
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { metaOf } from "../../../app/flows/[flowId]/_lib/draft-save";
import { openSqliteStore } from "../../../db/store";
import { createFlow } from "../../services/flows";
import type { TemporalAccess } from "../../temporal-client";
import { createCaller } from "../root";
import { createTRPCContext } from "../trpc";

interface Flight {
  registerClientReference(proxy: unknown, id: string, name: string): unknown;
  renderToPipeableStream(model: unknown, manifest: unknown, options: { onError(e: unknown): void }): { pipe(w: Writable): void };
}
const require = createRequire(import.meta.url);
const flight = require("next/dist/compiled/react-server-dom-webpack/server.node.js") as Flight;
const React = require("react") as typeof import("react");

const logged: string[] = [];
console.error = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
console.warn = console.error;

/** Renders <Client {...props} /> to the Flight stream, as a server component's output is; resolves with what React logged. */
function render(props: Record<string, unknown>): Promise<string[]> {
  logged.length = 0;
  const Client = flight.registerClientReference(() => undefined, "editor.js", "Editor") as React.FC;
  const manifest = { "editor.js#Editor": { id: "editor.js", chunks: [], name: "Editor" } };
  return new Promise((resolve) => {
    const stream = flight.renderToPipeableStream(React.createElement(Client, props), manifest, { onError: (e) => void logged.push(`onError: ${String(e)}`) });
    stream.pipe(new Writable({ write: (_c, _e, cb) => cb(), final: (cb) => (resolve([...logged]), cb()) }));
  });
}

const unused = () => {
  throw new Error("Temporal is not used here");
};
const noTemporal: TemporalAccess = { settings: unused, client: unused, status: async () => unused() };

const dir = mkdtempSync(path.join(os.tmpdir(), "loopwright-rsc-props-"));
const store = openSqliteStore(path.join(dir, "loopwright.sqlite"));
try {
  const principal = { userId: "test-editor", email: "editor@test.example", name: "Test editor", role: "editor" as const, via: "session" as const };
  const api = createCaller(await createTRPCContext({ store, temporal: noTemporal, principal }));
  const { flowId } = await createFlow(store, "Props check");
  // What the page fetches and passes, the same calls.
  const flow = await api.flow.get({ flowId });
  const [catalog, runs, me] = await Promise.all([api.catalog.list(), api.run.list({ flowId, limit: 1 }), api.account.me()]);
  const page = await render({ flowId: flow.flow.id, version: flow.version, graph: flow.graph, saved: metaOf(flow), catalog, latestRunId: runs[0]?.id ?? null, readOnly: me?.role === "viewer" });
  // The check itself: an object with a hidden property, which React must refuse.
  const probe = await render({ probe: Object.defineProperty({ type: "object" }, "hidden", { value: () => 1, enumerable: false }) });
  process.stdout.write(`${JSON.stringify({ catalogEntries: catalog.length, page, probe })}\n`);
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
