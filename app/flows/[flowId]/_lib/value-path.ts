// Reads and writes config values by field path ("a.b.0"), copying instead of mutating.
import { FORBIDDEN, isRecord, own } from "./json-value";

export type Path = string | readonly string[];

export function toSegments(path: Path): string[] {
  if (typeof path !== "string") return [...path];
  return path === "" ? [] : path.split(".");
}

function safe(segments: readonly string[]): boolean {
  return segments.every((s) => !FORBIDDEN.has(s));
}

export function indexOf(seg: string): number | undefined {
  return /^(0|[1-9]\d*)$/.test(seg) ? Number(seg) : undefined;
}

/** The value at a path ("a.b.0"), own properties only; undefined when missing or unsafe. */
export function getAt(value: unknown, path: Path): unknown {
  const segs = toSegments(path);
  if (!safe(segs)) return undefined;
  let at: unknown = value;
  for (const seg of segs) {
    if (Array.isArray(at)) {
      const i = indexOf(seg);
      if (i === undefined || i >= at.length) return undefined;
      at = at[i];
    } else if (isRecord(at)) {
      at = own(at, seg);
    } else {
      return undefined;
    }
  }
  return at;
}

/** Whether the path is present (an own key or an index in range). */
export function hasAt(value: unknown, path: Path): boolean {
  const segs = toSegments(path);
  if (!segs.length || !safe(segs)) return false;
  const parent = getAt(value, segs.slice(0, -1));
  const last = segs[segs.length - 1]!;
  if (Array.isArray(parent)) {
    const i = indexOf(last);
    return i !== undefined && i < parent.length;
  }
  return isRecord(parent) && Object.prototype.hasOwnProperty.call(parent, last);
}

function setIn(container: unknown, segs: readonly string[], next: unknown, remove: boolean): unknown {
  const [head, ...rest] = segs as [string, ...string[]];
  if (Array.isArray(container)) {
    const i = indexOf(head);
    if (i === undefined || i > container.length) return container;
    const copy = container.slice();
    if (rest.length === 0) {
      if (remove) copy.splice(i, 1);
      else copy[i] = next;
    } else {
      copy[i] = setIn(copy[i], rest, next, remove);
    }
    return copy;
  }
  const obj: Record<string, unknown> = isRecord(container) ? { ...container } : {};
  if (rest.length === 0) {
    if (remove) delete obj[head];
    else obj[head] = next;
  } else {
    const child = own(obj, head);
    obj[head] = setIn(child === undefined && indexOf(rest[0]!) !== undefined ? [] : child, rest, next, remove);
  }
  return obj;
}

/**
 * A copy of `value` with `next` at `path`. `undefined` or "" removes the key (or the list item), so an
 * optional field left empty is never sent as "" (which could fail a pattern). Unsafe paths
 * (`__proto__`, `constructor`, `prototype`) and the empty path leave `value` as it is.
 */
export function setAt<T extends Record<string, unknown>>(value: T, path: Path, next: unknown): T {
  const segs = toSegments(path);
  if (!segs.length || !safe(segs)) return value;
  const remove = next === undefined || next === "";
  if (remove && !hasAt(value, segs)) return value;
  return setIn(value, segs, next, remove) as T;
}
