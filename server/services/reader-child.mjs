// A disposable DuckDB, in its own process, for reading files people upload (started by
// reader-process.ts with fork). A file that makes DuckDB crash (a segfault, a stack overflow in
// native code) takes this process down, not the web app. Plain JavaScript, so it starts with Node
// alone, whichever way the parent was built (next start, tsx, vitest).
//
// It receives one job over IPC: { options, statements, queries } — instance options, statements
// that finish the lock-down (db/duckdb.ts lockdown()), then the queries to run — answers
// { ok: true, results: rows[] per query } or { ok: false, error: DuckDB's message }, and exits.
import { DuckDBInstance } from "@duckdb/node-api";

function answer(message) {
  try {
    process.send(message, () => process.exit(0));
  } catch (err) {
    // A value the channel cannot carry: say so instead of leaving the parent waiting.
    process.send({ ok: false, error: `the result could not be sent back: ${err instanceof Error ? err.message : String(err)}` }, () => process.exit(0));
  }
}

process.once("message", async (job) => {
  let instance;
  try {
    instance = await DuckDBInstance.create(":memory:", job.options);
    const conn = await instance.connect();
    for (const sql of job.statements) await conn.run(sql);
    const results = [];
    for (const sql of job.queries) results.push((await conn.runAndReadAll(sql)).getRowObjectsJS());
    conn.closeSync();
    instance.closeSync();
    answer({ ok: true, results });
  } catch (err) {
    try {
      instance?.closeSync();
    } catch {
      // Closing is best effort: the process ends next anyway.
    }
    answer({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});

// A parent that goes away takes its reader with it.
process.once("disconnect", () => process.exit(0));
