import { describe, expect, it } from "vitest";
import { encodeText, fitVocabulary, tokenize } from "./text-features";

describe("tokenize", () => {
  it("lower-cases words and numbers, keeping inner apostrophes", () => {
    expect(tokenize("Don't STOP—believing! 2 times... it's   GREAT")).toEqual(["don't", "stop", "believing", "2", "times", "it's", "great"]);
    expect(tokenize("It\u2019s fine")).toEqual(["it's", "fine"]);
    expect(tokenize("Crème brûlée, naïve café")).toEqual(["crème", "brûlée", "naïve", "café"]);
    expect(tokenize("'quoted'")).toEqual(["quoted"]);
  });

  it("reads missing values as no words and other values as their text", () => {
    expect(tokenize(null)).toEqual([]);
    expect(tokenize(undefined)).toEqual([]);
    expect(tokenize("   ")).toEqual([]);
    expect(tokenize(42)).toEqual(["42"]);
    expect(tokenize(true)).toEqual(["true"]);
  });
});

describe("fitVocabulary", () => {
  const texts = ["good food good service", "bad food", "good price", "bad service", "the only one", null];

  it("keeps words by the number of texts holding them, ties by the word, at least two texts each", () => {
    // good: 2 texts (counted once in the first), food 2, bad 2, service 2; price/the/only/one once.
    expect(fitVocabulary(texts)).toEqual(["bad", "food", "good", "service"]);
    expect(fitVocabulary(texts, 2)).toEqual(["bad", "food"]);
    expect(fitVocabulary(texts, 10, 1)).toEqual(["bad", "food", "good", "service", "one", "only", "price", "the"]);
  });

  it("does not depend on row order", () => {
    expect(fitVocabulary([...texts].reverse())).toEqual(fitVocabulary(texts));
  });
});

describe("encodeText", () => {
  const vocabulary = ["good", "food", "bad"];

  it("writes 0/1 or counts at the offset and ignores words outside the vocabulary", () => {
    const out = [9, 9, 9, 9, 9];
    encodeText(vocabulary, "Good food, GOOD times", true, out, 1);
    expect(out).toEqual([9, 1, 1, 0, 9]);
    encodeText(vocabulary, "Good food, GOOD times", false, out, 1);
    expect(out).toEqual([9, 2, 1, 0, 9]);
    encodeText(vocabulary, null, false, out, 1);
    expect(out).toEqual([9, 0, 0, 0, 9]);
  });
});
