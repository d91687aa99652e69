// A model trained in one run is scored in later runs from the registry, by name: through Temporal,
// as the CLI runs flows. Data without a column the model needs is refused, naming the column.
import { describe, expect, it } from "vitest";
import { datasetFile } from "./harness";
import { writeFlow } from "./flows";
import { lastJsonLine, runCli } from "./support";

const customers = { id: "customers", type: "source.csv-file@1", position: { x: 0, y: 0 }, config: { path: datasetFile("telco-customer-churn.csv") } };
const edge = (source: string, sourceHandle: string, target: string, targetHandle: string) => ({ source, sourceHandle, target, targetHandle });

describe("the model registry across runs", () => {
  it("scores in a later run with the model a former run trained, and refuses data missing a feature column", async () => {
    const train = writeFlow("registry-train", {
      id: "registry-train",
      name: "Train churn model",
      nodes: [customers, { id: "train", type: "model.train-classifier@1", position: { x: 300, y: 0 }, config: { target: "Churn", exclude: ["customerID"], algorithm: "logistic", modelName: "churn-registry-e2e" } }],
      edges: [edge("customers", "rows", "train", "rows")],
    });
    const trained = lastJsonLine((await runCli(["run", train, "--json"])).stdout);
    expect(trained.status).toBe("succeeded");
    const model = trained.nodes.find((n: { id: string }) => n.id === "train").metrics;

    const score = writeFlow("registry-score", {
      id: "registry-score",
      name: "Score with the current churn model",
      nodes: [customers, { id: "score", type: "model.score@1", position: { x: 300, y: 0 }, config: { modelName: "churn-registry-e2e", scoreColumn: "churn_score" } }],
      edges: [edge("customers", "rows", "score", "rows")],
    });
    const scored = lastJsonLine((await runCli(["run", score, "--json"])).stdout);
    expect(scored.status).toBe("succeeded");
    const s = scored.nodes.find((n: { id: string }) => n.id === "score");
    expect(s.rows).toBe(7043);
    expect(s.metrics.modelVersion).toBe(model.modelVersion);

    const missing = writeFlow("registry-missing", {
      id: "registry-missing",
      name: "Score data without tenure",
      nodes: [
        customers,
        { id: "drop", type: "transform.select-cast@1", position: { x: 300, y: 0 }, config: { columns: [{ column: "tenure", keep: false }] } },
        { id: "score", type: "model.score@1", position: { x: 600, y: 0 }, config: { modelName: "churn-registry-e2e" } },
      ],
      edges: [edge("customers", "rows", "drop", "rows"), edge("drop", "rows", "score", "rows")],
    });
    const res = await runCli(["run", missing, "--json"]);
    expect(res.code).toBe(1);
    const failed = lastJsonLine(res.stdout).nodes.find((n: { id: string }) => n.id === "score");
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/"tenure"/);
  }, 240_000);
});
