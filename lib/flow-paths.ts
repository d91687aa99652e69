// Which files a flow may name by path: inside the file roots (the examples folder, the data
// directory, LOOPWRIGHT_FILE_ROOTS), never hidden files and never Loopwright's own data. Used where
// nodes read files (the worker) and where the editor describes them before a run (the web app).
import path from "node:path";
import { ConfigError } from "../nodes/sdk/errors";
import { fileRoots, internalPaths, isInside, projectRoot, realOrResolved } from "./paths";

/** The absolute file `p` names (relative paths start at the project), or ConfigError saying why not. */
export function resolveFlowPath(p: string, dataDir: string, sharedDir: string): string {
  const file = realOrResolved(path.resolve(projectRoot, p));
  // Hidden files and folders (.env, .git) stay out of reach even inside a root.
  const visible = (root: string) => !path.relative(root, file).split(path.sep).some((part) => part.startsWith("."));
  if (!fileRoots(dataDir).some((root) => isInside(file, root) && visible(root))) {
    throw new ConfigError(`"${p}" is outside the folders flows may use (the examples folder and the data directory, without hidden files; an admin can add more with LOOPWRIGHT_FILE_ROOTS)`);
  }
  if (internalPaths(dataDir, sharedDir).some((own) => isInside(file, own))) {
    throw new ConfigError(`"${p}" is part of Loopwright's own data (its database, logs, scratch files, datasets, uploads or models), which flows may not read or write by path; use an uploaded file instead`);
  }
  return file;
}
