// DuckDB types and values as SQLite and PostgreSQL take them: shared by the nodes that write into
// users' databases (write-table, sync).

/** SQLite column type for a DuckDB type: integers and booleans as INTEGER, floats/decimals as REAL. */
export function sqliteType(duckType: string): "INTEGER" | "REAL" | "BLOB" | "TEXT" {
  const t = duckType.toUpperCase();
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|BOOLEAN)$/.test(t)) return "INTEGER";
  if (/^(FLOAT|DOUBLE|REAL|DECIMAL(\(.*\))?|NUMERIC(\(.*\))?)$/.test(t)) return "REAL";
  if (t === "BLOB") return "BLOB";
  return "TEXT";
}

/** A value as better-sqlite3 binds it: booleans as 0/1, dates as ISO text, lists and structs as JSON. */
export function sqliteValue(v: unknown): string | number | bigint | Buffer | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number" || typeof v === "string" || typeof v === "bigint") return v;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x));
}

/** PostgreSQL column type for a DuckDB type (exact where PostgreSQL has one; text otherwise). */
export function postgresType(duckType: string): string {
  const t = duckType.toUpperCase();
  if (/^(TINYINT|SMALLINT|UTINYINT)$/.test(t)) return "SMALLINT";
  if (/^(INTEGER|USMALLINT)$/.test(t)) return "INTEGER";
  if (/^(BIGINT|UINTEGER)$/.test(t)) return "BIGINT";
  if (/^(HUGEINT|UBIGINT|UHUGEINT)$/.test(t)) return "NUMERIC";
  if (/^(FLOAT|REAL)$/.test(t)) return "REAL";
  if (t === "DOUBLE") return "DOUBLE PRECISION";
  if (/^DECIMAL\(\d+,\d+\)$/.test(t)) return t.replace("DECIMAL", "NUMERIC");
  if (t === "BOOLEAN") return "BOOLEAN";
  if (t === "DATE") return "DATE";
  if (t === "TIMESTAMP") return "TIMESTAMP";
  if (t === "TIMESTAMP WITH TIME ZONE") return "TIMESTAMPTZ";
  if (t === "TIME") return "TIME";
  if (t === "BLOB") return "BYTEA";
  return "TEXT";
}
