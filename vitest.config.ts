import { defineConfig } from "vitest/config";

const exclude = ["node_modules/**", ".next/**", ".loopwright/**", ".tools/**"];

export default defineConfig({
  test: {
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      {
        // Nodes and pure graph functions: real DuckDB and SQLite, no Temporal.
        extends: true,
        test: { name: "unit", include: ["nodes/**/*.test.ts", "workflows/**/*.test.ts", "db/**/*.test.ts", "lib/**/*.test.ts", "server/**/*.test.ts", "app/**/*.test.ts"], exclude },
      },
      {
        // Whole runs through a real Temporal dev server and real worker processes.
        extends: true,
        test: { name: "integration", include: ["tests/**/*.test.ts"], exclude, globalSetup: ["./tests/global-setup.ts"] },
      },
    ],
  },
});
