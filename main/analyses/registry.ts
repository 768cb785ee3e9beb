/**
 * Every analysis the app offers, one entry each: the run kind it records, its title, the API methods it adds and its
 * PDF report. Adding an analysis is adding its folder and one line here.
 */
import type { Method } from "../api/method.js";
import type { Schema } from "../api/schema.js";
import type { Project } from "../store/project.js";
import { DRUG_RESPONSE } from "./drugs/analysis.js";
import { DRUG_METHODS, drugRunReport } from "./drugs/api.js";
import { IMPUTATION } from "./impute/analysis.js";
import { IMPUTE_METHODS, imputeRunReport } from "./impute/api.js";
import { INTEGRATION } from "./integrate/analysis.js";
import { INTEGRATION_METHODS, integrationRunReport } from "./integrate/api.js";
import { MARKERS } from "./markers/analysis.js";
import { MARKERS_METHODS, markersRunReport } from "./markers/api.js";
import { SCPALM } from "./scpalm/analysis.js";
import { SCPALM_METHODS, scpalmRunReport } from "./scpalm/api.js";

export interface AnalysisEntry {
  /** The run kind in the project store. */
  kind: string;
  title: string;
  methods: Record<string, Method<Schema<unknown>>>;
  /** A finished run's report: its title and HTML (printed to PDF by the caller's printer). */
  report(p: Project, runId: number, appVersion: string): Promise<{ title: string; html: string }>;
}

export const ANALYSES: readonly AnalysisEntry[] = [
  { kind: INTEGRATION.kind, title: "Integration", methods: INTEGRATION_METHODS, report: integrationRunReport },
  { kind: MARKERS.kind, title: "Markers and gene modules", methods: MARKERS_METHODS, report: markersRunReport },
  { kind: IMPUTATION.kind, title: "Imputation", methods: IMPUTE_METHODS, report: imputeRunReport },
  { kind: DRUG_RESPONSE.kind, title: "Drug response", methods: DRUG_METHODS, report: drugRunReport },
  { kind: SCPALM.kind, title: "scPaLM", methods: SCPALM_METHODS, report: scpalmRunReport },
];

/** The entry of a run kind, or null for kinds no analysis records (e.g. a plain training run). */
export function analysisOf(kind: string): AnalysisEntry | null {
  return ANALYSES.find((a) => a.kind === kind) ?? null;
}
