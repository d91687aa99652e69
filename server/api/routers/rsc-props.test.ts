// The flow editor page hands the saved flow and the node catalog from a server component to a
// client component. React (in development) logs "Only plain objects can be passed to Client
// Components" for any prop that is not plain data; this renders those props through React's own
// server renderer, in a child process with the "react-server" condition, and reads what it logged.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

describe("what the editor page passes to its client component", () => {
  it("is plain data: React's server renderer logs nothing about it", () => {
    const child = spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join("server", "api", "routers", "rsc-props.fixture.ts")], {
      cwd: root,
      env: { ...process.env, NODE_ENV: "development" },
      encoding: "utf8",
      timeout: 90_000,
    });
    expect(child.status, child.stderr).toBe(0);
    const out = JSON.parse(child.stdout.trim().split("\n").at(-1)!) as { catalogEntries: number; page: string[]; probe: string[] };
    // The renderer does check: a hidden property on a prop is refused with the message of the bug.
    expect(out.probe.join("\n")).toContain("Only plain objects can be passed to Client Components");
    expect(out.catalogEntries).toBeGreaterThan(10);
    expect(out.page).toEqual([]);
  });
});
