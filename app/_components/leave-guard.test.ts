import { describe, expect, it } from "vitest";
import { clickLeavesPage, confirmLeave, setLeaveGuard } from "./leave-guard.ts";

const HERE = "http://app.test/flows/churn";
const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, defaultPrevented: false };
const link = (href: string, extra: { target?: string; download?: boolean } = {}) => ({ href, target: extra.target ?? "", download: extra.download ?? false });

describe("clickLeavesPage", () => {
  it("a plain click on a link to another page of the app leaves", () => {
    expect(clickLeavesPage(click, link("http://app.test/flows"), HERE)).toBe(true);
    expect(clickLeavesPage(click, link("http://app.test/"), HERE)).toBe(true);
    expect(clickLeavesPage(click, link("http://app.test/flows/churn/results"), HERE)).toBe(true);
    expect(clickLeavesPage(click, link("/runs", { target: "_self" }), HERE)).toBe(true);
  });

  it("another site in the same tab leaves too", () => {
    expect(clickLeavesPage(click, link("https://example.com/docs"), HERE)).toBe(true);
  });

  it("the same address again (a reload) leaves; a jump to an anchor of the page does not", () => {
    expect(clickLeavesPage(click, link("http://app.test/flows/churn"), HERE)).toBe(true);
    expect(clickLeavesPage(click, link("http://app.test/flows/churn#settings"), HERE)).toBe(false);
    expect(clickLeavesPage(click, link("http://app.test/flows/churn?v=2#settings"), HERE)).toBe(true);
  });

  it("clicks that open a new tab or window, downloads and non-web links stay", () => {
    for (const mod of ["metaKey", "ctrlKey", "shiftKey", "altKey"] as const) expect(clickLeavesPage({ ...click, [mod]: true }, link("/flows"), HERE)).toBe(false);
    expect(clickLeavesPage({ ...click, button: 1 }, link("/flows"), HERE)).toBe(false);
    expect(clickLeavesPage(click, link("https://temporal.test/ns", { target: "_blank" }), HERE)).toBe(false);
    expect(clickLeavesPage(click, link("/api/export.csv", { download: true }), HERE)).toBe(false);
    expect(clickLeavesPage(click, link("mailto:team@example.com"), HERE)).toBe(false);
    expect(clickLeavesPage({ ...click, defaultPrevented: true }, link("/flows"), HERE)).toBe(false);
  });
});

describe("confirmLeave", () => {
  it("lets go at once without a guard, asks the guard while one is set, and not after it is removed", async () => {
    expect(await confirmLeave()).toBe(true);
    let asked = 0;
    const remove = setLeaveGuard(async () => (asked++, false));
    expect(await confirmLeave()).toBe(false);
    expect(asked).toBe(1);
    remove();
    expect(await confirmLeave()).toBe(true);
    expect(asked).toBe(1);
  });

  it("removing an older guard leaves a newer one in place", async () => {
    const removeOld = setLeaveGuard(async () => true);
    const removeNew = setLeaveGuard(async () => false);
    removeOld();
    expect(await confirmLeave()).toBe(false);
    removeNew();
    expect(await confirmLeave()).toBe(true);
  });
});
