"use client";
// The editor's output preview: which node's, and where it opens, next to what was clicked (the
// settings' button or the node), kept inside the canvas column as that column changes size.
import { useStore } from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState, type CSSProperties, type RefObject } from "react";
import { previewPlace } from "./preview-place";

interface OpenPreview {
  nodeId: string;
  /** Where the click was when it opened (used when what was clicked has left the page). */
  anchor: DOMRect | null;
  /** What was clicked: focus goes back to it on close. */
  opener: HTMLElement | null;
  /** Counts openings: each one is a new preview, which takes focus. */
  opening: number;
}

export function useAnchoredPreview(column: RefObject<HTMLDivElement | null>) {
  const [preview, setPreview] = useState<OpenPreview | null>(null);
  // The canvas column's box, followed: clicking a node also opens its settings, which narrows it.
  const [columnBox, setColumnBox] = useState<DOMRect | null>(null);
  useEffect(() => {
    const el = column.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setColumnBox(el.getBoundingClientRect()));
    observer.observe(el);
    return () => observer.disconnect();
  }, [column]);
  const openPreview = useCallback((nodeId: string, opener: HTMLElement | null) => {
    setPreview((cur) => ({ nodeId, anchor: opener?.getBoundingClientRect() ?? null, opener, opening: (cur?.opening ?? 0) + 1 }));
  }, []);
  const closePreview = useCallback(() => setPreview(null), []);
  // While a preview is open it follows the canvas: a pan, a zoom or a fit moves the node it belongs to.
  const viewport = useStore((s) => (preview ? s.transform : null));
  const previewAt: CSSProperties | null = useMemo(() => {
    if (!preview || !columnBox) return null;
    const anchor = preview.opener?.isConnected ? preview.opener.getBoundingClientRect() : preview.anchor;
    return previewPlace(columnBox, anchor);
    // viewport: measured again when the canvas moves.
  }, [preview, columnBox, viewport]);
  return { preview, previewAt, openPreview, closePreview };
}
