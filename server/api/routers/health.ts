// What is running: Temporal (reachable, workers polling), and where the data lives. Everyone
// signed in sees whether things work; only admins see paths and addresses.
import { datasets, flows, models, runs } from "../../../db/store";
import { dataDir, sharedDir } from "../../../lib/paths";
import type { PollerInfo, TemporalStatus } from "../../temporal-client";
import { createTRPCRouter, viewerProcedure } from "../trpc";

const HIDDEN = "(admins only)";

/** Whether Temporal and the workers are up, without where they are: no address, host names or errors naming them. */
function hideAddresses(s: TemporalStatus): TemporalStatus {
  const anonymous = (list: PollerInfo[]) => list.map((p, i) => ({ ...p, identity: `worker ${i + 1}` }));
  return {
    ...s,
    address: HIDDEN,
    uiUrl: "",
    error: s.error ? "Temporal cannot be reached; an admin can see why on this page" : undefined,
    pollers: s.pollers && { workflow: anonymous(s.pollers.workflow), activity: anonymous(s.pollers.activity), error: s.pollers.error && HIDDEN },
  };
}

export const healthRouter = createTRPCRouter({
  status: viewerProcedure.query(async ({ ctx }) => {
    const [temporal, nFlows, nRuns, nDatasets, nModels] = await Promise.all([
      ctx.temporal.status(),
      flows.total(ctx.store),
      runs.total(ctx.store),
      datasets.total(ctx.store),
      models.total(ctx.store),
    ]);
    const admin = ctx.user.role === "admin";
    return {
      temporal: admin ? temporal : hideAddresses(temporal),
      data: {
        dir: admin ? dataDir() : null,
        shared: admin ? sharedDir() : null,
        database: admin ? ctx.store.location : null,
        databaseKind: ctx.store.dialect,
        counts: { flows: nFlows, runs: nRuns, datasets: nDatasets, models: nModels },
      },
    };
  }),
});
