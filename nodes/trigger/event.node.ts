import { z } from "zod";
import { advanced, defineNode } from "../sdk";
import { conditions, matchMode } from "./conditions";

export const eventTriggerConfig = z.object({
  event: z.string().trim().max(200).default("").describe('The event name to start for, as sent with track ("Order Completed"). Empty: every event of the type.'),
  type: advanced(z.enum(["track", "identify", "page", "screen"]).default("track").describe("The kind of event: track (something a customer did), identify (traits sent about them), page or screen (a view). Almost always track.")),
  conditions: conditions.describe("Tests on the event's properties and the customer's traits, e.g. total > 100, or trait plan = pro."),
  match: matchMode,
  cohortSeconds: advanced(
    z
      .number()
      .min(0.1)
      .max(3600)
      .default(1)
      .describe("Matching events are collected for at most this many seconds, then start one run together (a cohort), so a burst of events does not start a run each."),
  ),
  cohortSize: advanced(z.number().int().min(1).max(10_000).default(1000).describe("A cohort starts its run at once when it reaches this many events.")),
});

export default defineNode({
  type: "trigger.event",
  version: 1,
  kind: "trigger",
  label: "When customers do something",
  description:
    "Start the flow when customers do something, such as complete an order: the events sent to Loopwright that pass your tests. Events that arrive close together start one run, one row per event with its properties as columns. Run by hand, it gives no rows.",
  inputs: {},
  outputs: { events: "table" },
  config: eventTriggerConfig,
  async run({ ctx }) {
    const events =
      (await ctx.triggerData()) ??
      (await ctx.datasets.create(
        "SELECT CAST(NULL AS BIGINT) AS position, CAST(NULL AS VARCHAR) AS message_id, CAST(NULL AS VARCHAR) AS type, CAST(NULL AS VARCHAR) AS event, CAST(NULL AS VARCHAR) AS user_id, CAST(NULL AS VARCHAR) AS anonymous_id, CAST(NULL AS VARCHAR) AS profile_id, CAST(NULL AS TIMESTAMP) AS timestamp, CAST(NULL AS TIMESTAMP) AS received_at, CAST(NULL AS JSON) AS properties WHERE false",
      ));
    return { outputs: { events }, metrics: { events: events.rows, trigger: ctx.trigger.kind } };
  },
});
