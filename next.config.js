// Next.js config (ESM: the package is "type": "module"). Turbopack is the default bundler in Next 16.

/** @type {import("next").NextConfig} */
const nextConfig = {
  // Loaded with Node's own require at runtime instead of being bundled: native addons (SQLite,
  // DuckDB, gpu.js under brain.js) and Temporal's gRPC client, whose proto tables and dynamic
  // requires do not survive bundling. better-sqlite3 is on Next's built-in list; it is repeated
  // here so the list says everything the app relies on. @temporalio/worker is deliberately absent:
  // the web app must never import it (it pulls in the Rust core bridge and the workflow bundler).
  serverExternalPackages: [
    "better-sqlite3",
    "@duckdb/node-api",
    "@duckdb/node-bindings",
    "brain.js",
    "gpu.js",
    "@temporalio/client",
    "@temporalio/common",
    "@temporalio/proto",
    "pg",
  ],
  // Types are checked by `tsc --noEmit` in the test suite (lib/static-checks.test.ts), which also
  // covers tests and benches; a type slip in a test file must not stop `npm start` from building.
  typescript: { ignoreBuildErrors: true },
  // Dev server only: pages opened as http://127.0.0.1:3000 may load dev assets and HMR.
  allowedDevOrigins: ["localhost", "127.0.0.1"],
};

export default nextConfig;
