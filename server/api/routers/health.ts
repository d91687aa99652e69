// What is running: Temporal (reachable, workers polling), and where the data lives.
import { count } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { datasets, flows, models, runs } from "../../../db/schema";
import { dataDir, dbPath } from "../../../lib/paths";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const healthRouter = createTRPCRouter({
  status: publicProcedure.query(async ({ ctx }) => {
    const temporal = await ctx.temporal.status();
    const total = (table: SQLiteTable) => ctx.db.select({ n: count() }).from(table).get()?.n ?? 0;
    return {
      temporal,
      data: {
        dir: dataDir(),
        database: dbPath(),
        counts: { flows: total(flows), runs: total(runs), datasets: total(datasets), models: total(models) },
      },
    };
  }),
});
