/** What the scPaLM derivation scripts print: progress every 10 s, then each stage's summary and the codes used. */

import type { ScPaLMResult, Stage } from "../main/models/scpalm-train.js";
import type { Progress } from "../main/train/fit.js";

export function progressEvery10s(unit: string): (p: Progress, stage: Stage) => void {
  let last = 0;
  return (p, stage) => {
    if (performance.now() - last < 10_000) return;
    last = performance.now();
    console.log(`stage ${stage} epoch ${p.epoch + 1}/${p.epochs} ${JSON.stringify(p.losses)} ${p.cellsPerSec.toFixed(0)} ${unit}/s`);
  };
}

export function printSummary(result: ScPaLMResult, codes: number): void {
  for (const s of result.stages)
    console.log(`stage ${s.stage}: ${s.epochs} epochs in ${s.seconds.toFixed(0)} s; last ${JSON.stringify(s.history.at(-1))}`);
  console.log(`codes used ${result.codesUsed} of ${codes}; ${result.seconds.toFixed(0)} s in all`);
}
