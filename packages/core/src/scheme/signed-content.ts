import { WebhookError } from "../errors.js";
import { crc32 } from "../internal/crc32.js";
import type { Chunk } from "../internal/crypto.js";
import type { ContentContext } from "./definition.js";

const TEMPLATE_TOKEN = /\{(id|timestamp|body|url|crc32|field:[A-Za-z0-9_.-]+)\}/g;
type Part =
  | { literal: string }
  | { field: "id" | "timestamp" | "body" | "url" }
  | { bodyField: string }
  | { crc32: true };

function splitTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of template.matchAll(TEMPLATE_TOKEN)) {
    if (match.index > last) parts.push({ literal: template.slice(last, match.index) });
    const token = match[1]!;
    parts.push(
      token.startsWith("field:")
        ? { bodyField: token.slice(6) }
        : token === "crc32"
          ? { crc32: true }
          : { field: token as "id" | "timestamp" | "body" | "url" },
    );
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push({ literal: template.slice(last) });
  return parts;
}

/** True when a template signs the field (`{id}` in `"{id}.{timestamp}.{body}"`). */
export function templateUses(
  template: string,
  field: "id" | "timestamp" | "body" | "url" | "crc32",
): boolean {
  return template.includes(`{${field}}`);
}

/**
 * Compiles a signed-content template (`"{timestamp}.{body}"`) to a function of the request.
 * Everything around the body is folded into one string before and one after, so Node hashes at
 * most three updates and never copies the body. With one `{body}` (every scheme's template), the
 * chunks are one array of their exact length: an empty array pushed to reserves room for 17.
 */
export function compileTemplate(template: string): (context: ContentContext) => Chunk[][] {
  // The text around each `{body}`: n bodies, n + 1 runs of other parts.
  const runs: Part[][] = [[]];
  for (const part of splitTemplate(template)) {
    if ("field" in part && part.field === "body") runs.push([]);
    else runs[runs.length - 1]!.push(part);
  }
  if (runs.length === 2) {
    const [before, after] = runs as [Part[], Part[]];
    return (context) => {
      const head = textOf(before, context);
      const tail = textOf(after, context);
      const { body } = context;
      return [head ? (tail ? [head, body, tail] : [head, body]) : tail ? [body, tail] : [body]];
    };
  }
  return (context) => {
    const chunks: Chunk[] = [];
    runs.forEach((run, i) => {
      if (i > 0) chunks.push(context.body);
      const text = textOf(run, context);
      if (text) chunks.push(text);
    });
    return [chunks];
  };
}

/** The text of parts that are not the body, in order. */
function textOf(parts: readonly Part[], context: ContentContext): string {
  let text = "";
  for (const part of parts) {
    if ("literal" in part) text += part.literal;
    else if ("crc32" in part) text += String(crc32(context.body));
    else if ("bodyField" in part) {
      const value = context.fields?.[part.bodyField];
      if (value === undefined) {
        throw new WebhookError(
          "missing_signature",
          `hookgate: the signed content needs the body's ${part.bodyField} field but the request has none`,
        );
      }
      text += value;
    } else {
      const value = context[part.field as "id" | "timestamp" | "url"];
      if (value === undefined) {
        throw new WebhookError(
          "missing_header",
          `hookgate: the signed content needs {${part.field}} but the request has none`,
        );
      }
      text += value;
    }
  }
  return text;
}
