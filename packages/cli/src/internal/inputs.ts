import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { isWebhookError, type Scheme } from "@hookgate/core";
import {
  type FixtureCatalogEntry,
  fixtureCatalog,
  resolveSchemeName,
  signingScheme,
  signingSchemeNames,
} from "@hookgate/testing";
import { CliError, type CliIO, ExitCode } from "../io.js";

/** The schemes the CLI signs with, as `--scheme` takes them. */
export const SCHEME_NAMES = signingSchemeNames;

/** A built-in scheme by `--scheme` name, signing with `--secret` (Discord: the private key, hex). */
export async function schemeFor(name: string | undefined, secret: string | undefined): Promise<Scheme> {
  if (!name) throw new CliError(`--scheme is required: one of ${SCHEME_NAMES.join(", ")}`);
  if (!resolveSchemeName(name)) {
    throw new CliError(`unknown --scheme "${name}"; use one of ${SCHEME_NAMES.join(", ")}`);
  }
  if (!secret) {
    throw new CliError(
      resolveSchemeName(name) === "discord"
        ? "--secret is required: for discord, the Ed25519 private key (64 hex characters) that signs"
        : "--secret is required: the signing secret the receiver verifies with",
    );
  }
  try {
    return await signingScheme(name, secret);
  } catch (error) {
    if (isWebhookError(error) || error instanceof TypeError) throw new CliError(error.message);
    throw error;
  }
}

const TYPE_HEADER: Record<string, string> = { github: "X-GitHub-Event", shopify: "X-Shopify-Topic" };

/** GitHub and Shopify send the event type only in a header: a raw payload needs `--type`. */
export function requireType(scheme: Scheme, type: string | undefined): void {
  if (type === undefined && TYPE_HEADER[scheme.name]) {
    throw new CliError(
      `${scheme.name} sends the event type in ${TYPE_HEADER[scheme.name]}: pass --type (e.g. --type ${scheme.name === "github" ? "push" : "orders/create"})`,
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

/** Everything on stdin, as text. */
export async function readStdin(io: CliIO): Promise<string> {
  const chunks: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for await (const chunk of io.stdin) chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
  return new TextDecoder().decode(Buffer.concat(chunks));
}
