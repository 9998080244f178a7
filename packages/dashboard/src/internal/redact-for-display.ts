/** Header and query-parameter names that may carry a credential: shown as `[redacted]`, whatever the journal kept. */
const CREDENTIAL =
  /(^|[-_])(authorization|cookie|set-cookie|token|secret|password|passwd|api[-_]?key|apikey|access[-_]?key|session|credential|private[-_]?key)($|[-_])/i;

/** True when a header or parameter name looks like it carries a credential. */
export function looksLikeCredential(name: string): boolean {
  return (
    CREDENTIAL.test(name) || /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$/i.test(name)
  );
}

/**
 * Headers as the page shows them: the journal already redacted credentials; anything whose name
 * still looks like one (an API key a proxy added under a name the journal was not told) is
 * hidden here too. Signature headers are kept: they are MACs of the body, not secrets.
 */
export function headersForDisplay(headers: Readonly<Record<string, string>>): Array<[string, string]> {
  return Object.entries(headers)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => [name, looksLikeCredential(name) ? "[redacted]" : value]);
}

/** A URL as the page shows it: query parameters named like credentials (`?token=`, `?key=`) hidden. */
export function urlForDisplay(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "[unparsable URL]";
  }
  if (parsed.username || parsed.password) {
    parsed.username = "";
    parsed.password = "";
  }
  for (const name of [...parsed.searchParams.keys()]) {
    if (looksLikeCredential(name) || /^(key|sig|signature|code)$/i.test(name))
      parsed.searchParams.set(name, "[redacted]");
  }
  return parsed.toString();
}
