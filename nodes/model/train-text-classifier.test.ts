import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, DataError, type DatasetRef, type ModelRef } from "../sdk";
import jsonFile from "../source/json-file.node.ts";
import sentimentLexicon from "./sentiment-lexicon.node.ts";
import { countTerms, fitNaiveBayes, predict, stratifiedFolds, terms, words, type TextClassifierArtifact } from "./sentiment/naive-bayes";
import trainTextClassifier from "./train-text-classifier.node.ts";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

describe("naive Bayes helpers", () => {
  it("splits words, adds bigrams, and gives Laplace-smoothed probabilities", () => {
    expect(words("Don’t BUY it -- it's 2x the price!!")).toEqual(["don't", "buy", "it", "it's", "2x", "the", "price"]);
    expect(terms("Not good at all", true)).toEqual(["not", "good", "at", "all", "not good", "good at", "at all"]);
    // Class 0: "good good"; class 1: "bad". V = 2, alpha = 1:
    // P(good|0) = 3/4, P(good|1) = 1/3, priors 1/2, so P(0 | "good") = (3/4) / (3/4 + 1/3) = 9/13.
    const m = fitNaiveBayes(countTerms([["good", "good"], ["bad"]], [0, 1], 2), 1);
    const p = new Float64Array(2);
    expect(predict(m, ["good"], p)).toBe(0);
    expect(p[0]).toBeCloseTo(9 / 13, 12);
    // "bad": P(bad|0) = 1/4, P(bad|1) = 2/3, so P(1 | "bad") = (2/3) / (2/3 + 1/4) = 8/11; unknown words are ignored.
    expect(predict(m, ["bad", "unseen"], p)).toBe(1);
    expect(p[1]).toBeCloseTo(8 / 11, 12);
    expect(predict(m, [], p)).toBe(0); // equal priors: the first class
    expect(p[0]).toBeCloseTo(0.5, 12);
  });

  it("deals stratified folds of even size, the same for a seed", () => {
    const labels = Int32Array.from({ length: 103 }, (_, i) => (i < 70 ? 0 : 1));
    const folds = stratifiedFolds(labels, 5, 7);
    const size = (f: number, c?: number) => labels.filter((l, i) => folds[i] === f && (c === undefined || l === c)).length;
    expect([0, 1, 2, 3, 4].map((f) => size(f))).toEqual([21, 21, 21, 20, 20]);
    expect([0, 1, 2, 3, 4].map((f) => size(f, 0))).toEqual([14, 14, 14, 14, 14]);
    expect(Array.from(stratifiedFolds(labels, 5, 7))).toEqual(Array.from(folds));
    expect(Array.from(stratifiedFolds(labels, 5, 8))).not.toEqual(Array.from(folds));
  });
});

describe("model.train-text-classifier", () => {
  async function labelled(name: string): Promise<DatasetRef> {
    const raw = (await h.run(jsonFile, { path: datasetFile(`sentiment-${name}.json`) })).outputs.rows as DatasetRef;
    const ds = h.ctx("setup").datasets;
    // The last record is {"text": "", "class": null}: not a labelled sentence.
    return ds.create(`SELECT * EXCLUDE (file_row_number) FROM ${ds.fromWithPosition(raw)} WHERE class IS NOT NULL ORDER BY file_row_number`);
  }

  it("beats AFINN on each UCI sentiment file under 5-fold cross-validation", async () => {
    const ds = h.ctx("q").datasets;
    for (const name of ["amazon", "imdb", "yelp"]) {
      const rows = await labelled(name);
      expect(rows.rows).toBe(1000);
      const afinnOut = (await h.run(sentimentLexicon, { text: "text" }, { rows })).outputs.rows as DatasetRef;
      const [afinn] = await ds.query<{ accuracy: number }>(`SELECT avg(CASE WHEN (label = 'negative') = (class = 0) THEN 1 ELSE 0 END) AS accuracy FROM ${ds.from(afinnOut)}`);

      const res = await h.run(trainTextClassifier, { text: "text", target: "class", modelName: `nb-${name}` }, { rows });
      const m = res.metrics as {
        accuracy: number;
        foldAccuracy: number[];
        foldRows: number[];
        majorityShare: number;
        confusion: Record<string, Record<string, number>>;
        vocabulary: number;
        classes: { label: string; rows: number }[];
      };
      const withBigrams = (await h.run(trainTextClassifier, { text: "text", target: "class", bigrams: true, modelName: `nb2-${name}` }, { rows })).metrics as { accuracy: number };
      console.log(
        `${name}: naive Bayes 5-fold accuracy ${m.accuracy.toFixed(3)} (folds ${m.foldAccuracy.map((a) => a.toFixed(3)).join(", ")}; ` +
          `with bigrams ${withBigrams.accuracy.toFixed(3)}) vs AFINN ${afinn!.accuracy.toFixed(3)}; vocabulary ${m.vocabulary} words`,
      );
      expect(m.accuracy).toBeGreaterThan(afinn!.accuracy);
      expect(m.foldAccuracy).toHaveLength(5);
      expect(m.foldRows).toEqual([200, 200, 200, 200, 200]);
      expect(m.classes).toEqual([
        { label: "0", rows: 500 },
        { label: "1", rows: 500 },
      ]);
      expect(m.majorityShare).toBe(0.5);
      // Out-of-fold predictions: every row once; equal folds make their accuracy the mean of the folds'.
      const c = m.confusion;
      expect(c["0"]!["0"]! + c["0"]!["1"]! + c["1"]!["0"]! + c["1"]!["1"]!).toBe(1000);
      expect((c["0"]!["0"]! + c["1"]!["1"]!) / 1000).toBeCloseTo(m.accuracy, 12);
    }
  });

  it("saves counts that reproduce its predictions, and gives the same figures for the same seed", async () => {
    const rows = await labelled("amazon");
    const first = await h.run(trainTextClassifier, { text: "text", target: "class", modelName: "amazon", folds: 4, seed: 3 }, { rows });
    const again = await h.run(trainTextClassifier, { text: "text", target: "class", modelName: "amazon", folds: 4, seed: 3 }, { rows });
    expect((again.metrics as { foldAccuracy: number[] }).foldAccuracy).toEqual((first.metrics as { foldAccuracy: number[] }).foldAccuracy);
    expect((first.metrics as { foldRows: number[] }).foldRows).toEqual([250, 250, 250, 250]);
    const ref = first.outputs.model as ModelRef;
    expect(ref).toMatchObject({ kind: "model", name: "amazon", version: 1 });
    const saved = await h.ctx("q").models.load({ id: ref.id });
    expect(saved.kind).toBe("text-classifier/naive-bayes");
    expect(saved.datasetId).toBe(rows.id);
    const a = saved.artifact as TextClassifierArtifact;
    expect(a).toMatchObject({ text: "text", target: "class", targetType: "BIGINT", classes: ["0", "1"], bigrams: false, alpha: 1, docs: [500, 500] });
    expect(a.terms.length).toBe(a.counts.length);
    expect(a.counts.reduce((s, per) => s + per[0]! + per[1]!, 0)).toBe(a.totals[0]! + a.totals[1]!);
    expect(a.counts[a.terms.indexOf("great")]![1]).toBeGreaterThan(a.counts[a.terms.indexOf("great")]![0]!);
  });

  it("learns more than two classes", async () => {
    const ds = h.ctx("setup").datasets;
    const texts = [
      ["My invoice charged me twice", "billing"],
      ["Refund the double charge on my card", "billing"],
      ["Wrong amount on the invoice", "billing"],
      ["The parcel never arrived", "delivery"],
      ["Courier left the parcel at the wrong door", "delivery"],
      ["Delivery was three days late", "delivery"],
      ["Love the new colours", "praise"],
      ["Great service, thank you", "praise"],
      ["Thank you, love it", "praise"],
    ];
    const rows = await ds.create(`SELECT * FROM (VALUES ${texts.map(([t, y]) => `(${ds.literal(t!)}, ${ds.literal(y!)})`).join(", ")}) t(message, topic)`);
    const res = await h.run(trainTextClassifier, { text: "message", target: "topic", folds: 3, modelName: "topics" }, { rows });
    expect(res.metrics).toMatchObject({ classes: [{ label: "billing", rows: 3 }, { label: "delivery", rows: 3 }, { label: "praise", rows: 3 }], foldRows: [3, 3, 3], rows: 9 });
    const saved = await h.ctx("q").models.load({ id: (res.outputs.model as ModelRef).id });
    const a = saved.artifact as TextClassifierArtifact;
    const model = fitNaiveBayes({ classes: 3, docs: a.docs, totals: a.totals, counts: new Map(a.terms.map((t, i) => [t, a.counts[i]!])) }, a.alpha);
    const p = new Float64Array(3);
    expect(a.classes[predict(model, terms("the parcel is late", false), p)]).toBe("delivery");
    expect(a.classes[predict(model, terms("charged twice on my card", false), p)]).toBe("billing");
  });

  it("names what is wrong, and stops when cancelled", async () => {
    const ds = h.ctx("setup").datasets;
    const rows = await ds.create(`SELECT 'text ' || i AS t, i % 2 AS y, 'same' AS one, i AS n, [i] AS l FROM range(10) t(i)`);
    const err = (config: Record<string, unknown>) => failure(h.run(trainTextClassifier, config, { rows }));
    expect((await err({ text: "nope", target: "y" })).where).toBe("text");
    expect((await err({ text: "n", target: "y" })).message).toBe('Column "n" holds BIGINT, not text');
    expect((await err({ text: "t", target: "nope" })).where).toBe("target");
    expect((await err({ text: "t", target: "l" })).where).toBe("target");
    expect((await err({ text: "t", target: "t" })).message).toContain("another column");
    const single = await err({ text: "t", target: "one" });
    expect(single).toBeInstanceOf(DataError);
    expect(single.message).toBe('The target "one" needs at least two different values in rows with text; found 1');
    expect((await err({ text: "t", target: "y", folds: 20 })).message).toBe("10 labelled rows are too few for 20-fold cross-validation");
    const oneFold = await err({ text: "t", target: "y", folds: 1 });
    expect(oneFold).toBeInstanceOf(ConfigError);
    expect(oneFold.where).toBe("folds");
    const many = await ds.create(`SELECT 'text' AS t, i AS id FROM range(150) t(i)`);
    const ids = await failure(h.run(trainTextClassifier, { text: "t", target: "id" }, { rows: many }));
    expect(ids.message).toBe('The target "id" has 150 different values; a label column has at most 100');

    const ctx = h.ctx("cancelled", { signal: AbortSignal.abort(new Error("run cancelled")) });
    await expect(h.run(trainTextClassifier, { text: "t", target: "y", modelName: "never" }, { rows }, ctx)).rejects.toThrow("run cancelled");
    await expect(ctx.models.load({ name: "never" })).rejects.toThrow();
  });
});
