import type { Writable } from "node:stream";

/** Where a command writes: `process.stdout`/`process.stderr`, or a capture in tests. */
export interface OutputStream {
  write(chunk: string): unknown;
  /** A terminal: progress bars and colours are drawn only there. */
  isTTY?: boolean;
  columns?: number;
}

/** A command's surroundings, injected so that tests run commands in-process. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** The payload source for `hookgate sign` without `--data`. */
  stdin: AsyncIterable<Uint8Array | string> & { isTTY?: boolean };
  /** Relative `--data` paths resolve against it. */
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** The real process's streams, directory and environment. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** The exit codes: 0 success, 1 a delivery or the demo did not go as expected, 2 bad usage or input. */
export const ExitCode = { Ok: 0, Failed: 1, Usage: 2 } as const;

/** An error to show the user as is (no stack), with the exit code to leave with. */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: number;
  constructor(message: string, exitCode: number = ExitCode.Usage) {
    super(message.startsWith("hookgate:") ? message : `hookgate: ${message}`);
    this.exitCode = exitCode;
  }
}

/** ANSI colours on a terminal, unless NO_COLOR is set; plain text elsewhere. */
export function painter(stream: OutputStream, env: CliIO["env"]) {
  const on = Boolean(stream.isTTY) && env.NO_COLOR === undefined && env.TERM !== "dumb";
  const wrap = (open: number, close: number) => (text: string) =>
    on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    green: wrap(32, 39),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}

/** A node Writable that is a terminal, for cli-progress. */
export function asTerminal(stream: OutputStream): Writable | undefined {
  return stream.isTTY && typeof (stream as Partial<Writable>).on === "function"
    ? (stream as Writable)
    : undefined;
}
