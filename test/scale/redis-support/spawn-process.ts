import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const testDir = fileURLToPath(new URL("../../", import.meta.url));

/** A child process running one of the TypeScript entry points beside this file. */
export interface TestProcess {
  readonly child: ChildProcess;
  /** What it printed after `ready` (e.g. its port). */
  readonly ready: string;
  /** Its last output, for failure messages. */
  output(): string;
  /** SIGKILL, and wait for it to exit. */
  kill(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs `redis-support/<entry>.ts` with tsx (the root tsconfig maps `@hookgate/*` to sources), with
 * `config` as JSON in SCALE_CONFIG, and resolves once it prints `ready …`.
 */
export function spawnProcess(entry: string, config: object, timeoutMs = 30_000): Promise<TestProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", `scale/redis-support/${entry}.ts`], {
    cwd: testDir,
    env: { ...process.env, SCALE_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8000);
  };
  child.stderr!.on("data", append);

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  const handle = (ready: string): TestProcess => ({
    child,
    ready,
    output: () => log,
    async kill() {
      if (running()) child.kill("SIGKILL");
      await exited;
    },
    async stop(graceMs = 3000) {
      if (!running()) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${entry} did not start within ${timeoutMs} ms:\n${log}`));
    }, timeoutMs);
    let buffered = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      append(chunk);
      buffered += chunk.toString();
      const match = /^ready ?(.*)$/m.exec(buffered);
      if (match) {
        clearTimeout(timer);
        buffered = "";
        resolve(handle(match[1]!.trim()));
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code ?? signal}) before it was ready:\n${log}`));
    });
  });
}
