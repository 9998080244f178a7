import autocannon from "autocannon";
import { payload, signer } from "./deliveries.js";

const body = payload(1024);
const sign = signer(body);
const r = await autocannon({
  url: `http://127.0.0.1:${process.argv[2]}/webhooks`,
  connections: 50,
  amount: Number(process.argv[3]),
  requests: [{ method: "POST", body, setupRequest: (q) => ({ ...q, ...sign() }) }],
});
console.log(r.requests.average, r.non2xx, r.errors);
