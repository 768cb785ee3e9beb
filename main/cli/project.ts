/** `scilama project create|list|info` and `scilama import`. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { ProjectView } from "../api/contract.js";
import { projectView } from "../api/views.js";
import type { DatasetSummary } from "../store/import.js";
import { importDataset } from "../store/import.js";
import { PROJECT_FILE, Project } from "../store/project.js";
import { fmt, print } from "./output.js";

/** Events listed by `project info`. */
const RECENT_EVENTS = 10;

function infoText(info: ProjectView): string {
  const lines = [`Project '${info.name}' (${info.dir})`, `  ${info.datasets.length} dataset(s), ${info.runs.length} run(s)`];
  for (const d of info.datasets) {
    lines.push(
      d.status === "ready"
        ? `  [${d.id}] ${d.name}: ${fmt(d.cells ?? 0)} cells × ${fmt(d.genes ?? 0)} genes (${d.format})`
        : `  [${d.id}] ${d.name}: ${d.status.toUpperCase()} — ${d.error ?? "in progress"}`,
    );
  }
  for (const r of info.runs) {
    const where = r.device ? ` on ${r.device}` : "";
    lines.push(`  run ${r.id} ${r.kind}: ${r.status}${where}, ${Math.round(r.progress * 100)}%${r.error ? ` — ${r.error}` : ""}`);
  }
  if (info.events.length) lines.push("  recent events:", ...info.events.map((e) => `    ${e.ts} ${e.level}: ${e.message}`));
  return lines.join("\n");
}

export function projectCreate(dir: string, name: string | undefined, json: boolean): void {
  const p = Project.create(dir, name);
  try {
    print(json, projectView(p, RECENT_EVENTS), () => `Created project '${p.name}' in ${p.dir}`);
  } finally {
    p.close();
  }
}

export function projectInfoCommand(dir: string, json: boolean): void {
  const p = Project.open(dir);
  try {
    const info = projectView(p, RECENT_EVENTS);
    // A project that cannot be written is shown as it is, and says so (imports and runs into it are refused).
    const readOnly = p.readOnly ? [`  read-only (${p.readOnly}): it can be viewed, not changed`] : [];
    print(json, info, () => [infoText(info), ...readOnly].join("\n"));
  } finally {
    p.close();
  }
}

export function projectList(root: string, json: boolean): void {
  const found = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, PROJECT_FILE))) : [];
  const list = found.map((d) => {
    const p = Project.open(join(root, d));
    try {
      return { name: p.name, dir: p.dir, datasets: p.datasets("ready").length };
    } finally {
      p.close();
    }
  });
  print(json, list, () =>
    list.length ? list.map((p) => `${p.name}\t${p.datasets} dataset(s)\t${p.dir}`).join("\n") : `No projects in ${root}.`,
  );
}

export function summaryText(name: string, s: DatasetSummary): string {
  const lines = [
    `Imported '${name}': ${fmt(s.qc.cells)} cells × ${fmt(s.qc.genes)} genes (${s.read.format}${s.read.orientation ? `, ${s.read.orientation}: ${s.read.orientationReason}` : ""}), values: ${s.values}`,
    `  genes: ${s.genes.guess.type} ids (${s.genes.guess.species}); ${fmt(s.genes.mapped)} of ${fmt(s.genes.total)} recognised`,
  ];
  if (s.genes.unmapped.length)
    lines.push(
      `  not recognised (${s.genes.unmapped.length}): ${s.genes.unmapped.slice(0, 10).join(", ")}${s.genes.unmapped.length > 10 ? ", …" : ""}`,
    );
  if (s.genes.duplicated.length)
    lines.push(
      `  same gene under several names (${s.genes.duplicated.length}): ${s.genes.duplicated
        .slice(0, 5)
        .map((d) => `${d.symbol} ← ${d.inputs.join("/")}`)
        .join("; ")}`,
    );
  if (s.genes.ambiguous.length)
    lines.push(
      `  ambiguous aliases (${s.genes.ambiguous.length}): ${s.genes.ambiguous
        .slice(0, 5)
        .map((a) => `${a.input} → ${a.candidates.join("|")}`)
        .join("; ")}`,
    );
  lines.push(`  cell columns: ${s.obsColumns.join(", ") || "none"}`);
  lines.push(...s.read.warnings.map((w) => `  warning: ${w}`));
  return lines.join("\n");
}

export async function importCommand(
  file: string,
  dir: string,
  opts: { name?: string; json: boolean; quiet: boolean; format?: never; orientation?: never },
): Promise<void> {
  const p = Project.open(dir);
  try {
    let last = -1;
    const { id, summary } = await importDataset(p, file, {
      ...opts,
      onProgress: (pr) => {
        const pct = Math.floor(pr.fraction * 10) * 10;
        if (!opts.quiet && pct !== last) {
          last = pct;
          process.stderr.write(`${pr.phase} ${pct}%\n`);
        }
      },
    });
    print(opts.json, { id, ...summary }, () => summaryText(p.dataset(id).name, summary));
  } finally {
    p.close();
  }
}
