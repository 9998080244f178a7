/** The dashboard's own paths, below its base path. */
export const ROUTES = ["/", "/delivery", "/replay", "/assets/dashboard.css", "/assets/dashboard.js"] as const;

export type RouteName = (typeof ROUTES)[number];

/** Where a request lands: a route under `base` (no trailing slash; "" at the root), or a redirect. */
export type Routed =
  | { kind: "route"; base: string; route: RouteName }
  | { kind: "slash"; location: string }
  | { kind: "unknown"; base: string };

/**
 * The route a path names. With `basePath`, the path must be under it; without, the base is what
 * precedes a known route, and a path that names none is the dashboard's root without its final
 * slash (`/admin/hooks` → `/admin/hooks/`): so the dashboard mounts under any prefix unconfigured.
 */
export function routeOf(url: URL, basePath: string | undefined): Routed {
  // One leading slash: `//evil.test/` must not become a base (or a redirect) to another host.
  const path = normalizedPath(url);
  if (basePath !== undefined) {
    if (path === basePath && basePath !== "") return { kind: "slash", location: `${path}/${url.search}` };
    if (!path.startsWith(`${basePath}/`)) return { kind: "unknown", base: basePath };
    const rest = path.slice(basePath.length);
    const route = ROUTES.find((r) => r === rest);
    return route ? { kind: "route", base: basePath, route } : { kind: "unknown", base: basePath };
  }
  for (const route of ROUTES) {
    if (path.endsWith(route))
      return { kind: "route", base: path.slice(0, path.length - route.length), route };
  }
  return { kind: "slash", location: `${path}/${url.search}` };
}

/** The request's path with its leading slashes collapsed to one. */
export function normalizedPath(url: URL): string {
  return `/${url.pathname.replace(/^\/+/, "")}`;
}
