/**
 * Which method of an evaluation table to recommend: the best median per-drug PCC — how well lines are told apart under
 * one drug, what comparing groups rests on — ties broken by pooled PCC. Shared by the result page and the report.
 */
export interface EvaluationRow {
  method: string;
  pcc: number;
  medianDrugPcc: number;
}

export function recommendedMethod(rows: readonly EvaluationRow[]): string {
  const best = [...rows].sort((a, b) => b.medianDrugPcc - a.medianDrugPcc || b.pcc - a.pcc)[0];
  return best?.method ?? "";
}
