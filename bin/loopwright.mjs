#!/usr/bin/env node
// The `loopwright` command: runs cli/main.ts in this process through tsx's loader, so arguments,
// stdio, signals and the exit code are the CLI's own (no second process to relay them).
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const main = path.join(root, "cli", "main.ts");

let register;
try {
  ({ register } = await import("tsx/esm/api"));
} catch {
  console.error(`loopwright: dependencies are not installed; run \`npm install\` in ${root} first.`);
  process.exit(1);
}
// The project's tsconfig wherever the command is run from (tsx would look in the working directory).
register({ tsconfig: path.join(root, "tsconfig.json") });
// Make the CLI see itself as the entry script, as it would under `tsx cli/main.ts`.
process.argv[1] = main;
await import(pathToFileURL(main).href);
