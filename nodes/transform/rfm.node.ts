import { z } from "zod";
import { advanced, column, ConfigError, DataError, defineNode } from "../sdk";
import { isIntegerType, valueTypeOf } from "./expression";

const OUTPUT_COLUMNS = ["recency", "frequency", "monetary", "r_score", "f_score", "m_score", "rfm_score", "last_purchase"];

export default defineNode({
  type: "transform.rfm",
  version: 1,
  kind: "transform",
  label: "RFM scores",
  description:
    "From purchases, one row per customer: recency (days since the last purchase), frequency (number of purchases), monetary (total spent), " +
    "and a score of 1 to 5 for each (5 is best: most recent, most frequent, highest spend), plus the three as one code such as \"545\". " +
    "Each score splits the customers into five equal groups (quintiles); customers with equal values are split by customer id so the result is the same every run.",
  inputs: { rows: { type: "table", label: "Purchases" } },
  outputs: { rows: "table" },
  columns: ({ config, inputs }) => {
    const customer = inputs.rows?.find((c) => c.name === config.customer);
    if (!customer) return undefined;
    const amount = inputs.rows?.find((c) => c.name === config.amount);
    const whole = amount !== undefined && /INT/i.test(amount.type);
    const int = (name: string) => ({ name, type: "INTEGER" });
    return {
      rows: [
        customer,
        { name: "recency", type: "BIGINT" },
        { name: "frequency", type: "BIGINT" },
        { name: "monetary", type: whole ? "BIGINT" : "DOUBLE" },
        int("r_score"),
        int("f_score"),
        int("m_score"),
        { name: "rfm_score", type: "VARCHAR" },
        { name: "last_purchase", type: "DATE" },
      ],
    };
  },
  config: z.object({
    customer: column(z.string().min(1)).describe("The column that identifies the customer."),
    date: column(z.string().min(1)).describe("The purchase date (a date, a date and time, or text or a number in the format below)."),
    dateFormat: advanced(
      z
        .string()
        .max(100)
        .optional()
        .describe(
          "How dates are written when the date column is text or a number, e.g. %Y%m%d for 19970101 or %d/%m/%Y for 31/01/1997. Empty: text dates as YYYY-MM-DD.",
        ),
    ),
    amount: column(z.string().min(1)).describe("The amount of each purchase (a number); monetary is its total per customer."),
    asOf: z
      .union([z.iso.date(), z.literal("")])
      .optional()
      .describe("Score as of this date (YYYY-MM-DD): purchases after it are left out. Empty: the day after the last purchase."),
    frequency: advanced(
      z
        .enum(["transactions", "days"])
        .default("transactions")
        .describe("transactions: count every purchase row. days: count the different days a customer bought on."),
    ),
  }),
  async run({ config, inputs, ctx }) {
    const input = inputs.rows;
    const { ident, literal } = ctx.datasets;
    const byName = new Map(input.columns.map((c) => [c.name, c]));
    const need = (field: "customer" | "date" | "amount") => {
      const col = byName.get(config[field]);
      if (!col) throw new ConfigError(`RFM: no column "${config[field]}" in the input`, { field });
      return col;
    };
    const customer = need("customer");
    const dateCol = need("date");
    const amount = need("amount");
    if (OUTPUT_COLUMNS.includes(customer.name.toLowerCase())) {
      throw new ConfigError(`RFM: the customer column cannot be called "${customer.name}", a name the output uses; rename it first`, { field: "customer" });
    }
    if (valueTypeOf(amount.type) !== "number") {
      throw new ConfigError(`RFM: the amount column "${amount.name}" must hold numbers, not ${amount.type}`, { field: "amount" });
    }

    // The purchase date as a DATE; unreadable values become NULL here and are reported below.
    const format = config.dateFormat?.trim() || undefined;
    const raw = ident(dateCol.name);
    const dateType = valueTypeOf(dateCol.type);
    let day: string;
    if (dateType === "date") day = raw;
    else if (dateType === "timestamp") day = `CAST(${raw} AS DATE)`;
    else if (dateType === "text" || (dateType === "number" && isIntegerType(dateCol.type))) {
      if (format === undefined && dateType === "number") {
        throw new ConfigError(`RFM: "${dateCol.name}" holds numbers; give the date format, e.g. %Y%m%d for 19970101`, { field: "dateFormat" });
      }
      if (format !== undefined) {
        if (!format.includes("%")) throw new ConfigError(`RFM: date format "${format}" has no %-codes; write e.g. %Y-%m-%d`, { field: "dateFormat" });
        try {
          await ctx.datasets.query(`SELECT try_strptime('', ${literal(format)}) AS t`);
        } catch (err) {
          const why = (err instanceof Error ? err.message : String(err)).split("\n")[0]!.replace(/^[A-Za-z ]+Error: /, "");
          throw new ConfigError(`RFM: date format "${format}" is not valid: ${why}`, { field: "dateFormat", cause: err });
        }
      }
      const text = dateType === "text" ? `trim(${raw})` : `CAST(${raw} AS VARCHAR)`;
      day = format === undefined ? `TRY_CAST(${text} AS DATE)` : `CAST(try_strptime(${text}, ${literal(format)}) AS DATE)`;
    } else {
      throw new ConfigError(`RFM: "${dateCol.name}" (${dateCol.type}) does not hold dates`, { field: "date" });
    }

    const src = ctx.datasets.from(input);
    const cust = ident(customer.name);
    const tx = `SELECT ${cust} AS c, ${raw} AS raw, ${day} AS d, ${ident(amount.name)} AS a FROM ${src}`;
    const [check] = await ctx.datasets.query<{ bad: number; example: string | null; skipped: number; first: string | null; last: string | null; next: string | null }>(
      `SELECT count(*) FILTER (WHERE raw IS NOT NULL AND d IS NULL) AS bad,
              min(CAST(raw AS VARCHAR)) FILTER (WHERE raw IS NOT NULL AND d IS NULL) AS example,
              count(*) FILTER (WHERE c IS NULL OR raw IS NULL) AS skipped,
              CAST(min(d) AS VARCHAR) AS first, CAST(max(d) AS VARCHAR) AS last,
              CAST(CAST(max(d) + INTERVAL 1 DAY AS DATE) AS VARCHAR) AS next
         FROM (${tx})`,
    );
    const bad = Number(check!.bad);
    if (bad > 0) {
      const how = format ? `in the format ${format}` : "as YYYY-MM-DD dates";
      throw new DataError(`RFM: ${bad} value${bad === 1 ? "" : "s"} of "${dateCol.name}" cannot be read ${how}, e.g. "${check!.example}"`, {
        where: dateCol.name,
      });
    }
    const asOf = config.asOf || check!.next;
    if (config.asOf && check!.first !== null && config.asOf < check!.first) {
      throw new ConfigError(`RFM: as-of date ${config.asOf} is before the first purchase (${check!.first})`, { field: "asOf" });
    }
    const asOfSql = asOf === null ? "CAST(NULL AS DATE)" : `CAST(${literal(asOf)} AS DATE)`;

    // DuckDB widens whole-number sums to HUGEINT, which Parquet stores as a float: keep BIGINT.
    const sum = isIntegerType(amount.type) ? "CAST(coalesce(sum(a), 0) AS BIGINT)" : "coalesce(sum(a), 0)";
    const frequency = config.frequency === "days" ? "count(DISTINCT d)" : "count(*)";
    const score = (order: string) => `CAST(ntile(5) OVER (ORDER BY ${order}, c) AS INTEGER)`;
    ctx.progress(null, "Scoring customers");
    const out = await ctx.datasets.create(
      `WITH kept AS (SELECT c, d, a FROM (${tx}) WHERE c IS NOT NULL AND d IS NOT NULL AND d <= ${asOfSql}),
            per AS (SELECT c, date_diff('day', max(d), ${asOfSql}) AS recency, ${frequency} AS frequency, ${sum} AS monetary, max(d) AS last_purchase
                      FROM kept GROUP BY c),
            scored AS (SELECT *, ${score("recency DESC")} AS r_score, ${score("frequency")} AS f_score, ${score("monetary")} AS m_score FROM per)
       SELECT c AS ${cust}, recency, frequency, monetary, r_score, f_score, m_score,
              concat(r_score, f_score, m_score) AS rfm_score, last_purchase
         FROM scored ORDER BY c`,
    );
    const [after] = await ctx.datasets.query<{ n: number }>(`SELECT count(*) AS n FROM (${tx}) WHERE c IS NOT NULL AND d > ${asOfSql}`);
    return {
      outputs: { rows: out },
      metrics: {
        rowsIn: input.rows,
        customers: out.rows,
        asOf,
        firstPurchase: check!.first,
        lastPurchase: check!.last,
        rowsSkipped: Number(check!.skipped),
        rowsAfterAsOf: Number(after!.n),
      },
    };
  },
});
