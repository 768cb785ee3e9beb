/** Hash routes (work from file:// in Electron and from the web host alike): #/, #/project/<dir>[/integrate|/run/<id>]. */
export type Route =
  | { page: "home" }
  | { page: "project"; dir: string }
  | { page: "wizard"; dir: string }
  | { page: "run"; dir: string; runId: number };

function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "project" && parts[1]) {
    if (parts[2] === "integrate") return { page: "wizard", dir: parts[1] };
    if (parts[2] === "run" && Number(parts[3]) > 0) return { page: "run", dir: parts[1], runId: Number(parts[3]) };
    return { page: "project", dir: parts[1] };
  }
  return { page: "home" };
}

export const router = $state({ route: parse(location.hash) });

addEventListener("hashchange", () => {
  router.route = parse(location.hash);
});

export function href(r: Route): string {
  if (r.page === "home") return "#/";
  const base = `#/project/${encodeURIComponent(r.dir)}`;
  return r.page === "wizard" ? `${base}/integrate` : r.page === "run" ? `${base}/run/${r.runId}` : base;
}

export function go(r: Route): void {
  location.hash = href(r);
}
