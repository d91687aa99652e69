import { describe, expect, it } from "vitest";
import { nodeDisplayName, saveRefusal } from "./save-refusal.ts";

const names: Record<string, string> = { "csv-file-1": "CSV file (csv-file-1)", "dedupe-1": "Remove duplicates (dedupe-1)" };
const nameOf = (id: string) => names[id] ?? id;

describe("saveRefusal", () => {
  it("says nothing when there is no problem", () => {
    expect(saveRefusal([], nameOf)).toBeNull();
  });

  it("names the one problem by node and field", () => {
    expect(saveRefusal([{ nodeId: "csv-file-1", message: "Skip rows: Enter a whole number", draft: true }], nameOf)).toBe(
      "Not saved: 1 problem to fix first. CSV file (csv-file-1) › Skip rows: Enter a whole number.",
    );
  });

  it("with several, counts them and names a field's invalid text first, wherever it is in the list", () => {
    const text = saveRefusal(
      [
        { nodeId: "dedupe-1", message: "keys: Required" },
        { edgeId: "e1", message: "Cannot connect model output to table input." },
        { nodeId: "csv-file-1", message: "Skip rows: Must be at least 0", draft: true },
      ],
      nameOf,
    );
    expect(text).toBe("Not saved: 3 problems to fix first. First: CSV file (csv-file-1) › Skip rows: Must be at least 0.");
  });

  it("without drafts names the first problem, a connection's or the flow's in words", () => {
    expect(saveRefusal([{ edgeId: "e1", message: "Cannot connect model output to table input." }, { nodeId: "dedupe-1", message: "keys: Required" }], nameOf)).toBe(
      "Not saved: 2 problems to fix first. First: A connection › Cannot connect model output to table input.",
    );
    expect(saveRefusal([{ message: "The flow has no nodes" }], nameOf)).toBe("Not saved: 1 problem to fix first. The flow › The flow has no nodes.");
  });
});

describe("nodeDisplayName", () => {
  it("is the label with the id, or the id alone when there is no other name", () => {
    expect(nodeDisplayName("csv-file-1", "CSV file")).toBe("CSV file (csv-file-1)");
    expect(nodeDisplayName("csv-file-1", undefined)).toBe("csv-file-1");
    expect(nodeDisplayName("csv-file-1", "")).toBe("csv-file-1");
    expect(nodeDisplayName("customers", "customers")).toBe("customers");
  });
});
