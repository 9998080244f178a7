import { PassThrough } from "node:stream";
import type { CliIO } from "../io.js";

/** A CliIO that captures output, with `stdin` as given (tests only). */
export function captureIO(stdin?: string, options: { cwd?: string; tty?: boolean } = {}) {
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
    env: { NO_COLOR: "1" },
  };
  return { io, out: () => out, err: () => err };
}
