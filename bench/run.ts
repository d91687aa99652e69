// `npm run bench [csv|data|models|orchestration|canvas]`: CSV ingest speed, the data nodes on a million rows,
// orchestration overhead per node and the editor with 500 nodes, each against a baseline measured in the same process. Prints figures;
// asserts nothing about time.
import { canvasBench } from "./canvas";
import { csvIngestBench } from "./csv-ingest";
import { dataChainBench } from "./data-chain";
import { modelsBench } from "./models";
import { orchestrationBench } from "./orchestration";

const only = process.argv[2];
if (!only || only === "csv") await csvIngestBench();
if (!only || only === "data") await dataChainBench();
if (!only || only === "models") await modelsBench();
if (!only || only === "orchestration") await orchestrationBench();
if (!only || only === "canvas") await canvasBench();
process.exit(0);
