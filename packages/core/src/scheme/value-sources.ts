import { getFirstHeader } from "../internal/headers.js";
import type { SourceContext, ValueSource } from "./definition.js";

const pathCache = new Map<string, readonly string[]>();

/** The value at a dot path (`data.object.id`), own properties only; `undefined` when absent. */
export function getPath(value: unknown, path: string): unknown {
  let keys = pathCache.get(path);
  if (!keys) pathCache.set(path, (keys = path.split(".")));
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
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
  if (!source) return undefined;
  if (typeof source === "function") return source(context);
  let base: unknown;
  const names = headerNames(source);
  if (names) base = getFirstHeader(context.headers, names)?.split(",")[0]?.trim();
  if (base === undefined || base === "") {
    for (const path of payloadPaths(source)) {
      base = getPath(context.payload, path);
      if (base !== undefined && base !== null && base !== "") break;
    }
  }
  if (base === undefined || base === null || base === "" || typeof base === "object") return undefined;
  const text = String(base);
  if (!source.action) return text;
  const action = getPath(context.payload, source.action);
  return typeof action === "string" && action ? `${text}.${action}` : text;
}

/** The value a sender puts in a source's header for `value` (GitHub sends `issues` for `issues.opened`). */
export function headerValueFor(source: ValueSource, value: string): string {
  if (typeof source === "function" || !source.action) return value;
  const dot = value.indexOf(".");
  return dot < 0 ? value : value.slice(0, dot);
}
