import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isWebhookError, type Scheme, type SchemeSigningOptions, schemeNeedsOptions } from "@hookgate/core";
import {
  type FixtureCatalogEntry,
  fixtureCatalog,
  resolveSchemeName,
  signingScheme,
  signingSchemeNames,
} from "@hookgate/testing";
import { CliError, type CliIO, ExitCode } from "../io.js";

/** The schemes the CLI signs with, as `--scheme` takes them: every built-in scheme. */
export const SCHEME_NAMES = signingSchemeNames;

/** The flags that configure a scheme beyond `--secret` (its topics, certificate URL, header), as parsed. */
export interface SchemeFlags {
  certificateUrl?: string | undefined;
  topicArn?: string | undefined;
  webhookId?: string | undefined;
  header?: string | undefined;
  prefix?: string | undefined;
  timestampHeader?: string | undefined;
}

const FLAG_OF: Record<keyof SchemeSigningOptions, string> = {
  topicArn: "--topic-arn",
  certificateUrl: "--certificate-url",
  webhookId: "--webhook-id",
  header: "--header",
  prefix: "--prefix",
  timestampHeader: "--timestamp-header",
};

/**
 * A built-in scheme by `--scheme` name, signing with `--secret` (Ed25519 schemes: the private key,
 * hex; schemes that sign with a certificate: a PEM file of its RSA private key, with
 * `--certificate-url`; and the flags the scheme's `signingOptions` name, such as `--topic-arn`).
 */
export async function schemeFor(
  name: string | undefined,
  secret: string | undefined,
  flags: SchemeFlags = {},
  io?: CliIO,
): Promise<Scheme> {
  if (!name) throw new CliError(`--scheme is required: one of ${SCHEME_NAMES.join(", ")}`);
  const canonical = resolveSchemeName(name);
  if (!canonical || !SCHEME_NAMES.includes(canonical)) {
    throw new CliError(`unknown --scheme "${name}"; use one of ${SCHEME_NAMES.join(", ")}`);
  }
  // A scheme signed with a certificate's private key takes it as a PEM file.
  const signsWithCertificate = schemeNeedsOptions(canonical).includes("certificateUrl");
  if (!secret) {
    throw new CliError(
      signsWithCertificate
        ? `--secret is required: for ${canonical}, a PEM file of the RSA private key whose certificate is at --certificate-url`
        : "--secret is required: the signing secret the receiver verifies with (for Ed25519 schemes such as discord, the private key, 64 hex characters)",
    );
  }
  const missing = schemeNeedsOptions(canonical).filter((option) => flags[option] === undefined);
  if (missing.length > 0) {
    throw new CliError(
      `${canonical} is configured by more than a secret: pass ${missing.map((option) => FLAG_OF[option]).join(" and ")}`,
    );
  }
  const key =
    signsWithCertificate && !secret.startsWith("-----BEGIN")
      ? await readPrivateKey(secret, canonical, io)
      : secret;
  const options: SchemeSigningOptions = {};
  for (const option of Object.keys(FLAG_OF) as (keyof SchemeSigningOptions)[]) {
    if (flags[option] !== undefined) options[option] = flags[option];
  }
  try {
    return await signingScheme(canonical, key, options);
  } catch (error) {
    if (isWebhookError(error) || error instanceof TypeError) throw new CliError(error.message);
    throw error;
  }
}

async function readPrivateKey(path: string, scheme: string, io: CliIO | undefined): Promise<string> {
  try {
    return await readFile(resolve(io?.cwd ?? process.cwd(), path), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read --secret ${path}: ${code === "ENOENT" ? "no such file" : ((error as Error).message ?? code)} (for ${scheme}, --secret is a PEM file of the RSA private key)`,
    );
  }
}

/**
 * The event type to sign with. Schemes whose senders carry it only in a header (GitHub, Shopify)
 * need one for a raw payload: without `--type`, the scheme's first fixture type is used, with a note.
 */
export function typeFor(scheme: Scheme, type: string | undefined, io: CliIO): string | undefined {
  if (type !== undefined) return type;
  const { type: where } = scheme.facts;
  if (!where.header || where.payload || where.computed) return undefined;
  const fallback = fixtureCatalog.find((entry) => entry.scheme === scheme.name)?.type;
  if (fallback === undefined) {
    throw new CliError(`${scheme.name} sends the event type in the ${where.header} header: pass --type`);
  }
  io.stderr.write(
    `hookgate: note: ${scheme.name} sends the event type in the ${where.header} header; no --type given, so it is "${fallback}"\n`,
  );
  return fallback;
}

/** Notes for options the scheme ignores, and for payloads its receiver would refuse. */
export function noteSchemeFacts(
  scheme: Scheme,
  body: string | undefined,
  options: { timestamp?: string | undefined },
  io: CliIO,
): void {
  const ts = scheme.facts.timestamp;
  if (options.timestamp !== undefined && !ts) {
    io.stderr.write(
      `hookgate: note: ${scheme.name} signs no timestamp, so --timestamp changes nothing (its receivers rely on delivery-id dedupe)\n`,
    );
  }
  if (ts && "payload" in ts && body !== undefined && !body.includes(`"${ts.payload.split(".").at(-1)}"`)) {
    io.stderr.write(
      `hookgate: note: ${scheme.name} checks the payload's ${ts.payload} (${ts.unit === "ms" ? "milliseconds" : "seconds"}); this payload has none, so the receiver will refuse it\n`,
    );
  }
}

/** `--fixture` names: `provider.fixtureName` or `provider.event.type` (`stripe.invoicePaid`, `github.pull_request.opened`). */
export function fixtureNames(): string[] {
  return fixtureCatalog.map((entry) => `${entry.provider}.${entry.name}`);
}

/** The catalog entry a `--fixture` value names. */
export function findFixture(value: string): FixtureCatalogEntry {
  const dot = value.indexOf(".");
  const provider = dot < 0 ? value : value.slice(0, dot);
  const rest = dot < 0 ? "" : value.slice(dot + 1).toLowerCase();
  const scheme = resolveSchemeName(provider);
  const entry = fixtureCatalog.find(
    (e) =>
      (e.provider.toLowerCase() === provider.toLowerCase() || e.scheme === scheme) &&
      (e.name.toLowerCase() === rest || e.type.toLowerCase() === rest),
  );
  if (!entry) {
    throw new CliError(
      `unknown --fixture "${value}"; use one of:\n${fixtureCatalog.map((e) => `  ${`${e.provider}.${e.name}`.padEnd(42)} ${e.type}`).join("\n")}`,
    );
  }
  return entry;
}

/**
 * A `--timestamp`: unix seconds, unix milliseconds (13 digits), an ISO 8601 date, or a relative
 * `10m ago` (s, m, h, d) for deliberately stale deliveries.
 */
export function parseTimestamp(value: string | undefined, now = Date.now()): Date | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const relative = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)\s+ago$/i.exec(text);
  if (relative) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[relative[2]!.toLowerCase() as "s" | "m" | "h" | "d"];
    return new Date(now - Number(relative[1]) * unit);
  }
  if (/^\d{1,11}$/.test(text)) return new Date(Number(text) * 1000);
  if (/^\d{12,16}$/.test(text)) return new Date(Number(text));
  const date = new Date(text);
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && !Number.isNaN(date.getTime())) return date;
  throw new CliError(
    `--timestamp "${value}" is not a time; use unix seconds (1700000000), an ISO date (2026-03-01T12:00:00Z) or "10m ago"`,
  );
}

/** A whole number ≥ 1 from a flag. */
export function positiveInteger(flag: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`--${flag} must be a whole number ≥ 1, not "${String(value)}"`);
  return n;
}

/** The text of a `--data` file. */
export async function readDataFile(path: string, io: CliIO): Promise<string> {
  const full = resolve(io.cwd, path);
  try {
    return await readFile(full, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? "no such file"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a directory"
            : ((error as Error).message ?? String(error));
    throw new CliError(`cannot read --data ${path}: ${why}`, ExitCode.Usage);
  }
}

/** A `--data` value: a file, or `-` for stdin. */
export async function readData(path: string, io: CliIO): Promise<string> {
  return path === "-" ? readStdin(io) : readDataFile(path, io);
}

/** Everything on stdin, as text. */
export async function readStdin(io: CliIO): Promise<string> {
  const chunks: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
  return new TextDecoder().decode(Buffer.concat(chunks));
}
