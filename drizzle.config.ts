// SQLite migrations (the embedded default). `npm run db:generate` writes both dialects' migrations.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./db/schema/sqlite.ts",
  out: "./db/migrations/sqlite",
});
