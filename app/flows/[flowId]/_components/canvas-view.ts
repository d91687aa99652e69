"use client";
// Where the canvas looks: fitting the flow so no node lies under the controls (bottom left) or the
// minimap (bottom right), and keeping it so when the canvas changes size (the settings panel or
// the preview opens, the palette folds or unfolds).
import { getViewportForBounds, useReactFlow, type Rect, type Viewport } from "@xyflow/react";
import { useCallback, useEffect, useRef, type RefObject } from "react";
import type { CanvasNode } from "../_lib/canvas-graph";

/** The minimap's size on screen. */
export const MAP_SIZE = { width: 144, height: 96 } as const;
/** React Flow's margin around its panels (.react-flow__panel). */
const PANEL_MARGIN = 15;
/** Room between the nodes and the controls or the minimap, and around the nodes elsewhere. */
const GAP = 16;
const EDGE = 32;
const MAX_ZOOM = 1;
const MIN_ZOOM = 0.1;
/** The controls' size when they are not drawn yet (five buttons). */
const CONTROLS_FALLBACK = { width: 28, height: 140 };

type Size = { width: number; height: number };
type Padding = { top: number; right: number; bottom: number; left: number };

const px = (p: Padding) => ({ top: `${p.top}px`, right: `${p.right}px`, bottom: `${p.bottom}px`, left: `${p.left}px` }) as const satisfies Record<keyof Padding, `${number}px`>;

/**
 * The viewport showing `bounds` as large as possible (up to 100 %), clear of the controls and of
 * the minimap: their room is kept at the sides, along the bottom, or the controls' at the left and
 * the minimap's along the bottom, whichever leaves the flow largest. A wide flow in a short window
 * loses a strip at the bottom rather than 200 px of width.
 */
export function fitViewport(bounds: Rect, pane: Size, controls: Size, map: boolean): Viewport {
  const mapW = map ? PANEL_MARGIN + MAP_SIZE.width + GAP : EDGE;
  const mapH = map ? PANEL_MARGIN + MAP_SIZE.height + GAP : EDGE;
  const ctlW = PANEL_MARGIN + controls.width + GAP;
  const ctlH = PANEL_MARGIN + controls.height + GAP;
  const options: Padding[] = [
    { top: EDGE, bottom: EDGE, left: ctlW, right: mapW },
    { top: EDGE, bottom: Math.max(ctlH, mapH), left: EDGE, right: EDGE },
    { top: EDGE, bottom: mapH, left: ctlW, right: EDGE },
  ];
  let best: Viewport | null = null;
  for (const p of options) {
    const vp = getViewportForBounds(bounds, pane.width, pane.height, MIN_ZOOM, MAX_ZOOM, px(p));
    if (!best || vp.zoom > best.zoom + 1e-6) best = vp;
  }
  return best!;
}

/** The screen rectangles (relative to the canvas) the nodes should stay out of. */
function keepOut(pane: Size, controls: Size, map: boolean): Rect[] {
  const out: Rect[] = [{ x: PANEL_MARGIN, y: pane.height - PANEL_MARGIN - controls.height, ...controls }];
  if (map) out.push({ x: pane.width - PANEL_MARGIN - MAP_SIZE.width, y: pane.height - PANEL_MARGIN - MAP_SIZE.height, ...MAP_SIZE });
  return out;
}

const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every node fully on the canvas and clear of the controls and the minimap. */
function allClear(nodes: CanvasNode[], vp: Viewport, pane: Size, controls: Size, map: boolean): boolean {
  const out = keepOut(pane, controls, map);
  return nodes.every((n) => {
    const w = n.measured?.width ?? 0;
    const h = n.measured?.height ?? 0;
    const r = { x: n.position.x * vp.zoom + vp.x, y: n.position.y * vp.zoom + vp.y, width: w * vp.zoom, height: h * vp.zoom };
    return r.x >= 0 && r.y >= 0 && r.x + r.width <= pane.width && r.y + r.height <= pane.height && !out.some((o) => overlaps(r, o));
  });
}

function controlsSize(pane: HTMLElement): Size {
  const el = pane.querySelector(".react-flow__controls");
  if (!el) return CONTROLS_FALLBACK;
  const r = el.getBoundingClientRect();
  return r.width && r.height ? { width: r.width, height: r.height } : CONTROLS_FALLBACK;
}

/**
 * `fit(duration)` fits the flow clear of the controls and the minimap. When the canvas changes
 * size, what the user saw stays put: a change of its left edge (the palette folding) moves the
 * view with it, and a flow that was all in view, clear of the minimap, is fitted again if it no
 * longer is. Nothing moves during a node drag (React Flow keeps the canvas' position from the
 * drag's start); the check runs once the drag ends.
 */
export function useCanvasView(pane: RefObject<HTMLDivElement | null>, opts: { map: boolean; dragging: boolean }) {
  const flow = useReactFlow<CanvasNode>();
  const map = useRef(opts.map);
  map.current = opts.map;
  const dragging = useRef(opts.dragging);
  dragging.current = opts.dragging;

  const fit = useCallback(
    (duration = 0) => {
      const el = pane.current;
      const nodes = flow.getNodes();
      if (!el || nodes.length === 0) return;
      const vp = fitViewport(flow.getNodesBounds(nodes), { width: el.clientWidth, height: el.clientHeight }, controlsSize(el), map.current);
      void flow.setViewport(vp, { duration });
    },
    [flow, pane],
  );

  // The size and left edge the view was last checked against: a resize during a drag is checked
  // against the size before the drag.
  const last = useRef<(Size & { left: number }) | null>(null);
  const check = useCallback(() => {
    const el = pane.current;
    if (!el || dragging.current) return;
    const now = { width: el.clientWidth, height: el.clientHeight, left: el.getBoundingClientRect().left };
    const before = last.current;
    last.current = now;
    if (!before || (before.width === now.width && before.height === now.height && before.left === now.left)) return;
    const was = flow.getViewport();
    let vp = was;
    if (before.left !== now.left) {
      vp = { ...vp, x: vp.x + before.left - now.left };
      void flow.setViewport(vp);
    }
    const nodes = flow.getNodes();
    if (nodes.length === 0) return;
    const controls = controlsSize(el);
    if (allClear(nodes, was, before, controls, map.current) && !allClear(nodes, vp, now, controls, map.current)) fit(200);
  }, [fit, flow, pane]);

  useEffect(() => {
    const el = pane.current;
    if (!el) return;
    const observer = new ResizeObserver(check);
    observer.observe(el);
    // The left edge moves without a resize when only the palette changes width; the window too.
    window.addEventListener("resize", check);
    return () => {
      observer.disconnect();
      window.removeEventListener("resize", check);
    };
  }, [check, pane]);
  // Once a drag ends, catch up with what changed meanwhile.
  useEffect(() => {
    if (!opts.dragging) check();
  }, [opts.dragging, check]);

  return { fit, check };
}
