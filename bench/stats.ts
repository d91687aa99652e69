import type { DuckDBConnection } from "@duckdb/node-api";
import { withConnection } from "../db/duckdb";
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t0 = performance.now();
  const out = await fn();
  return [performance.now() - t0, out];
}

export const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * A DuckDB connection allowed to read and write `dir` (the benchmark's own temporary folder): the
 * same locked-down engine the nodes get, so baselines and nodes are measured alike.
 */
export function withConnectionIn<T>(dir: string, fn: (c: DuckDBConnection) => Promise<T>): Promise<T> {
  return withConnection(fn, dir);
}
