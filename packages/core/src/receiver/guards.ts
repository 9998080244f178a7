import { WebhookError } from "../errors.js";
import { forEachHeader } from "../internal/headers.js";
import { mediaTypeOf } from "../scheme/payload.js";
import type { HeadersInput } from "../types.js";
import type { Settings } from "./options.js";
import type { HandleInput } from "./types.js";

// A refusal before the body is read leaves it unread: the connection cannot carry another request,
// so it is closed rather than left for the server to drain a body of any declared size.
const CLOSE = { headers: { connection: "close" } };

interface HeaderScan {
  /** Names and values, in characters (repeated values joined with ", "). */
  size: number;
  contentType: string | undefined;
  contentLength: string | undefined;
}

/** One pass over the headers, copying none of them: their total size and the two the guards read. */
function scanHeaders(headers: HeadersInput): HeaderScan {
  const scan: HeaderScan = { size: 0, contentType: undefined, contentLength: undefined };
  forEachHeader(headers, (name, value) => {
    scan.size += name.length + value.length;
    // Lower-cased only when the length could match: Node and `Headers` give lower-case names.
    if (name.length === 12 && (name === "content-type" || name.toLowerCase() === "content-type"))
      scan.contentType = value;
    else if (name.length === 14 && (name === "content-length" || name.toLowerCase() === "content-length"))
      scan.contentLength = value;
  });
  return scan;
}

/**
 * Checks made before a byte of the body is read: client address, total header size, and a
 * declared length over `maxBodyBytes`. Returns the content type for {@link checkShape}.
 */
export function checkClient(settings: Settings, input: HandleInput): string | undefined {
  const { isAllowed, maxHeaderBytes, maxBodyBytes } = settings;
  if (isAllowed && !isAllowed(input.ip)) {
    throw new WebhookError(
      "forbidden_ip",
      `hookgate: ${input.ip ?? "an unknown client address"} is not in allowIps`,
      CLOSE,
    );
  }
  const { size, contentType, contentLength } = scanHeaders(input.headers);
  if (size > maxHeaderBytes) {
    throw new WebhookError(
      "headers_too_large",
      `hookgate: the request headers exceed maxHeaderBytes (${maxHeaderBytes})`,
      CLOSE,
    );
  }
  // Refuse a declared oversized body before reading a byte of it.
  if (contentLength !== undefined && Number(contentLength) > maxBodyBytes) {
    throw new WebhookError(
      "body_too_large",
      `hookgate: the body is larger than maxBodyBytes (${maxBodyBytes} bytes)`,
      CLOSE,
    );
  }
  return contentType;
}

/** Webhooks are POSTed with one of the scheme's content types: 405 and 415 otherwise. */
export function checkShape(settings: Settings, method: string, contentType: string | undefined): void {
  if (method !== "POST") {
    throw new WebhookError("method_not_allowed", "hookgate: webhooks are delivered with POST", {
      headers: { allow: "POST" },
    });
  }
  const mediaType = mediaTypeOf(contentType);
  if (!mediaType || !settings.contentTypes.includes(mediaType)) {
    throw new WebhookError(
      "unsupported_media_type",
      `hookgate: ${settings.scheme.name} deliveries are ${settings.contentTypes.join(" or ")}, not ${mediaType ? mediaType : "a request without a content type"}`,
    );
  }
}
