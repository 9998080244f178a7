import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Receiver } from "@hookgate/core";
import { CliError, type CliIO } from "../io.js";

/** The receiver a `--receiver` module exports: `default`, `receiver`, or a function returning one. */
export async function loadReceiver(path: string, io: CliIO): Promise<Receiver> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(resolve(io.cwd, path)).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`cannot load --receiver ${path}: ${(error as Error).message}`);
  }
  let candidate = module.receiver ?? module.default;
  if (typeof candidate === "function") candidate = await (candidate as () => unknown)();
  const receiver = (await candidate) as Partial<Receiver> | undefined;
  if (!receiver || typeof receiver.replay !== "function") {
    throw new CliError(
      `--receiver ${path} must export the receiver: export default createReceiver({ … }) (or export const receiver)`,
    );
  }
  return receiver as Receiver;
}
