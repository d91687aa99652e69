// ctx.journey: how a wait-for-event step holds its customers in the store (db/store/journeys.ts)
// and takes them back when their event released them or the time ran out.
import { journeys, profiles, type Store } from "../../db/store";
import * as entries from "../../db/store/journey-entries";
import type { JourneyAccess } from "../../nodes/sdk/types";
import { holderIdOf } from "../graph/plan";

export interface JourneyOptions {
  store: Store;
  runId: string;
  nodeId: string;
  flowId: () => Promise<string>;
  phase?: { kind: NonNullable<JourneyAccess["phase"]>; part: number };
}

export const waitIdOf = (runId: string, nodeId: string) => `${runId}:${nodeId}`;

export function journeyAccess(o: JourneyOptions): JourneyAccess {
  const waitId = waitIdOf(o.runId, o.nodeId);
  return {
    phase: o.phase?.kind,
    async hold(customers, until) {
      const ids = await profiles.idsFor(o.store, customers);
      await journeys.hold(
        o.store,
        {
          id: waitId,
          runId: o.runId,
          nodeId: o.nodeId,
          flowId: await o.flowId(),
          workflowId: holderIdOf(o.runId, o.nodeId),
          event: until.event,
          conditions: until.conditions,
          match: until.match,
          since: Date.now(),
          deadline: until.deadline,
        },
        customers.map((c) => ({ customerId: c, profileId: ids.get(c) ?? null })),
      );
    },
    take: (what) => journeys.take(o.store, waitId, what, o.phase?.part ?? 0),
    async enter(customers, rules) {
      const ids = await profiles.idsFor(o.store, customers);
      return entries.enter(o.store, await o.flowId(), o.runId, rules, customers.map((c) => ({ customerId: c, profileId: ids.get(c) ?? null })));
    },
    exited: async (customers) => entries.exited(o.store, await o.flowId(), customers),
  };
}
