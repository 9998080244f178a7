import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type { CliIO } from "../io.js";

const TEST_CACHE = join(tmpdir(), `hookgate-cli-test-cache-${process.pid}`);

/** A CliIO that captures output, with `stdin` as given (tests only). */
export function captureIO(
  stdin?: string,
  options: { cwd?: string; tty?: boolean; env?: Record<string, string> } = {},
) {
  let out = "";
  let err = "";
  const stderr = options.tty
    ? Object.assign(new PassThrough(), { isTTY: true, columns: 100 })
    : { write: (chunk: string) => (err += chunk) };
  if (options.tty) (stderr as PassThrough).on("data", (chunk: Buffer) => (err += chunk.toString()));
  const io: CliIO = {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr,
    stdin: Object.assign(
      (async function* () {
        if (stdin !== undefined) yield new TextEncoder().encode(stdin);
      })(),
      { isTTY: stdin === undefined },
    ),
    cwd: options.cwd ?? process.cwd(),
    // `send --id` remembers what it sent: never in the real cache from a test.
    env: { NO_COLOR: "1", HOOKGATE_CACHE_DIR: TEST_CACHE, ...options.env },
  };
  return { io, out: () => out, err: () => err };
}
