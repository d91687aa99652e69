import { z } from "zod";
import { column, ConfigError, defineNode } from "../sdk";

const BATCH = 1000;
const NAME = /^[A-Za-z_][A-Za-z0-9_ .-]{0,99}$/;

function plain(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.toISOString();
  if (v && typeof v === "object" && "toString" in v && !Array.isArray(v) && Object.getPrototypeOf(v) !== Object.prototype) return String(v);
  return v;
}

export default defineNode({
  type: "action.write-profiles",
  version: 1,
  kind: "action",
  label: "Update customer profiles",
  description:
    "Write columns of each row into the customer's profile as traits (e.g. churn scores, segments, merged golden records), matched by user id; a customer not seen before gets a profile. Audiences and event conditions can then use them.",
  inputs: { rows: "table" },
  outputs: { rows: "table" },
  config: z.object({
    userId: column(z.string().min(1)).describe("The column holding the customer's user id (the userId their events carry)."),
    traits: z.array(column(z.string().min(1))).min(1).max(100).describe("Columns to write as traits, under the same names."),
    prefix: z
      .string()
      .trim()
      .max(50)
      .regex(/^[A-Za-z0-9_]*$/, "letters, digits and _ only")
      .default("")
      .describe("Put before each trait name, e.g. telco_ (empty: the column names as they are)."),
  }),
  async run({ config, inputs, ctx }) {
    const input = inputs.rows;
    const names = new Set(input.columns.map((c) => c.name));
    for (const [i, c] of [config.userId, ...config.traits].entries()) {
      if (!names.has(c)) throw new ConfigError(`Update customer profiles: the input has no column "${c}"`, { field: i === 0 ? "userId" : `traits.${i - 1}` });
    }
    for (const [i, t] of config.traits.entries()) {
      if (!NAME.test(config.prefix + t)) throw new ConfigError(`Update customer profiles: "${config.prefix + t}" cannot be a trait name (start with a letter; letters, digits, space . _ -)`, { field: `traits.${i}` });
    }
    const { ident } = ctx.datasets;
    const cols = [config.userId, ...config.traits.filter((t) => t !== config.userId)];
    let written = 0;
    let skipped = 0;
    let seen = 0;
    for await (const batch of ctx.datasets.batches(`SELECT ${cols.map(ident).join(", ")} FROM ${ctx.datasets.from(input)}`, BATCH)) {
      const rows: { userId: string; traits: Record<string, unknown> }[] = [];
      for (const r of batch) {
        const id = r[config.userId];
        if (id === null || id === undefined || String(id).trim() === "") {
          skipped++;
          continue;
        }
        rows.push({ userId: String(id), traits: Object.fromEntries(config.traits.map((t) => [config.prefix + t, plain(r[t])])) });
      }
      written += await ctx.profiles.writeTraits(rows);
      seen += batch.length;
      ctx.progress(input.rows ? seen / input.rows : null, `${seen} of ${input.rows} rows`);
    }
    if (skipped) ctx.log.warn(`${skipped} row(s) had no user id in "${config.userId}" and were not written`);
    return { outputs: { rows: input }, metrics: { profilesWritten: written, rowsWithoutUserId: skipped } };
  },
});
