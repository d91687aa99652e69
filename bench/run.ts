// `npm run bench`: orchestration overhead per node and CSV ingest speed, each against a baseline
// measured in the same process. Prints figures; asserts nothing about time.
import { orchestrationBench } from "./orchestration";
import { csvIngestBench } from "./csv-ingest";

const only = process.argv[2];
if (!only || only === "csv") await csvIngestBench();
if (!only || only === "orchestration") await orchestrationBench();
process.exit(0);
