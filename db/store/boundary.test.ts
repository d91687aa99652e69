// Every control-plane read and write goes through db/store: no file outside db/ may import
// drizzle (or open the control-plane database its own way). Fails the suite when one appears.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../lib/paths";

const SKIP = new Set(["node_modules", ".next", ".git", ".tools", ".loopwright", "test-artifacts", "db", "examples"]);

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIP.has(entry.name) || dir !== projectRoot) sourceFiles(path.join(dir, entry.name), out);
    } else if (/\.(m?[jt]sx?)$/.test(entry.name)) out.push(path.join(dir, entry.name));
  }
  return out;
}

const IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)["'](drizzle-orm(?:\/[^"']*)?)["']/g;

describe("the store boundary", () => {
  it("finds source files to check (the scan itself works)", () => {
    const files = sourceFiles(projectRoot).map((f) => path.relative(projectRoot, f));
    expect(files).toContain(path.join("server", "api", "routers", "flow.ts"));
    expect(files.some((f) => f.startsWith(`db${path.sep}`))).toBe(false);
  });

  it("has no drizzle import outside db/", () => {
    const offenders: string[] = [];
    for (const file of sourceFiles(projectRoot)) {
      const rel = path.relative(projectRoot, file);
      // Migration configs for drizzle-kit live at the root by convention.
      if (/^drizzle(\.[a-z]+)?\.config\.ts$/.test(rel)) continue;
      for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) offenders.push(`${rel} imports ${m[1]}`);
    }
    expect(offenders, "use the functions of db/store instead").toEqual([]);
  });
});
