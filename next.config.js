// Next.js config (ESM: the package is "type": "module"). Turbopack is the default bundler in Next 16.

// `next dev` runs with NODE_ENV=development: React's development build evaluates code and its hot
// reload talks over a WebSocket. Production builds (`next build`, `next start`) get neither.
const dev = process.env.NODE_ENV === "development";

// Every response of the app, pages and API alike. Scripts: the App Router streams its payload in
// inline <script> tags, so 'unsafe-inline' (no nonces: pages would all have to render per request);
// styles: React Flow and the charts set inline styles.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  `connect-src 'self'${dev ? " ws:" : ""}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const securityHeaders = [
  { key: "Content-Security-Policy", value: contentSecurityPolicy },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  // For browsers without frame-ancestors.
  { key: "X-Frame-Options", value: "DENY" },
];

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
  // No "X-Powered-By: Next.js".
  poweredByHeader: false,
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
