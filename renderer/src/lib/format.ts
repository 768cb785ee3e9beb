/** Numbers and times as people read them. */
export const count = (n: number | null | undefined): string => (n === null || n === undefined ? "—" : n.toLocaleString("en"));
export const pct = (f: number): string => `${(100 * f).toFixed(f < 0.1 ? 1 : 0)}%`;
export const metric = (v: number | null): string => (v === null ? "—" : v.toFixed(3));

export function duration(sec: number | null | undefined): string {
  if (sec === null || sec === undefined || !Number.isFinite(sec)) return "—";
  if (sec < 60) return `${Math.round(sec)} s`;
  if (sec < 3600) return `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
  return `${Math.floor(sec / 3600)} h ${Math.round((sec % 3600) / 60)} min`;
}

export const when = (iso: string): string => new Date(iso).toLocaleString("en", { dateStyle: "medium", timeStyle: "short" });
