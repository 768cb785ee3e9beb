/**
 * The drug-response analysis's API methods: the wizard's plan (the dataset's cell columns with their groups, the
 * model's genes it has, the model's drugs with targets and pathways, the cancer types), a SMILES string checked as the
 * model reads it (with its drawing), starting a run, and a finished run's result.
 */
import { readFileSync } from "node:fs";
import type { DrugColumn, DrugPlan, DrugResult, DrugSettings, DrugView, MoleculeCheck } from "../../api/contract.js";
import { ApiError } from "../../api/errors.js";
import { id, method, project } from "../../api/method.js";
import { list, obj, optional, str } from "../../api/schema.js";
import type { Studio } from "../../api/studio.js";
import { runCard } from "../../api/views.js";
import { featurize } from "../../drugs/featurize.js";
import { SmilesError } from "../../drugs/rdkit.js";
import { drugSvg } from "../../drugs/svg.js";
import { readDataset } from "../../io/read.js";
import { expressionOf } from "../../pp/expression.js";
import type { Project } from "../../store/project.js";
import { artifact, artifacts, getRun } from "../../store/runs.js";
import { describeColumn, suggestColumns } from "../columns.js";
import { DRUG_RESPONSE } from "./analysis.js";
import { loadReference } from "./bundle.js";
import { groupCounts, groupingNote } from "./grouping.js";
import { CELL_LINE_WARNING, cancerTypes } from "./predict.js";
import { drugReportHtml } from "./report.js";
import { MIN_GENE_COVERAGE, modelGeneColumns } from "./samples.js";
import { PREDICT_LIMITS } from "./settings.js";
import { tcgaName } from "./tcga.js";

const L = PREDICT_LIMITS;
const natural = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

/** A cell column as a grouping: its groups with their cell counts (in the order the result lists them; cells with no
 *  value are in none), or why it cannot group — the run's check's judgement (`groupingNote`). A few groups of one cell
 *  are fine: bulk samples are groups. */
function drugColumn(name: string, col: Parameters<typeof describeColumn>[1]): DrugColumn {
  const info = describeColumn(name, col);
  const note = groupingNote(col);
  if (note) return { ...info, labelNote: note, groups: null };
  const groups = [...groupCounts(col).counts].sort(([a], [b]) => natural(a, b)).map(([g, cells]) => ({ name: g, cells }));
  return { ...info, labelNote: null, groups };
}

async function plan(s: Studio, dir: string, datasetId: number): Promise<DrugPlan> {
  const p = s.project(dir);
  const [d] = s.readyDatasets(p, [datasetId]);
  const { dataset } = await readDataset(d!.path);
  const e = expressionOf(dataset, d!.path);
  const ref = loadReference();
  const matched = modelGeneColumns(ref.genes, ref.symbols, e.genes).reduce((n, c) => n + (c >= 0 ? 1 : 0), 0);
  const columns = [...dataset.obs.columns].map(([name, c]) => drugColumn(name, c)).filter((c) => c.kind !== "numeric" || c.distinct <= 20);
  return {
    dataset: { id: d!.id, name: d!.name, cells: e.matrix.nRows, genes: e.genes.length },
    columns,
    suggested: suggestColumns(columns).label ?? columns.find((c) => c.labelNote === null)?.name ?? null,
    coverage: { matched, total: ref.genes.length, needed: Math.ceil(MIN_GENE_COVERAGE * ref.genes.length) },
    drugs: ref.drugs.map((x) => ({ name: x.name, cid: x.cid, targets: x.targets, pathway: x.pathway, heldOutPcc: x.heldOutPcc })),
    pathways: [...new Set(ref.drugs.map((x) => x.pathway).filter((x): x is string => x !== null))].sort(natural),
    cancerTypes: cancerTypes(ref).map((code) => ({ code, name: tcgaName(code), lines: ref.lines.filter((l) => l.tcga === code).length })),
    lines: ref.lines.length,
    warning: CELL_LINE_WARNING,
    limits: L,
  };
}

/** Width and height of a structure drawing, in pixels (an SVG: the page scales it). */
const DRAWING = { width: 320, height: 240 };

/** A SMILES string as the model would read it, or why it cannot be a drug (RDKit's words). */
async function molecule(smiles: string): Promise<MoleculeCheck> {
  try {
    const g = await featurize(smiles);
    return { valid: true, smiles: g.smiles, atoms: g.atoms, svg: await drugSvg(g.smiles, DRAWING) };
  } catch (e) {
    if (e instanceof SmilesError) return { valid: false, problem: e.message };
    throw e;
  }
}

/** Starts a run (the lifecycle refuses what the engine would, in its words, before anything is recorded). */
async function start(s: Studio, dir: string, settings: DrugSettings): Promise<{ runId: number }> {
  const p = s.project(dir);
  const [d] = s.readyDatasets(p, [settings.dataset]);
  const seen = new Set<string>();
  for (const m of settings.molecules ?? []) {
    const key = m.name.trim().toLowerCase();
    if (seen.has(key)) throw new ApiError("bad-request", `Two molecules are named '${m.name}'; give each its own name.`);
    seen.add(key);
  }
  const runId = await s.startRun(p, DRUG_RESPONSE, {
    config: settings,
    datasetIds: [d!.id],
    options: {
      file: d!.path,
      groupby: settings.groupby,
      ...(settings.drugs ? { drugs: settings.drugs } : {}),
      molecules: (settings.molecules ?? []).map((m) => ({ name: m.name.trim(), smiles: m.smiles })),
      cancerType: settings.cancerType ?? null,
    },
    input: (folder) => ({ folder, view: { dataset: d!.name }, report: null }),
  });
  return { runId };
}

/** The result a finished run wrote (result.json). */
function readResult(p: Project, runId: number): DrugResult {
  const run = getRun(p, runId);
  if (run.kind !== DRUG_RESPONSE.kind) throw new ApiError("bad-request", `Run ${runId} is not a drug-response prediction.`);
  if (run.status !== "succeeded") throw new ApiError("not-found", `Run ${runId} has no result (${run.status}).`);
  const rel = artifact(p, runId, "view");
  if (!rel) throw new ApiError("not-found", `Run ${runId} has no result the app can show (a command-line run without --project).`);
  return JSON.parse(readFileSync(p.path(rel), "utf8")) as DrugResult;
}

function result(s: Studio, dir: string, runId: number): DrugView {
  const p = s.project(dir);
  return {
    ...readResult(p, runId),
    run: runCard(p, getRun(p, runId)),
    files: artifacts(p, runId)
      .filter((f) => f.kind !== "view")
      .map((f) => ({ kind: f.kind, path: p.path(f.path) })),
  };
}

const name = str({ min: L.name.min, max: L.name.max });
const smiles = str({ min: L.smiles.min, max: L.smiles.max });

export const DRUG_METHODS = {
  "drugs.plan": method(obj({ ...project, dataset: id }), (s, i) => plan(s, i.project, i.dataset)),
  "drugs.molecule": method(obj({ smiles }), (_, i) => molecule(i.smiles)),
  "drugs.start": method(
    obj({
      ...project,
      dataset: id,
      groupby: str({ min: 1, max: 200 }),
      drugs: optional(list(str({ min: 1, max: 200 }), { max: 1000 })),
      molecules: optional(list(obj({ name, smiles }), { max: L.molecules.max })),
      cancerType: optional(str({ min: 1, max: 40 })),
    }),
    (s, { project, ...settings }) => start(s, project, settings),
  ),
  "drugs.result": method(obj({ ...project, runId: id }), (s, i) => result(s, i.project, i.runId)),
};

/** The run's PDF report: title and HTML (structures drawn by RDKit). */
export async function drugRunReport(p: Project, runId: number, appVersion: string): Promise<{ title: string; html: string }> {
  const r = readResult(p, runId);
  const title = `Drug response (run ${runId})`;
  return {
    title,
    html: await drugReportHtml({ ...r, provenance: `run ${runId} of ${p.name}`, appVersion, createdAt: new Date().toISOString() }),
  };
}
