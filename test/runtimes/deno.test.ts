import { fileURLToPath } from "node:url";
import { describeChildRuntime, packagedBinary } from "./child-runtime.js";

// The `deno` npm package's postinstall links the binary of its platform package
// (@deno/linux-x64-glibc) next to its package.json. The suite may reach only 127.0.0.1.
const deno = packagedBinary("deno", "deno");

describeChildRuntime({
  name: "Deno",
  binary: deno,
  entry: fileURLToPath(new URL("./deno-entry.ts", import.meta.url)),
  command: (bundle, mode, secret) => [deno!.path, "run", "--allow-net=127.0.0.1", bundle, mode, secret],
});
