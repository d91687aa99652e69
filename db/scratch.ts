// Scratch files a killed process left behind, and their sweep when a worker starts.
import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";

/** Scratch files older than this belong to no running node: a node's scratch file lives while its node runs. */
export const SCRATCH_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * Remove the scratch files a killed process left behind: `<data>/tmp/*` (sources' transcoded
 * copies, HTTP pages, SQL batches) and `<data>/datasets/.tmp-*` (datasets being written), when
 * they were last written more than `maxAgeMs` ago, and DuckDB's spill folders `<data>/tmp/duckdb-<pid>-*`
 * of processes that no longer run. Nodes remove their own scratch files when they finish, fail or
 * are cancelled; this is for the ones a crash or a kill -9 left. Returns how many files and
 * folders it removed.
 */
export async function sweepScratch(dataDir: string, maxAgeMs = SCRATCH_MAX_AGE_MS, now = Date.now()): Promise<number> {
  const candidates: string[] = [];
  const list = async (dir: string, keep: (name: string) => boolean) => {
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") return [] as string[];
      throw err;
    });
    for (const name of names) if (keep(name)) candidates.push(path.join(dir, name));
  };
  await list(path.join(dataDir, "tmp"), () => true);
  await list(path.join(dataDir, "datasets"), (name) => name.startsWith(".tmp-"));
  let removed = 0;
  for (const file of candidates) {
    const info = await stat(file).catch(() => null);
    // DuckDB's spill folders: gone with their process, whatever their age.
    const spill = /^duckdb-(\d+)-\w+$/.exec(path.basename(file));
    if (info?.isDirectory() && spill && !alive(Number(spill[1]))) {
      await rm(file, { recursive: true, force: true });
      removed++;
      continue;
    }
    if (!info?.isFile() || now - info.mtimeMs <= maxAgeMs) continue;
    await rm(file, { force: true });
    removed++;
  }
  return removed;
}

/** Whether a process with this id runs on this machine (the data directory's tmp/ is this machine's). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
