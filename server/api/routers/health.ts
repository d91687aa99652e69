// What is running: Temporal (reachable, workers polling), and where the data lives.
import { datasets, flows, models, runs } from "../../../db/store";
import { dataDir, sharedDir } from "../../../lib/paths";
import { createTRPCRouter, publicProcedure } from "../trpc";

export const healthRouter = createTRPCRouter({
  status: publicProcedure.query(async ({ ctx }) => {
    const [temporal, nFlows, nRuns, nDatasets, nModels] = await Promise.all([
      ctx.temporal.status(),
      flows.total(ctx.store),
      runs.total(ctx.store),
      datasets.total(ctx.store),
      models.total(ctx.store),
    ]);
    return {
      temporal,
      data: {
        dir: dataDir(),
        shared: sharedDir(),
        database: ctx.store.location,
        databaseKind: ctx.store.dialect,
        counts: { flows: nFlows, runs: nRuns, datasets: nDatasets, models: nModels },
      },
    };
  }),
});
