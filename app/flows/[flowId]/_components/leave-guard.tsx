"use client";
// While the editor holds unsaved work, every way out asks first: a link anywhere on the page (the
// Flows back link, the top menu, the run and results links), signing out, the browser's Back
// button, and closing or reloading the tab (the browser's own prompt, the only one a page may show then).
import { useEffect, useRef, useState } from "react";
import { clickLeavesPage, setLeaveGuard } from "@/app/_components/leave-guard";
import { BUTTON, Dialog } from "../../_components/dialog";

/** How long a confirmed way out may take to start before the guard is on again (a link to the page itself stays here). */
const ALLOW_MS = 1500;

export function LeaveGuard({ active }: { active: boolean }) {
  // What to do when the user chooses to leave, and whoever waits for the answer.
  const [asking, setAsking] = useState<{ leave(): void; stay(): void } | null>(null);
  const allowed = useRef(false);

  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const allow = () => {
      allowed.current = true;
      clearTimeout(timer);
      timer = setTimeout(() => (allowed.current = false), ALLOW_MS);
    };
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (!allowed.current) e.preventDefault();
    };
    // Capture on window: before Next's <Link> (React listens at the document) starts a client-side navigation.
    const onClick = (e: MouseEvent) => {
      if (allowed.current) return;
      const a = e.target instanceof Element ? e.target.closest("a[href]") : null;
      if (!(a instanceof HTMLAnchorElement)) return;
      if (!clickLeavesPage(e, { href: a.href, target: a.target, download: a.hasAttribute("download") }, window.location.href)) return;
      e.preventDefault();
      e.stopPropagation();
      setAsking({
        leave: () => {
          allow();
          a.click(); // the link does what it does (client-side or full navigation), now unguarded
        },
        stay: () => undefined,
      });
    };
    // The browser's Back button: a copy of this page's history entry on top, so Back lands on it
    // (same page) and asks; Stay puts the copy back, Leave goes back for real.
    const trap = () => window.history.pushState(window.history.state, "", window.location.href);
    const onPopState = () => {
      if (allowed.current) return;
      setAsking({
        leave: () => {
          allow();
          window.history.back();
        },
        stay: trap,
      });
    };
    trap();
    window.addEventListener("popstate", onPopState);
    window.addEventListener("beforeunload", onBeforeUnload);
    window.addEventListener("click", onClick, true);
    const removeGuard = setLeaveGuard(
      () =>
        new Promise<boolean>((resolve) =>
          setAsking({
            leave: () => {
              allow();
              resolve(true);
            },
            stay: () => resolve(false),
          }),
        ),
    );
    return () => {
      window.removeEventListener("popstate", onPopState);
      window.removeEventListener("beforeunload", onBeforeUnload);
      window.removeEventListener("click", onClick, true);
      removeGuard();
      clearTimeout(timer);
      allowed.current = false;
    };
  }, [active]);

  const close = (choice: "leave" | "stay") => {
    const a = asking;
    setAsking(null);
    a?.[choice]();
  };

  return (
    <Dialog open={asking !== null} title="Leave without saving?" onClose={() => close("stay")}>
      <p className="mt-2 text-sm text-ink-soft">This flow has changes that are not saved. If you leave now, they are lost.</p>
      <div className="mt-5 flex justify-end gap-2">
        <button type="button" autoFocus onClick={() => close("stay")} className={BUTTON.secondary}>
          Stay and keep editing
        </button>
        <button type="button" onClick={() => close("leave")} className={BUTTON.danger}>
          Leave without saving
        </button>
      </div>
    </Dialog>
  );
}
