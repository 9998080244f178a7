// The runtime suite in Bun: `bun bundle.mjs <node|web> <stripe secret>`; serves with Bun.serve.
import { runChild } from "./child-entry.js";

interface BunGlobal {
  version: string;
  argv: string[];
  serve(options: { hostname: string; port: number; fetch: (request: Request) => Promise<Response> }): {
    port: number;
  };
}

const Bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
const [mode = "node", secret = ""] = Bun.argv.slice(2);
// The test kills this process; a child it lost exits on its own.
setTimeout(
  () => (globalThis as unknown as { process: { exit(code: number): never } }).process.exit(0),
  120_000,
);

await runChild({
  version: Bun.version,
  mode,
  secret,
  serve: async (fetch) => Bun.serve({ hostname: "127.0.0.1", port: 0, fetch }).port,
  print: (line) => console.log(line),
});
