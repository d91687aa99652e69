// One schema, two dialects: the SQLite and PostgreSQL tables must have the same names, columns,
// nullability, defaults-or-not, keys and indexes, so the store's code means the same on both.
import { getTableConfig as pgConfig } from "drizzle-orm/pg-core";
import { getTableConfig as sqliteConfig } from "drizzle-orm/sqlite-core";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../lib/paths";
import * as pg from "../schema/pg";
import * as sqlite from "../schema/sqlite";

type Shape = { columns: string[]; primaryKey: string[]; indexes: string[]; foreignKeys: number };

function shape(cfg: {
  columns: { name: string; notNull: boolean; hasDefault: boolean; primary: boolean; enumValues?: readonly string[] }[];
  primaryKeys: { columns: { name: string }[] }[];
  indexes: { config: { name?: string; unique?: boolean; columns: unknown[] } }[];
  foreignKeys: unknown[];
}): Shape {
  return {
    columns: cfg.columns
      .map((c) => `${c.name}${c.notNull ? " not null" : ""}${c.hasDefault ? " default" : ""}${c.primary ? " primary" : ""}${c.enumValues ? ` (${c.enumValues.join("|")})` : ""}`)
      .sort(),
    primaryKey: cfg.primaryKeys.flatMap((k) => k.columns.map((c) => c.name)),
    indexes: cfg.indexes.map((i) => `${i.config.name}${i.config.unique ? " unique" : ""} (${i.config.columns.length})`).sort(),
    foreignKeys: cfg.foreignKeys.length,
  };
}

describe("schema", () => {
  it("declares the same tables on both dialects", () => {
    expect(Object.keys(pg).sort()).toEqual(Object.keys(sqlite).sort());
  });

  for (const name of Object.keys(sqlite) as (keyof typeof sqlite)[]) {
    it(`declares ${name} identically on SQLite and PostgreSQL`, () => {
      const a = sqliteConfig(sqlite[name]);
      const b = pgConfig(pg[name]);
      expect(b.name).toBe(a.name);
      expect(shape(b as never)).toEqual(shape(a as never));
    });
  }

  it("has as many migrations' worth of tables on both: every table in the schema is created by a migration", () => {
    for (const dialect of ["sqlite", "pg"]) {
      const dir = path.join(projectRoot, "db", "migrations", dialect);
      const sql = readdirSync(dir)
        .filter((f) => f.endsWith(".sql"))
        .map((f) => readFileSync(path.join(dir, f), "utf8"))
        .join("\n");
      for (const table of Object.values(sqlite)) expect(sql, `${dialect} migrations create ${sqliteConfig(table).name}`).toMatch(new RegExp(`CREATE TABLE [\`"]${sqliteConfig(table).name}[\`"]`));
    }
  });
});
