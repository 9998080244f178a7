import ipaddr from "ipaddr.js";
import { WebhookError } from "../errors.js";

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * Compiles an allow-list of CIDR ranges (or single addresses), IPv4 and IPv6, once.
 * An IPv4-mapped IPv6 client address (`::ffff:192.0.2.1`) matches IPv4 ranges.
 */
export function compileAllowList(cidrs: readonly string[]): (address: string | undefined) => boolean {
  const ranges: Range[] = cidrs.map((cidr) => {
    try {
      if (cidr.includes("/")) return ipaddr.parseCIDR(cidr);
      const address = ipaddr.parse(cidr);
      return [address, address.kind() === "ipv4" ? 32 : 128];
    } catch (cause) {
      throw new WebhookError(
        "invalid_secret",
        `hookgate: allowIps entry "${cidr}" is not an IP address or CIDR range`,
        {
          cause,
        },
      );
    }
  });
  return (address) => {
    if (!address || !ipaddr.isValid(address)) return false;
    const parsed = ipaddr.process(address);
    return ranges.some(([range, bits]) => parsed.kind() === range.kind() && parsed.match(range, bits));
  };
}
