/**
 * A request's method as servers match it: upper-cased (as Node gives it), `POST` when absent.
 * `POST`, every webhook's, is returned as it is, without a call into the runtime's case mapping.
 */
export function requestMethod(method: string | undefined): string {
  if (method === undefined || method === "POST") return "POST";
  return method.toUpperCase();
}
