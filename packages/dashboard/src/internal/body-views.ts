/** Most bytes of a body the detail page renders; the rest is elided (the journal keeps it all). */
export const SHOWN_BODY_BYTES = 256 * 1024;

/** A body as text for the page: UTF-8 when it decodes, else a hex dump; `truncated` past the limit. */
export function rawText(body: Uint8Array): { text: string; binary: boolean; truncated: boolean } {
  const truncated = body.byteLength > SHOWN_BODY_BYTES;
  const shown = body.subarray(0, SHOWN_BODY_BYTES);
  // A cut through a multi-byte character is still text: drop up to 3 bytes of it.
  for (let cut = 0; cut <= (truncated ? 3 : 0); cut++) {
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(
        shown.subarray(0, shown.byteLength - cut),
      );
      return { text, binary: false, truncated };
    } catch {
      // Not UTF-8 (yet): try a shorter cut, then the hex dump.
    }
  }
  const hex = Array.from(shown.subarray(0, 4096), (b) => b.toString(16).padStart(2, "0"));
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 16) lines.push(hex.slice(i, i + 16).join(" "));
  return { text: lines.join("\n"), binary: true, truncated: body.byteLength > 4096 };
}

/**
 * The body made readable: JSON indented, a form (`a=1&b=2`) one field a line; `undefined` when it
 * is neither (the raw view is then the only one).
 */
export function prettyText(text: string, contentType: string | undefined): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.stringify(JSON.parse(trimmed), null, 2);
    } catch {
      return undefined;
    }
  }
  if (/application\/x-www-form-urlencoded/i.test(contentType ?? "")) {
    return [...new URLSearchParams(trimmed)].map(([k, v]) => `${k} = ${v}`).join("\n");
  }
  return undefined;
}
