import { runCli } from "./run-cli.js";

// The `hookgate` binary. The exit code is set rather than forced, so piped output is flushed.
process.exitCode = await runCli(process.argv.slice(2));
