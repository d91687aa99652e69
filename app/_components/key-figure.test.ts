import { describe, expect, it } from "vitest";
import { keyFigure, nodeWarnings } from "./key-figure";

describe("the key figure on a finished node's card", () => {
  it("says ROC AUC with its grade, else accuracy of a multi-class model, duplicates removed, segments, rows kept", () => {
    expect(keyFigure({ rocAuc: 0.84503, accuracy: 0.8 })).toBe("ROC AUC 0.845 · good");
    expect(keyFigure({ rocAuc: 0.55 })).toBe("ROC AUC 0.550 · poor");
    expect(keyFigure({ accuracy: 0.8123, classes: ["a", "b", "c"] })).toBe("accuracy 81.2 %");
    expect(keyFigure({ rowsIn: 7043, rowsOut: 7043, duplicatesRemoved: 0 })).toBe("0 duplicates removed");
    expect(keyFigure({ duplicatesRemoved: 1 })).toBe("1 duplicate removed");
    expect(keyFigure({ duplicatesRemoved: 1234 })).toBe("1,234 duplicates removed");
    expect(keyFigure({ k: 6, silhouette: 0.41 })).toBe("6 segments");
    expect(keyFigure({ rowsIn: 23570, rowsOut: 1046 })).toBe("1,046 of 23,570 kept");
  });

  it("says nothing when there is nothing worth more than the row count", () => {
    expect(keyFigure(null)).toBeNull();
    expect(keyFigure({ rowsIn: 10, rowsOut: 10 })).toBeNull();
    expect(keyFigure({ rocAuc: null, lineage: {} })).toBeNull();
  });

  it("lists the warnings a node reported, and only texts", () => {
    expect(nodeWarnings({ warnings: ["TotalCharges looks numeric", 3, "Churn holds Yes/No"] })).toEqual(["TotalCharges looks numeric", "Churn holds Yes/No"]);
    expect(nodeWarnings({})).toEqual([]);
  });
});
