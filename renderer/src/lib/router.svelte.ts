/** Hash routes (work from file:// in Electron and from the web host alike):
 *  #/, #/project/<dir>[/integrate|/impute|/drugs|/markers[/<integration run id>]|/scpalm[/pathways[/<model run id>]]|/run/<id>]. */
export type Route =
  | { page: "home" }
  | { page: "project"; dir: string }
  | { page: "wizard"; dir: string }
  | { page: "impute"; dir: string }
  | { page: "drugs"; dir: string }
  | { page: "markers"; dir: string; sourceRun: number | null }
  /** The scPaLM wizard: training, or pathway tokens (through a project run's model, else the bundled one). */
  | { page: "scpalm"; dir: string; pathways: boolean; model: number | null }
  | { page: "run"; dir: string; runId: number };

function parse(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "project" && parts[1]) {
    if (parts[2] === "integrate") return { page: "wizard", dir: parts[1] };
    if (parts[2] === "impute") return { page: "impute", dir: parts[1] };
    if (parts[2] === "drugs") return { page: "drugs", dir: parts[1] };
    if (parts[2] === "markers") return { page: "markers", dir: parts[1], sourceRun: Number(parts[3]) > 0 ? Number(parts[3]) : null };
    if (parts[2] === "scpalm")
      return { page: "scpalm", dir: parts[1], pathways: parts[3] === "pathways", model: Number(parts[4]) > 0 ? Number(parts[4]) : null };
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
  if (r.page === "wizard") return `${base}/integrate`;
  if (r.page === "impute") return `${base}/impute`;
  if (r.page === "drugs") return `${base}/drugs`;
  if (r.page === "markers") return `${base}/markers${r.sourceRun ? `/${r.sourceRun}` : ""}`;
  if (r.page === "scpalm") return `${base}/scpalm${r.pathways ? `/pathways${r.model ? `/${r.model}` : ""}` : ""}`;
  return r.page === "run" ? `${base}/run/${r.runId}` : base;
}

export function go(r: Route): void {
  location.hash = href(r);
}
