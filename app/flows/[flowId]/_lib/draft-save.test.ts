import { describe, expect, it } from "vitest";
import { draftOpenedText, draftSavedText, draftValue, metaOf, saveStateText, whatRunsText, type SavedMeta } from "./draft-save.ts";

const nameOf = (id: string) => ({ "csv-file-1": "CSV file (csv-file-1)" })[id] ?? id;
const draft = (over: Partial<SavedMeta> = {}): SavedMeta => ({ draftProblems: 3, latestValidVersion: 3, trigger: null, ...over });

describe("draft wording", () => {
  it("marks a draft in the save state", () => {
    expect(saveStateText(4, draft(), false)).toBe("v4 · draft, 3 problems · saved");
    expect(saveStateText(4, draft({ draftProblems: 1 }), true)).toBe("v4 · draft, 1 problem · unsaved changes");
    expect(saveStateText(2, draft({ draftProblems: 0 }), false)).toBe("v2 · saved");
    expect(saveStateText(0, draft(), true)).toBe("never saved · unsaved changes");
  });

  it("says what runs while the latest is a draft", () => {
    expect(whatRunsText(draft({ draftProblems: 0 }))).toBeNull();
    expect(whatRunsText(draft({ trigger: { kind: "event", version: 3 } }))).toBe("The event trigger keeps running version 3, the latest version without problems.");
    expect(whatRunsText(draft({ trigger: { kind: "schedule", version: 2 } }))).toBe("The schedule keeps running version 2, the latest version without problems.");
    expect(whatRunsText(draft())).toBe("Version 3 is the latest version that can run.");
    expect(whatRunsText(draft({ latestValidVersion: null }))).toBe("No version of this flow can run yet.");
  });

  it("says a draft was saved, naming the first problem and what runs", () => {
    const problems = [
      { nodeId: "csv-file-1", message: 'skipRows: "abc" is not a number' },
      { nodeId: "dedupe-1", message: 'Input "rows" needs a connection' },
    ];
    expect(draftSavedText(4, true, problems, nameOf, draft({ draftProblems: 2, trigger: { kind: "event", version: 3 } }))).toBe(
      'Saved as version 4, a draft with 2 problems: it will not run until they are fixed. First: CSV file (csv-file-1) › skipRows: "abc" is not a number. The event trigger keeps running version 3, the latest version without problems.',
    );
    expect(draftSavedText(4, false, problems.slice(0, 1), nameOf, draft({ draftProblems: 1, latestValidVersion: null }))).toBe(
      'No changes since version 4, a draft with 1 problem: it will not run until it is fixed. CSV file (csv-file-1) › skipRows: "abc" is not a number. No version of this flow can run yet.',
    );
  });

  it("says what a draft is when the editor opens one", () => {
    expect(draftOpenedText(3, draft({ draftProblems: 1, latestValidVersion: 2 }))).toBe("Version 3 is a draft with 1 problem: it will not run until it is fixed. Version 2 is the latest version that can run.");
    expect(draftOpenedText(5, draft({ trigger: { kind: "webhook", version: 4 } }))).toBe(
      "Version 5 is a draft with 3 problems: it will not run until they are fixed. The webhook trigger keeps running version 4, the latest version without problems.",
    );
  });

  it("keeps typed text as typed, and numbers that read exactly as numbers as numbers", () => {
    expect(draftValue("abc")).toBe("abc");
    expect(draftValue("-1")).toBe(-1);
    expect(draftValue("2.5")).toBe(2.5);
    expect(draftValue("1.50")).toBe("1.50");
    expect(draftValue("1e3")).toBe("1e3");
    expect(draftValue(" ")).toBe(" ");
  });

  it("reads the meta of a server answer", () => {
    expect(metaOf({ problems: [{}, {}], latestValidVersion: 1, trigger: null })).toEqual({ draftProblems: 2, latestValidVersion: 1, trigger: null });
    expect(metaOf({ problems: null, latestValidVersion: 4, trigger: { kind: "event", version: 4 } })).toEqual({ draftProblems: 0, latestValidVersion: 4, trigger: { kind: "event", version: 4 } });
  });
});
