// The metrics panel turns raw node metrics into readable figures; checked on rendered markup.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Metrics, formatMetric, humanise } from "./metrics";

const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");

describe("Metrics", () => {
  it("formats scores, rates, counts and durations", () => {
    expect(formatMetric("rocAuc", 0.84213)).toBe("0.842");
    expect(formatMetric("rocAuc", null)).toBe("—");
    expect(formatMetric("accuracy", 0.8012)).toBe("80.1%");
    expect(formatMetric("positiveRate", 0.2654)).toBe("26.5%");
    expect(formatMetric("evaluatedRows", 7043)).toBe("7,043");
    expect(formatMetric("trainSeconds", 12.3456)).toBe("12.35 s");
    expect(formatMetric("skippedColumns", ["customerID", "id"])).toBe("customerID, id");
    expect(humanise("evaluatedRows")).toBe("Evaluated rows");
    expect(humanise("rocAuc")).toBe("ROC AUC");
    expect(humanise("max_depth")).toBe("Max depth");
  });

  it("renders headline scores, a labelled confusion matrix and nested training metrics", () => {
    const html = renderToStaticMarkup(
      createElement(Metrics, {
        metrics: {
          rocAuc: 0.85,
          accuracy: 0.81,
          evaluatedRows: 7043,
          positiveLabel: "Yes",
          confusion: { tp: 1028, fp: 530, tn: 4644, fn: 841 },
          trainingMetrics: { rocAuc: 0.8421, trainRows: 5634 },
        },
      }),
    );
    const t = text(html);
    expect(t).toContain("ROC AUC 0.850");
    expect(t).toContain("Accuracy 81.0%");
    expect(t).toContain("Evaluated rows 7,043");
    // Actual positives: 1,028 caught, 841 missed; actual negatives: 530 false alarms, 4,644 right.
    expect(t).toContain("Actual “Yes” 1,028 841");
    expect(t).toContain("Actual not “Yes” 530 4,644");
    expect(t).toMatch(/Training metrics ROC AUC 0\.842 good — 0\.5 is a coin toss, 1\.0 perfect Training rows 5,634/);
    expect(renderToStaticMarkup(createElement(Metrics, { metrics: null }))).toBe("");
  });

  it("says which rows were measured, reads the figures in words, names the classes by the data's labels, and lists warnings first", () => {
    // The Telco figures of the test above, on booleans as DuckDB reads the file's Yes/No.
    const html = renderToStaticMarkup(
      createElement(Metrics, {
        metrics: {
          warnings: ['TotalCharges looks numeric but was read as text: 11 of 7,043 values are blank or not numbers'],
          measuredOn: "7,043 rows",
          rocAuc: 0.85,
          accuracy: (1028 + 4644) / 7043,
          precision: 1028 / 1558,
          recall: 1028 / 1869,
          positiveLabel: "true",
          negativeLabel: "false",
          confusion: { tp: 1028, fp: 530, tn: 4644, fn: 841 },
        },
      }),
    );
    const t = text(html);
    expect(t.indexOf("Check: TotalCharges looks numeric")).toBeLessThan(t.indexOf("Measured on 7,043 rows"));
    expect(t.indexOf("Measured on 7,043 rows")).toBeLessThan(t.indexOf("ROC AUC"));
    expect(t).toContain("ROC AUC 0.850 good — 0.5 is a coin toss, 1.0 perfect");
    expect(t).toContain("Accuracy 80.5% 7.1 points better than the base rate: always answering “No” would be right 73.5% of the time");
    expect(t).toContain("Precision 66.0% of the 1,558 rows flagged “Yes”, 66% (1,028) really were");
    expect(t).toContain("Recall 55.0% of the 1,869 rows that really were “Yes”, the model flagged 55% (1,028)");
    expect(t).toContain("Positive label Yes");
    expect(t).toContain("Predicted “Yes” Predicted “No” Actual “Yes” 1,028 841 Actual “No” 530 4,644");
    expect(t).not.toContain("true");
    expect(t).not.toContain("Negative label");
  });

  it("shows a many-class confusion matrix, lists of records as tables, and shares as percentages", () => {
    const html = renderToStaticMarkup(
      createElement(Metrics, {
        metrics: {
          confusion: { labels: ["Month-to-month", "One year", "Two year"], matrix: [[702, 55, 18], [124, 94, 77], [34, 53, 252]] },
          shares: [0.664, 0.336],
          tried: [
            { k: 2, silhouette: 0.5909, iterations: 4 },
            { k: 3, silhouette: 0.4812, iterations: 11 },
          ],
        },
      }),
    );
    const t = text(html);
    expect(t).toContain("Confusion matrix (rows: actual, columns: predicted) Month-to-month One year Two year Month-to-month 702 55 18 One year 124 94 77 Two year 34 53 252");
    expect(t).toContain("Shares 66.4%, 33.6%");
    expect(t).toContain("Tried K Silhouette Iterations 2 0.5909 4 3 0.4812 11");
    expect(t).not.toContain("{");
  });

  it("draws an uplift model's Qini points as a chart, not as a table", () => {
    const qini = [0, 0.5, 1].map((share) => ({ share, model: share * 10, perfect: share * 20, random: share * 5 }));
    const html = renderToStaticMarkup(createElement(Metrics, { metrics: { upliftAtTopK: 0.0664, qini } }));
    expect(html).toContain('aria-label="Qini curve"');
    expect(text(html)).toContain("Uplift at top k 0.0664");
    expect(text(html)).not.toContain("Share Model Perfect Random");
  });
});
