// Leaving a page that holds unsaved work asks first, whichever way out is taken. Links are caught
// where they are clicked (a page's guard listens to every click); ways out that are not links, such
// as signing out, ask through `confirmLeave()` before they go.

export interface ClickLike {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  defaultPrevented: boolean;
}

export interface AnchorLike {
  /** The resolved address (an <a>'s `href` property). */
  href: string;
  target: string;
  download: boolean;
}

/**
 * Whether following this click on this link leaves the current page in this tab: not a click that
 * opens a new tab or window (a modifier, a middle click, target=_blank), not a download, not a jump
 * to an anchor of the same page, not a mailto: or tel: link.
 */
export function clickLeavesPage(click: ClickLike, anchor: AnchorLike, here: string): boolean {
  if (click.defaultPrevented || click.button !== 0) return false;
  if (click.metaKey || click.ctrlKey || click.shiftKey || click.altKey) return false;
  if (anchor.download) return false;
  const target = anchor.target.trim().toLowerCase();
  if (target !== "" && target !== "_self" && target !== "_top" && target !== "_parent") return false;
  let to: URL;
  let from: URL;
  try {
    to = new URL(anchor.href, here);
    from = new URL(here);
  } catch {
    return false;
  }
  if (to.protocol !== "http:" && to.protocol !== "https:") return false;
  const samePage = to.origin === from.origin && to.pathname === from.pathname && to.search === from.search;
  // "#section" on the same page scrolls; the same address without a hash loads the page again.
  if (samePage && to.hash !== "") return false;
  return true;
}

type Guard = () => Promise<boolean>;
let guard: Guard | null = null;

/** Installs the page's guard; returns the function that removes it (and only it). */
export function setLeaveGuard(g: Guard): () => void {
  guard = g;
  return () => {
    if (guard === g) guard = null;
  };
}

/** Before a way out that is not a link: true when there is nothing unsaved or the user chose to leave. */
export function confirmLeave(): Promise<boolean> {
  return guard ? guard() : Promise.resolve(true);
}
