// A receiver process: node:http + core's Node bridge, PostgreSQL store, pg-boss hand-off.
// Prints "ready <port>" once it listens on 127.0.0.1.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { pgBossQueue } from "@hookgate/pg-boss";
import { configFromEnv, exitWithParent, makeBoss, makePool, makeReceiver, queueName } from "./config.js";

exitWithParent();
const config = configFromEnv();
const pool = makePool(config, "receiver-store", 4);
const boss = makeBoss(config, "receiver");
await boss.start();
const queue = pgBossQueue({
  boss,
  name: queueName,
  ...(config.defaults ? {} : { retry: { delaySeconds: 1 } }),
  ...(process.env.SCALE_EXPIRE_S ? { expireInSeconds: Number(process.env.SCALE_EXPIRE_S) } : {}),
});
const receiver = makeReceiver(config, pool, queue);

const server = createServer((req, res) => {
  handleNodeRequest(receiver, req).then(
    (result) => writeNodeResponse(res, result),
    () => {
      res.statusCode = 500;
      res.end();
    },
  );
});
server.keepAliveTimeout = 30_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
});
