import { signedFixture } from "@hookgate/testing";
import {
  noteSchemeFacts,
  parseTimestamp,
  readData,
  readStdin,
  type SchemeFlags,
  schemeFor,
  typeFor,
} from "../internal/inputs.js";
import { CliError, type CliIO, ExitCode } from "../io.js";

/** Options of `hookgate sign`; the {@link SchemeFlags} configure schemes beyond their secret. */
export interface SignOptions extends SchemeFlags {
  scheme?: string;
  secret?: string;
  /** The delivery id, for schemes that send it in a header. */
  id?: string;
  /** The signing time; see `parseTimestamp`. */
  timestamp?: string;
  /** The event type, for schemes that send it in a header (GitHub, Shopify, Linear). */
  type?: string;
  /** The URL the request will be sent to (Twilio signs it). */
  url?: string;
  /** Read the payload from this file instead of stdin. */
  data?: string;
  /** Print the headers as a JSON object (with the body, for schemes that sign inside it). */
  json?: boolean;
}

/**
 * `hookgate sign`: prints the headers that sign a payload (stdin, or `--data`), exactly as the
 * provider would send them. The payload's bytes are signed as they are: send the same bytes.
 * Schemes that sign inside the body (`facts.bodySignature`) print the signed body too, after a blank
 * line (`--json`: `{ headers, body }`): send that body instead of the payload.
 */
export async function sign(options: SignOptions, io: CliIO): Promise<number> {
  const scheme = await schemeFor(options.scheme, options.secret, options, io);
  let body: string;
  if (options.data !== undefined) body = await readData(options.data, io);
  else if (io.stdin.isTTY) {
    throw new CliError(
      "pipe the payload on stdin (hookgate sign … < payload.json) or pass --data payload.json",
    );
  } else body = await readStdin(io);
  if (body.length === 0) throw new CliError("the payload is empty; pipe a JSON (or form) body to sign");
  noteSchemeFacts(scheme, body, options, io);
  if (options.url === undefined && scheme.facts.signsUrl) {
    throw new CliError(
      `${scheme.name} signs the URL it posts to: pass --url (the public URL, exactly as requested)`,
    );
  }
  const type = typeFor(scheme, options.type, io);
  let headers: Record<string, string>;
  let signedBody: string;
  try {
    ({ headers, body: signedBody } = await signedFixture(scheme, body, {
      ...(options.id !== undefined ? { id: options.id } : {}),
      ...(options.timestamp !== undefined ? { timestamp: parseTimestamp(options.timestamp)! } : {}),
      ...(type !== undefined ? { type } : {}),
      ...(options.url !== undefined ? { url: options.url } : {}),
    }));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message);
  }
  // A scheme that signs inside the body changed it: the body to send is part of the output.
  const withBody = signedBody !== body;
  const lines = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\n`)
    .join("");
  io.stdout.write(
    options.json
      ? `${JSON.stringify(withBody ? { headers, body: signedBody } : headers, null, 2)}\n`
      : withBody
        ? `${lines}\n${signedBody}${signedBody.endsWith("\n") ? "" : "\n"}`
        : lines,
  );
  return ExitCode.Ok;
}
