import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** A child process running one of the TypeScript entry points of a support folder. */
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

/** What a support folder's `spawn-process.ts` exports, made by {@link childProcesses}. */
export interface ChildProcesses {
  /**
   * Runs `<dir>/<entry>.ts` (bundled) in a child process, with `config` as JSON in SCALE_CONFIG,
   * and resolves once it prints `ready …`.
   */
  spawnProcess(
    entry: "receiver-process" | "worker-process",
    config: object,
    timeoutMs?: number,
  ): Promise<TestProcess>;
  /** Removes this test file's bundles (call it in afterAll, once every child has exited). */
  removeBuild(): Promise<void>;
}

/**
 * Child processes for the scale tests, run from the `receiver-process` and `worker-process` entry
 * points of the support folder `dir`. The entry points are bundled once per test process, with the
 * hookgate packages from source (through the root tsconfig paths) and the npm clients in
 * `external` left to test/node_modules: plain `node` then starts a child in a fraction of the time
 * a TypeScript loader takes, which counts on a busy two-core machine.
 */
export function childProcesses(dir: URL, external: readonly string[]): ChildProcesses {
  const here = fileURLToPath(dir);
  let built: Promise<string> | undefined;

  function buildEntries(): Promise<string> {
    built ??= (async () => {
      const outdir = `${here}.build/${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
      await build({
        entryPoints: ["receiver-process", "worker-process"].map((name) => `${here}${name}.ts`),
        outdir,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        tsconfig: `${root}tsconfig.json`,
        external: [...external],
        logLevel: "error",
      });
      return outdir;
    })();
    return built;
  }

  async function spawnProcess(
    entry: "receiver-process" | "worker-process",
    config: object,
    timeoutMs = 30_000,
  ): Promise<TestProcess> {
    const outdir = await buildEntries();
    const child = spawn(process.execPath, [`${outdir}/${entry}.js`], {
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

  return {
    spawnProcess,
    async removeBuild() {
      const outdir = await built?.catch(() => undefined);
      if (outdir) rmSync(outdir, { recursive: true, force: true });
      built = undefined;
    },
  };
}
