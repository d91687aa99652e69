// `npm run bench [csv|orchestration|canvas]`: CSV ingest speed, orchestration overhead per node and
// the editor with 500 nodes, each against a baseline measured in the same process. Prints figures;
// asserts nothing about time.
import { canvasBench } from "./canvas";
import { csvIngestBench } from "./csv-ingest";
import { orchestrationBench } from "./orchestration";

const only = process.argv[2];
if (!only || only === "csv") await csvIngestBench();
if (!only || only === "orchestration") await orchestrationBench();
if (!only || only === "canvas") await canvasBench();
process.exit(0);
