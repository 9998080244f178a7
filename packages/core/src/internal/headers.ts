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
  return typeof value === "string" ? value : joinedValue(value);
}

/** A record's value that is not a string: repeated values joined with ", ", as `Headers#get` does. */
function joinedValue(value: string[] | unknown): string {
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

/**
 * Calls `visit` with each header's name (as given: `Headers` and Node lower-case it, a record
 * built by hand may not) and value (repeated values joined with ", "), copying none of them.
 */
export function forEachHeader(headers: HeadersInput, visit: (name: string, value: string) => void): void {
  if (typeof (headers as Headers).get === "function") {
    (headers as Headers).forEach((value, name) => {
      visit(name, value);
    });
    return;
  }
  const record = headers as Record<string, string | string[] | undefined>;
  // A `for…in` loop, not `Object.keys` and a lookup per name (a 12-header request: 63–106 ns
  // against 134–144 ns; bench/README.md, round 8). A record with a prototype may inherit
  // enumerable names, and only its own are headers; but Node's own record (`req.headers`, a plain
  // object) inherits nothing while `Object.prototype` has no enumerable property, so its names are
  // not checked one by one (`Object.hasOwn` per header: 99 against 31 ns for ten; round 10).
  const inherits = inheritsNames(record);
  for (const name in record) {
    if (inherits && !Object.hasOwn(record, name)) continue;
    const value = record[name];
    if (value !== undefined) visit(name, typeof value === "string" ? value : joinedValue(value));
  }
}

/** Whether `for…in` over `record` may visit a name that is not its own. */
function inheritsNames(record: object): boolean {
  const prototype = Object.getPrototypeOf(record);
  if (prototype === null) return false;
  if (prototype !== Object.prototype) return true;
  // Polluted: something made an enumerable property on `Object.prototype`.
  for (const _ in prototype) return true;
  return false;
}

/** Header entries as lower-case name/value pairs (for forwarding and the journal). */
export function headerEntries(headers: HeadersInput): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  forEachHeader(headers, (name, value) => {
    out.push([name.toLowerCase(), value]);
  });
  return out;
}
