"use client";
// A preview opened by a click: scrolled into view with focus moved into it; Escape (or its Close
// button) closes it and gives focus back to what opened it. Spread `props` on its container.
import { useCallback, useEffect, useRef, type KeyboardEvent } from "react";

/** The sticky top bar's height and a margin: a preview scrolled to is not hidden under the bar. */
const TOP = 72;
const BOTTOM = 16;
/** Rows arrive after the preview opens: it is kept in view while it grows, for this long. */
const SETTLE_MS = 2000;

/** Scrolls the page so `el` shows: whole when it fits, else from its top, just under the top bar. */
function reveal(el: HTMLElement) {
  const r = el.getBoundingClientRect();
  const room = window.innerHeight - TOP - BOTTOM;
  const shown = r.top >= TOP && (r.height <= room ? r.bottom <= window.innerHeight - BOTTOM : r.top <= TOP + room / 3);
  if (shown) return;
  window.scrollBy({ top: r.height <= room && r.top >= TOP ? r.bottom - (window.innerHeight - BOTTOM) : r.top - TOP, behavior: "instant" });
}

export function usePreviewFocus<T extends HTMLElement>(onClose: () => void, opener?: HTMLElement | null) {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    // What had focus when it opened: the button (or node, or row) that was clicked.
    const from = opener ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    if (!el) return;
    el.focus({ preventScroll: true });
    reveal(el);
    const opened = Date.now();
    const growing = new ResizeObserver(() => {
      if (Date.now() - opened < SETTLE_MS) reveal(el);
    });
    growing.observe(el);
    return () => {
      growing.disconnect();
      const now = document.activeElement;
      // Closed: focus goes back, unless the user has moved it elsewhere meanwhile.
      if (from?.isConnected && (!now || now === document.body || el.contains(now))) from.focus({ preventScroll: true });
    };
    // Once per opening: the preview is keyed by what it shows, and the opener is fixed when it opens.
  }, [opener]);
  const onKeyDown = useCallback(
    (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      // A menu open inside (Download) closes first, on its own.
      if (ref.current?.querySelector('[aria-expanded="true"]')) return;
      // Escape in a search box with text in it clears the text (the browser does), it does not close.
      if (e.target instanceof HTMLInputElement && e.target.type === "search" && e.target.value !== "") return;
      e.stopPropagation();
      onClose();
    },
    [onClose],
  );
  return { ref, props: { ref, tabIndex: -1, onKeyDown } };
}
