// Drops: an upload named with a drop (`x-drop` header, `loopwright upload --drop`) becomes an inbox
// entry that starts every flow whose trigger is "When a file is uploaded" to that drop, once each.
import { events, triggers, type Store } from "../../db/store";
import { BadRequest } from "../../lib/errors";
import { DROP_NAME } from "../../nodes/trigger/upload.node.ts";
import { dropSource } from "../pump/cohorts";
import type { UploadedFile } from "./uploads";

/** The drop's name, checked; undefined when none was given. */
export function dropName(raw: string | null | undefined): string | undefined {
  const drop = raw?.trim().toLowerCase();
  if (!drop) return undefined;
  if (!DROP_NAME.test(drop)) throw new BadRequest(`"${raw}" is not a drop name: lower-case letters, digits, - and _ (up to 64), e.g. weekly-returns`);
  return drop;
}

/** Records the upload in the inbox (durably, before the answer); returns the flows it will start. */
export async function dropUpload(store: Store, file: UploadedFile, drop: string): Promise<{ drop: string; flows: string[] }> {
  const now = Date.now();
  await events.commit(store, [
    {
      events: [
        {
          sourceId: dropSource(drop),
          messageId: file.id,
          type: "upload",
          event: drop,
          userId: null,
          anonymousId: null,
          timestamp: now,
          receivedAt: now,
          payload: { fileId: file.id, name: file.name, format: file.format, rows: file.rows, drop },
        },
      ],
    },
  ]);
  const listening = (await triggers.list(store, ["upload"])).filter((t) => t.config.drop === drop).map((t) => t.flowId);
  return { drop, flows: listening };
}
