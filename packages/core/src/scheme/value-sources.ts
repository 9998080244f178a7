import { getFirstHeader } from "../internal/headers.js";
import type { HeadersInput } from "../types.js";
import type { SourceContext, ValueSource } from "./definition.js";

const pathCache = new Map<string, readonly string[]>();

/** The value at a dot path (`data.object.id`), own properties only; `undefined` when absent. */
export function getPath(value: unknown, path: string): unknown {
  let keys = pathCache.get(path);
  if (!keys) pathCache.set(path, (keys = path.split(".")));
  return valueAt(value, keys);
}

/** The payload paths of a source, as a list. */
export function payloadPaths(source: ValueSource | undefined): readonly string[] {
  if (!source || typeof source === "function" || source.payload === undefined) return [];
  return typeof source.payload === "string" ? [source.payload] : source.payload;
}

/** The header names (with aliases) of a source. */
export function headerNames(source: ValueSource | undefined): readonly string[] | undefined {
  if (!source || typeof source === "function" || !source.header) return undefined;
  return [source.header, ...(source.aliases ?? [])];
}

/** Reads an id or type from where the scheme says it lives. */
export function readSource(source: ValueSource | undefined, context: SourceContext): string | undefined {
  return compileSource(source)(context.headers, context.payload);
}

/** The value at a path, with the path split once: `keys` as {@link getPath} would split it. */
function valueAt(value: unknown, keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The first piece of a list header, trimmed (`a, b` → `a`). */
function firstPiece(value: string): string {
  const comma = value.indexOf(",");
  return (comma < 0 ? value : value.slice(0, comma)).trim();
}

/**
 * {@link readSource} for one source, compiled once per scheme: header names and payload paths
 * are split here, so a request only looks values up.
 */
export function compileSource(
  source: ValueSource | undefined,
): (headers: HeadersInput, payload: unknown) => string | undefined {
  if (!source) return () => undefined;
  if (typeof source === "function") return (headers, payload) => source({ headers, payload });
  const names = headerNames(source);
  const paths = payloadPaths(source).map((path) => path.split("."));
  const action = source.action?.split(".");
  return (headers, payload) => {
    let base: unknown;
    if (names) {
      const value = getFirstHeader(headers, names);
      if (value !== undefined) base = firstPiece(value);
    }
    if (base === undefined || base === "") {
      for (const keys of paths) {
        base = valueAt(payload, keys);
        if (base !== undefined && base !== null && base !== "") break;
      }
    }
    if (base === undefined || base === null || base === "" || typeof base === "object") return undefined;
    const text = String(base);
    if (!action) return text;
    const actionValue = valueAt(payload, action);
    return typeof actionValue === "string" && actionValue ? `${text}.${actionValue}` : text;
  };
}

/** The value a sender puts in a source's header for `value` (GitHub sends `issues` for `issues.opened`). */
export function headerValueFor(source: ValueSource, value: string): string {
  if (typeof source === "function" || !source.action) return value;
  const dot = value.indexOf(".");
  return dot < 0 ? value : value.slice(0, dot);
}
