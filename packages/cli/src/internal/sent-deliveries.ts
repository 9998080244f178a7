import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import type { CliIO } from "../io.js";

/** What `send --id` signed the first time: the payload (fixtures only) and the signing time. */
export interface SentDelivery {
  /** The fixture payload as sent, JSON; absent for `--data`, whose file is the payload. */
  payload?: unknown;
  /** The signing time, ms since the epoch. */
  signedAt: number;
}

/**
 * How long a signing time is reused: a receiver's default `tolerance` is 300 s, and a delivery
 * re-sent later must still be fresh. Past it, `send --id` signs afresh, and says so.
 */
export const REUSE_SIGNED_AT_MS = 270_000;

/** Where `send --id` remembers what it sent: `$HOOKGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/hookgate`, else `~/.cache/hookgate`. */
export function sentDeliveriesDir(env: CliIO["env"]): string {
  const base = env.HOOKGATE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "hookgate");
  return join(base, "sent");
}

/** The file one delivery is remembered in: by scheme, id and payload source, never by secret. */
function fileOf(dir: string, parts: readonly string[]): string {
  return join(dir, `${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32)}.json`);
}

/** What was sent before under these parts, if anything readable was. */
export async function recallSent(dir: string, parts: readonly string[]): Promise<SentDelivery | undefined> {
  try {
    const sent = JSON.parse(await readFile(fileOf(dir, parts), "utf8")) as SentDelivery;
    return typeof sent.signedAt === "number" ? sent : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers a sent delivery; a cache that cannot be written only costs the next duplicate. */
export async function rememberSent(
  dir: string,
  parts: readonly string[],
  sent: SentDelivery,
): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(fileOf(dir, parts), JSON.stringify(sent), { mode: 0o600 });
    return true;
  } catch {
    return false;
  }
}
