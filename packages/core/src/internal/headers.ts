import type { HeadersInput } from "../types.js";

/**
 * One header's value, case-insensitively, from a Web `Headers` or a Node-style record.
 * Repeated headers (a `string[]` value) are joined with ", ", as `Headers#get` does.
 */
export function getHeader(headers: HeadersInput, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") {
    return (headers as Headers).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  // Node lower-cases header names; look that up first, and scan only when it misses.
  let value = record[name];
  if (value === undefined) {
    for (const key in record) {
      if (key.length === name.length && key.toLowerCase() === name) {
        value = record[key];
        break;
      }
    }
  }
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.join(", ") : String(value);
}

/** The first header among names that is present. */
export function getFirstHeader(headers: HeadersInput, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = getHeader(headers, name);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** Header entries as lower-case name/value pairs (for size checks and forwarding). */
export function headerEntries(headers: HeadersInput): Array<[string, string]> {
  if (typeof (headers as Headers).get === "function") return [...(headers as Headers).entries()];
  const out: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (value !== undefined)
      out.push([key.toLowerCase(), Array.isArray(value) ? value.join(", ") : String(value)]);
  }
  return out;
}
