// ctx.events: read-only access to the inbox of customer events, for nodes that join what customers
// did back to what flows decided (source.outcomes). The events come out as a dataset, read from the
// inbox in pages by position (one pass), each with the profile its ids resolve to now.
import { events, type Store } from "../../db/store";
import type { EventAccess } from "../../nodes/sdk/types";
import { fromRows, type TriggerDataDeps } from "./trigger-data";

const PAGE = 5000;

/** Fixed columns; the properties stay one JSON text column (no column per property: outcomes need a few). */
const COLUMNS: Record<string, string> = {
  position: "BIGINT",
  message_id: "VARCHAR",
  event: "VARCHAR",
  user_id: "VARCHAR",
  anonymous_id: "VARCHAR",
  profile_id: "VARCHAR",
  timestamp: "TIMESTAMP",
  properties: "VARCHAR",
};

export function eventsAccess({ store, datasets, scratchFile }: TriggerDataDeps & { store: Store }): EventAccess {
  return {
    async read({ event, since, until }) {
      const rows: Record<string, unknown>[] = [];
      for (let after = 0; ; ) {
        const page = await events.trackEvents(store, { event, since, until, after, limit: PAGE });
        for (const e of page) {
          const p = e.payload?.properties;
          rows.push({
            position: e.position,
            message_id: e.messageId,
            event: e.event,
            user_id: e.userId,
            anonymous_id: e.anonymousId,
            profile_id: e.profileId,
            timestamp: e.timestamp,
            properties: JSON.stringify(typeof p === "object" && p !== null && !Array.isArray(p) ? p : {}),
          });
        }
        if (page.length < PAGE) break;
        after = page.at(-1)!.position;
      }
      return fromRows(datasets, () => scratchFile(".ndjson"), rows, COLUMNS);
    },
  };
}
