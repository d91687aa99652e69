// What the split and branch nodes share: fixed table ports, one per arm or branch position, each
// filled from a dataset tagged with the row's arm or branch.
import type { z } from "zod";
import type { DatasetRef, NodeContext } from "../sdk";

export const tablePort = (label: string) => ({ type: "table" as const, label });

/** For an array of named things: the same name twice (case ignored) is an issue on the second. */
export function uniqueNames(what: string) {
  return (list: readonly { name: string }[], issue: z.RefinementCtx) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const key = item.name.toLowerCase();
      if (seen.has(key)) issue.addIssue({ code: "custom", path: [i, "name"], message: `Two ${what} are named "${item.name}"` });
      seen.add(key);
    });
  };
}

/**
 * One dataset per port: port i gets the rows of `tagged` whose `column` equals keys[i] (text or a
 * number), with `select` as the SELECT list; a port without a key gets an empty table.
 */
export async function partsByKey<P extends string>(
  ctx: NodeContext,
  tagged: DatasetRef,
  column: string,
  select: string,
  ports: readonly P[],
  keys: readonly (string | number | undefined)[],
): Promise<Record<P, DatasetRef>> {
  const ds = ctx.datasets;
  const out = {} as Record<P, DatasetRef>;
  for (const [i, port] of ports.entries()) {
    ctx.signal.throwIfAborted();
    const key = keys[i];
    const where = key === undefined ? "false" : `${ds.ident(column)} = ${typeof key === "number" ? String(key) : ds.literal(key)}`;
    out[port] = await ds.create(`SELECT ${select} FROM ${ds.from(tagged)} WHERE ${where}`);
  }
  return out;
}
