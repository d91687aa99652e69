// Guardrails, not style: ESLint checks only the boundaries the architecture depends on and a few
// rules that catch real bugs. Formatting and taste are left alone.
//
//   1. Workflow code (workflows/, except activities/ and worker.ts) runs in Temporal's deterministic
//      sandbox: no Node built-ins, no activity implementations or db/ (types are fine), no Temporal
//      client/worker/activity packages, and no floating promises (type-aware, for these files only).
//   2. Nodes (nodes/<kind>/) import only nodes/sdk, other files in nodes/ subfolders, and npm
//      packages; nodes/sdk imports only zod and its own files.
//   3. Only db/ talks to the control-plane database: no drizzle-orm, better-sqlite3 or pg elsewhere
//      (the SQL source, write-table and sync nodes reach users' own databases, so they may use the drivers).
import { builtinModules } from "node:module";
import { readdirSync } from "node:fs";
import path from "node:path";
import { defineConfig, globalIgnores } from "eslint/config";
import tseslint from "typescript-eslint";

const root = import.meta.dirname;
const TS = ["**/*.{ts,tsx,mts,cts}"];
const ALL = ["**/*.{js,jsx,mjs,cjs,ts,tsx,mts,cts}"];
const TESTS = ["**/*.test.{ts,tsx}"];
const TEST_CODE = [...TESTS, "tests/**"]; // with the integration tests' helpers

// ---------------------------------------------------------------------------------------------
// A small local rule: relative (and "@/") imports must stay inside the given folders, and package
// imports may be limited to a list. Static imports, re-exports, `import x = require()` and dynamic
// import() with a literal are all checked.
const importBoundary = {
  meta: {
    type: "problem",
    docs: { description: "Keep a folder's imports inside its boundary" },
    schema: [
      {
        type: "object",
        properties: {
          allowedDirs: { type: "array", items: { type: "string" } },
          packages: { type: "array", items: { type: "string" } },
          what: { type: "string" },
          hint: { type: "string" },
        },
        required: ["allowedDirs"],
        additionalProperties: false,
      },
    ],
    messages: {
      leaves: "{{what}} may not import '{{source}}': {{hint}}.",
      pkg: "{{what}} may not import the package '{{source}}': {{hint}}.",
    },
  },
  create(context) {
    const { allowedDirs, packages, what = "This file" } = context.options[0];
    const hint = context.options[0].hint ?? `only ${[...allowedDirs, ...(packages ?? ["packages"])].join(", ")} may be imported here`;
    // Folders are relative to this config file, whatever directory ESLint was started from.
    const dirs = allowedDirs.map((d) => path.resolve(root, d));
    const fileDir = path.dirname(path.resolve(context.cwd, context.filename));
    const inside = (target) => dirs.some((d) => target === d || target.startsWith(d + path.sep));

    function check(node, source) {
      if (typeof source !== "string") return;
      let target;
      if (source.startsWith(".") || path.isAbsolute(source)) target = path.resolve(fileDir, source);
      else if (source.startsWith("@/")) target = path.resolve(root, source.slice(2)); // tsconfig's "@/*" alias
      if (target !== undefined) {
        if (!inside(target)) context.report({ node, messageId: "leaves", data: { what, source, hint } });
      } else if (packages && !packages.some((p) => source === p || source.startsWith(p + "/"))) {
        context.report({ node, messageId: "pkg", data: { what, source, hint } });
      }
    }
    const fromSource = (n) => n.source && check(n.source, n.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ImportExpression: (n) => n.source.type === "Literal" && check(n.source, n.source.value),
      TSImportEqualsDeclaration: (n) =>
        n.moduleReference.type === "TSExternalModuleReference" && check(n.moduleReference.expression, n.moduleReference.expression.value),
    };
  },
};
const loopwright = { rules: { "import-boundary": importBoundary } };

// ---------------------------------------------------------------------------------------------
// 1. Workflow sandbox.
const WORKFLOW_FILES = ["workflows/**/*.{ts,tsx,mts,cts}"];
const NOT_WORKFLOW_SANDBOX = ["workflows/activities/**", "workflows/worker.ts", ...TESTS];
const sandbox = "Workflow code runs in Temporal's deterministic sandbox";
const workflowImports = {
  paths: builtinModules.map((name) => ({ name, message: `${sandbox}: no Node built-ins. Do I/O in an activity.` })),
  patterns: [
    { regex: "^node:", message: `${sandbox}: no Node built-ins. Do I/O in an activity.` },
    {
      regex: "^@temporalio/(activity|client|worker)(/|$)",
      allowTypeImports: true,
      message: `${sandbox}: import only @temporalio/workflow (and @temporalio/common) here; types are fine with \`import type\`.`,
    },
    {
      regex: "(^|/)activities(/|$)",
      allowTypeImports: true,
      message: `${sandbox}: call activities through proxyActivities; import only their types (\`import type\`).`,
    },
    {
      regex: "(^|/)db(/|$)",
      allowTypeImports: true,
      message: `${sandbox}: it never reads the database (report through activities); \`import type\` is fine.`,
    },
  ],
};

// 2. Node boundaries. A node may import nodes/sdk and files in any nodes/ subfolder (helpers such
//    as ../model/features), not top-level nodes/ files (registry) nor anything outside nodes/.
const NODE_KINDS = ["trigger", "source", "transform", "model", "insight", "action", "control"];
const nodeSubfolders = readdirSync(path.join(root, "nodes"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => `nodes/${e.name}`);

// 3. Control-plane database access: one list per kind of exception; later blocks replace earlier
//    ones for the files they match, and drizzle is in every list, so it fails for any file outside db/.
const onlyDb = "Only db/ talks to the control-plane database: use the store functions in db/.";
const drizzle = { regex: "^drizzle-(orm|kit)(/|$)", message: onlyDb };
const driver = (name) => ({
  regex: `^${name}(/|$)`,
  message: `${onlyDb} (Besides db/, only the SQL source, write-table and sync nodes, which reach users' own databases, and tests use the driver.)`,
});
const dbImports = (...drivers) => ["error", { patterns: [drizzle, ...drivers.map(driver)] }];

export default defineConfig([
  globalIgnores([".next/", "node_modules/", ".tools/", ".loopwright/", "test-artifacts/", "test-results/", "examples/data/", "next-env.d.ts"]),

  {
    files: TS,
    languageOptions: { parser: tseslint.parser, sourceType: "module" },
  },
  {
    files: ALL,
    plugins: { "@typescript-eslint": tseslint.plugin, loopwright },
    rules: {
      // Real bugs only; the TypeScript compiler already covers undefined names, types and the like.
      "for-direction": "error",
      "no-async-promise-executor": "error",
      "no-compare-neg-zero": "error",
      "no-cond-assign": "error",
      "no-constant-binary-expression": "error",
      "no-debugger": "error",
      "no-dupe-else-if": "error",
      "no-duplicate-case": "error",
      "no-empty-character-class": "error",
      "no-invalid-regexp": "error",
      "no-misleading-character-class": "error",
      "no-self-assign": "error",
      "no-self-compare": "error",
      "no-sparse-arrays": "error",
      "no-unsafe-finally": "error",
      "no-unsafe-optional-chaining": "error",
      "no-useless-backreference": "error",
      "use-isnan": "error",
      "valid-typeof": "error",
    },
  },
  {
    files: TS,
    rules: {
      "@typescript-eslint/no-unused-vars": ["warn", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
    },
  },

  // 3. Control-plane database: everywhere outside db/ ...
  { files: ALL, ignores: ["db/**"], rules: { "no-restricted-imports": dbImports("better-sqlite3", "pg") } },
  // ... except the nodes that read and write users' own databases, the PostgreSQL test server, tests,
  // the store benchmark (its baseline is the raw drivers), the profiles benchmark (it counts the
  // statements the drivers are sent) and the drizzle-kit configs at the root.
  {
    files: ["nodes/action/write-table.node.ts", "nodes/action/sync-sql.ts", "nodes/source/sql-read.ts",
      "nodes/source/sql-read-postgres.ts", "nodes/source/sql-query.node.ts", "server/services/connection-test.ts", "bench/store.ts", "bench/profiles.ts", ...TEST_CODE],
    ignores: ["db/**"],
    rules: { "no-restricted-imports": dbImports() },
  },
  { files: ["lib/postgres-test-server.ts"], rules: { "no-restricted-imports": dbImports("better-sqlite3") } },
  {
    files: ["drizzle.config*.ts", "drizzle.*.config.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: [{ regex: "^drizzle-orm(/|$)", message: onlyDb }, driver("better-sqlite3"), driver("pg")] }] },
  },

  // 1. Workflow sandbox (type-aware for these files only, to keep `eslint .` fast).
  {
    files: WORKFLOW_FILES,
    ignores: NOT_WORKFLOW_SANDBOX,
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: root } },
    rules: {
      "@typescript-eslint/no-restricted-imports": ["error", workflowImports],
      "@typescript-eslint/no-floating-promises": "error",
    },
  },

  // 2. Nodes.
  {
    files: NODE_KINDS.map((kind) => `nodes/${kind}/**/*.{ts,tsx,mts,cts}`),
    ignores: TESTS,
    rules: { "loopwright/import-boundary": ["error", { allowedDirs: nodeSubfolders, what: "A node", hint: "nodes import only nodes/sdk, files in nodes/ subfolders and packages; anything else comes through ctx (NodeContext)" }] },
  },
  {
    files: ["nodes/sdk/**/*.{ts,tsx,mts,cts}"],
    ignores: TESTS,
    rules: { "loopwright/import-boundary": ["error", { allowedDirs: ["nodes/sdk"], packages: ["zod"], what: "The node SDK", hint: "nodes/sdk imports only zod and its own files" }] },
  },
]);
