"use client";
// The node palette: every catalog entry grouped by kind, searchable. Drag an entry onto the canvas,
// or press it (Enter or click) to add it in the middle of the view. It folds to a narrow strip to
// leave the canvas more room.
import { PanelLeftClose, PanelLeftOpen, Search } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { CatalogEntry } from "@/nodes/node-registry";
import { KIND, KIND_ORDER } from "./catalog-context";

export const DRAG_TYPE = "application/x-loopwright-node";

/** Whether the user folded the palette, kept in the browser for every flow. */
const PALETTE_KEY = "loopwright.palette";

/** The palette folds to a strip when the user asks (on a laptop, for a canvas 200 px wider); remembered in this browser. */
export function usePaletteFold(): [folded: boolean, fold: (folded: boolean) => void] {
  const [folded, setFolded] = useState(false);
  useEffect(() => {
    if (window.localStorage.getItem(PALETTE_KEY) === "folded") setFolded(true);
  }, []);
  const fold = useCallback((next: boolean) => {
    setFolded(next);
    try {
      window.localStorage.setItem(PALETTE_KEY, next ? "folded" : "open");
    } catch {
      // storage refused (private mode, quota): the choice lasts until the page is left
    }
  }, []);
  return [folded, fold];
}

export function Palette({ entries, onAdd, folded, onFold }: { entries: CatalogEntry[]; onAdd(ref: string): void; folded: boolean; onFold(folded: boolean): void }) {
  const [q, setQ] = useState("");
  const search = useRef<HTMLInputElement>(null);
  const [focusSearch, setFocusSearch] = useState(false);
  useEffect(() => {
    if (!folded && focusSearch) {
      search.current?.focus();
      setFocusSearch(false);
    }
  }, [folded, focusSearch]);
  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const hit = (e: CatalogEntry) => !needle || `${e.label} ${e.description} ${e.type} ${e.kind}`.toLowerCase().includes(needle);
    return KIND_ORDER.map((kind) => ({ kind, entries: entries.filter((e) => e.kind === kind && hit(e)).sort((a, b) => a.label.localeCompare(b.label, "en")) })).filter((g) => g.entries.length);
  }, [entries, q]);

  const BUTTON = "rounded-md p-1.5 text-ink-muted hover:bg-sunken hover:text-ink";
  if (folded)
    return (
      <aside aria-label="Node palette" className="flex w-11 shrink-0 flex-col items-center gap-1 border-r border-line bg-surface py-3">
        <button type="button" onClick={() => onFold(false)} aria-label="Show the node palette" title="Show the node palette" className={BUTTON}>
          <PanelLeftOpen className="size-4" aria-hidden />
        </button>
        <button
          type="button"
          onClick={() => {
            setFocusSearch(true);
            onFold(false);
          }}
          aria-label="Search nodes"
          title="Search nodes"
          className={BUTTON}
        >
          <Search className="size-4" aria-hidden />
        </button>
      </aside>
    );

  return (
    <aside aria-label="Node palette" className="flex w-60 shrink-0 flex-col border-r border-line bg-surface">
      <div className="flex items-center gap-1.5 border-b border-line p-3">
        <label className="relative block min-w-0 flex-1">
          <span className="sr-only">Search nodes</span>
          <Search className="pointer-events-none absolute top-1/2 left-2.5 size-3.5 -translate-y-1/2 text-ink-muted" aria-hidden />
          <input
            ref={search}
            type="search"
            value={q}
            onChange={(e) => setQ(e.target.value)}
            placeholder="Search nodes"
            className="h-8 w-full rounded-md border border-line bg-canvas pr-2 pl-8 text-sm outline-none placeholder:text-ink-muted focus:border-accent focus:ring-2 focus:ring-accent/20"
          />
        </label>
        <button type="button" onClick={() => onFold(true)} aria-label="Fold the node palette" title="Fold the node palette" className={BUTTON}>
          <PanelLeftClose className="size-4" aria-hidden />
        </button>
      </div>
      <div className="flex-1 space-y-4 overflow-y-auto p-3">
        {groups.length === 0 && <p className="px-1 text-xs text-ink-muted">No node matches “{q}”.</p>}
        {groups.map(({ kind, entries: list }) => {
          const k = KIND[kind];
          const Icon = k.icon;
          return (
            <section key={kind} aria-label={k.label}>
              <h3 className={`mb-1.5 flex items-center gap-1.5 px-1 text-[11px] font-semibold tracking-wide uppercase ${k.text}`}>
                <Icon className="size-3.5" aria-hidden />
                {k.label}
              </h3>
              <ul className="space-y-1">
                {list.map((e) => (
                  <li key={e.ref}>
                    <button
                      type="button"
                      draggable
                      data-ref={e.ref}
                      onDragStart={(ev) => {
                        ev.dataTransfer.setData(DRAG_TYPE, e.ref);
                        ev.dataTransfer.effectAllowed = "move";
                      }}
                      onClick={() => onAdd(e.ref)}
                      title={`${e.description}\n\nDrag onto the canvas, or click to add.`}
                      className="group flex w-full cursor-grab items-start gap-2 rounded-lg border border-transparent px-2 py-1.5 text-left hover:border-line hover:bg-sunken active:cursor-grabbing"
                    >
                      <span className={`mt-1 size-2 shrink-0 rounded-full ${k.bg}`} aria-hidden />
                      <span className="min-w-0">
                        <span className="block text-sm font-medium text-ink">{e.label}</span>
                        <span className="line-clamp-2 block text-[11px] leading-snug text-ink-muted">{e.description}</span>
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </aside>
  );
}
