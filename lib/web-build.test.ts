import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BUILD_RECORD, checkBuild, ensureWebBuild, fingerprint, isBuildInput, readBuildRecord, WebBuildError } from "./web-build";

let root: string;

function put(rel: string, text: string) {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), "loopwright-web-build-"));
  put("app/page.tsx", "export default function Page() { return null; }\n");
  put("app/flows/[flowId]/page.tsx", "export default function Flow() { return null; }\n");
  put("lib/paths.ts", "export const a = 1;\n");
  put("lib/paths.test.ts", "test('a', () => {});\n");
  put("nodes/source/csv.node.ts", "export default {};\n");
  put("next.config.js", "export default {};\n");
  put("package-lock.json", "{}\n");
  put("README.md", "# readme\n");
  put("tests/harness.ts", "export {};\n");
  put("node_modules/next/index.js", "module.exports = {};\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

// A stand-in for `next build`: prints a few lines and writes .next/BUILD_ID (a fresh id each time).
const node = process.execPath;
const fakeBuild = {
  cmd: node,
  args: [
    "-e",
    `const fs = require("fs"); console.log("Creating an optimized production build ..."); console.error("a warning");
     fs.mkdirSync(".next", { recursive: true }); fs.writeFileSync(".next/BUILD_ID", "id-" + process.pid + "-" + Date.now()); console.log("done");`,
  ],
};
const failingBuild = { cmd: node, args: ["-e", `for (let i = 1; i <= 50; i++) console.log("line " + i); console.error("Type error: nope"); process.exit(1)`] };

function quiet() {
  const logs: string[] = [];
  const relayed: string[] = [];
  return { logs, relayed, log: (l: string) => logs.push(l), relay: (l: string) => relayed.push(l) };
}

describe("fingerprint", () => {
  it("is the same when nothing changed, even if files were touched", () => {
    const a = fingerprint(root);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, "lib/paths.ts"), later, later);
    expect(fingerprint(root)).toEqual(a);
  });

  it("lists the inputs and leaves out tests, node_modules and files outside the inputs", () => {
    expect(Object.keys(fingerprint(root).files)).toEqual(["app/flows/[flowId]/page.tsx", "app/page.tsx", "lib/paths.ts", "next.config.js", "nodes/source/csv.node.ts", "package-lock.json"]);
  });

  it("changes when a source file changes, is added or is removed", () => {
    const a = fingerprint(root).hash;
    put("app/page.tsx", "export default function Page() { return 1; }\n");
    const b = fingerprint(root).hash;
    expect(b).not.toBe(a);
    put("public/logo.svg", "<svg/>");
    const c = fingerprint(root).hash;
    expect(c).not.toBe(b);
    rmSync(path.join(root, "public/logo.svg"));
    expect(fingerprint(root).hash).toBe(b);
    put("tsconfig.json", "{}");
    expect(fingerprint(root).hash).not.toBe(b);
  });

  it("does not change when only tests or files outside the inputs change", () => {
    const a = fingerprint(root).hash;
    put("lib/paths.test.ts", "test('b', () => {});\n");
    put("app/_components/x.test.tsx", "test('c', () => {});\n");
    put("README.md", "# changed\n");
    put("tests/harness.ts", "export const changed = 1;\n");
    put("node_modules/next/index.js", "module.exports = 2;\n");
    expect(fingerprint(root).hash).toBe(a);
  });

  it("knows a test file from a source file", () => {
    expect(isBuildInput("lib/supervisor.test.ts")).toBe(false);
    expect(isBuildInput("app/x.spec.tsx")).toBe(false);
    expect(isBuildInput("lib/supervisor.ts")).toBe(true);
    expect(isBuildInput("lib/testing.ts")).toBe(true);
    expect(isBuildInput("app/node_modules/x.js")).toBe(false);
  });
});

describe("ensureWebBuild", () => {
  it("builds when there is no build, then reuses it until a source changes", async () => {
    expect(checkBuild(root)).toMatchObject({ needed: true, reason: "there is no build yet" });

    const first = quiet();
    const r1 = await ensureWebBuild(root, { command: fakeBuild, ...first });
    expect(r1.built).toBe(true);
    expect(first.logs[0]).toMatch(/^Building the web app once \(next build\), about 3 minutes on first start; later starts reuse it/);
    expect(first.relayed).toEqual(expect.arrayContaining(["Creating an optimized production build ...", "a warning", "done"]));
    const record = readBuildRecord(root)!;
    expect(record.buildId).toBe(readFileSync(path.join(root, ".next/BUILD_ID"), "utf8"));
    expect(record.fingerprint).toBe(fingerprint(root).hash);

    const second = quiet();
    expect(await ensureWebBuild(root, { command: fakeBuild, ...second })).toMatchObject({ built: false });
    expect(second.relayed).toEqual([]);
    expect(readBuildRecord(root)!.buildId).toBe(record.buildId);

    // A test changing does not matter; a page changing does.
    put("lib/paths.test.ts", "test('changed', () => {});\n");
    expect(checkBuild(root).needed).toBe(false);
    put("app/flows/[flowId]/page.tsx", "export default function Flow() { return 2; }\n");
    expect(checkBuild(root)).toMatchObject({ needed: true, reason: "1 source file changed since the last build: app/flows/[flowId]/page.tsx" });
    const third = quiet();
    expect(await ensureWebBuild(root, { command: fakeBuild, ...third })).toMatchObject({ built: true });
    expect(third.logs[0]).toMatch(/^Rebuilding the web app \(next build\), about 1 minute: 1 source file changed/);
    expect(readBuildRecord(root)!.buildId).not.toBe(record.buildId);
    expect(checkBuild(root).needed).toBe(false);
  });

  it("rebuilds when the build was replaced by another next build, or BUILD_ID is gone", async () => {
    await ensureWebBuild(root, { command: fakeBuild, ...quiet() });
    writeFileSync(path.join(root, ".next/BUILD_ID"), "someone-else");
    expect(checkBuild(root)).toMatchObject({ needed: true, reason: "the build in .next was replaced by another `next build`" });
    await ensureWebBuild(root, { command: fakeBuild, ...quiet() });
    expect(checkBuild(root).needed).toBe(false);
    rmSync(path.join(root, ".next/BUILD_ID"));
    expect(checkBuild(root)).toMatchObject({ needed: true, reason: "there is no build yet" });
    rmSync(path.join(root, ".next", BUILD_RECORD));
    writeFileSync(path.join(root, ".next/BUILD_ID"), "x");
    expect(checkBuild(root)).toMatchObject({ needed: true, reason: "the build in .next was not made by npm start" });
  });

  it("fails with the build's last lines and records nothing", async () => {
    const q = quiet();
    const err = await ensureWebBuild(root, { command: failingBuild, tailLines: 5, ...q }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebBuildError);
    expect((err as WebBuildError).message).toMatch(/^The web app build \(next build\) failed \(exit code 1\)/);
    expect((err as WebBuildError).tail).toHaveLength(5);
    expect((err as WebBuildError).tail).toContain("Type error: nope");
    expect(q.relayed).toHaveLength(51);
    expect(readBuildRecord(root)).toBeUndefined();
    expect(checkBuild(root).needed).toBe(true);
  });

  it("stops the build when aborted", async () => {
    const controller = new AbortController();
    const slow = { cmd: node, args: ["-e", `console.log("started"); setInterval(() => {}, 1000)`] };
    const q = quiet();
    const running = ensureWebBuild(root, { command: slow, signal: controller.signal, log: q.log, relay: (l) => (q.relay(l), controller.abort()) });
    await expect(running).rejects.toThrow("The web app build was stopped.");
    expect(checkBuild(root).needed).toBe(true);
  });
});
