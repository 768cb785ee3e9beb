import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import type { Project } from "../../store/project.js";
import { createRun, finishRun, getRun, markRunning, recordDevice, recordProgress, setArtifact, setMetric } from "../../store/runs.js";
import { writeCheckpoint } from "../../train/checkpoint.js";
import type { Progress } from "../../train/fit.js";
import { exportVae, vaeInferenceGraph } from "../vae.js";
import { startTrainJob } from "./job.js";
import type { TrainJobSpec } from "./spec.js";
import type { WorkerResult } from "./worker.js";

export type RunSpec = Omit<TrainJobSpec, "checkpointPath" | "resume" | "data">;

export interface TrackedJob {
  runId: number;
  done: Promise<WorkerResult>;
  cancel(): void;
}

/** Starts training recorded as a run of the project: status, progress, device, checkpoint, model and its export. */
export function startTrackedTraining(
  p: Project,
  spec: RunSpec,
  data: TrainJobSpec["data"],
  opts: { datasetIds?: number[]; onProgress?: (x: Progress) => void } = {},
): TrackedJob {
  const runId = createRun(p, `train-${spec.model.kind}`, spec, opts.datasetIds ?? []);
  return launch(p, runId, spec, data, false, opts.onProgress);
}

/** Continues a cancelled or interrupted run from its checkpoint, with the same data. */
export function resumeTrackedTraining(
  p: Project,
  runId: number,
  data: TrainJobSpec["data"],
  onProgress?: (x: Progress) => void,
): TrackedJob {
  const row = getRun(p, runId);
  if (row.status === "succeeded") throw new Error(`run ${runId} has already finished`);
  return launch(p, runId, JSON.parse(row.config_json) as RunSpec, data, true, onProgress);
}

function launch(
  p: Project,
  runId: number,
  spec: RunSpec,
  data: TrainJobSpec["data"],
  resume: boolean,
  onProgress?: (x: Progress) => void,
): TrackedJob {
  const dir = `runs/${runId}`;
  mkdirSync(p.path(dir), { recursive: true });
  const checkpointPath = p.path(dir, "checkpoint.safetensors");
  markRunning(p, runId);
  p.log(
    "info",
    resume ? "run-resumed" : "run-started",
    `Run ${runId} (${spec.model.kind}) ${resume ? "resumed from its checkpoint" : "started"}`,
    { runId },
  );
  let deviceKnown = false;
  let lastWrite = 0;
  const job = startTrainJob({ ...spec, data, checkpointPath, resume }, (x) => {
    if (!deviceKnown) {
      deviceKnown = true;
      const device = x.provider === "cpu" ? `cpu (${spec.threads ?? availableParallelism()} threads)` : x.provider;
      recordDevice(p, runId, device);
      p.log("info", "run-device", `Run ${runId} is running on ${device}`, { runId });
    }
    const t = performance.now();
    if (t - lastWrite > 500 || x.step === x.totalSteps) {
      lastWrite = t;
      recordProgress(p, runId, x.step / x.totalSteps, `${x.phase} epoch ${x.epoch + 1}/${x.epochs}`);
    }
    onProgress?.(x);
  });
  const done = job.done.then(
    (r) => {
      setArtifact(p, runId, "checkpoint", `${dir}/checkpoint.safetensors`);
      if (r.fallbackReason) p.log("warning", "run-device", `GPU not used: ${r.fallbackReason}. Training ran on the CPU.`, { runId });
      if (r.status === "stopped") {
        finishRun(p, runId, "cancelled", { error: "Cancelled by the user; it can be resumed from its checkpoint." });
        p.log("info", "run-cancelled", `Run ${runId} was cancelled after ${r.steps} steps; its checkpoint allows resuming`, { runId });
        return r;
      }
      const params = new Map(Object.entries(r.params));
      const model = `${dir}/model.safetensors`;
      const shapes = new Map(
        vaeInferenceGraph(spec.model.config)
          .graph.paramsOf()
          .map((q) => [q.value.name, q.value.shape as number[]]),
      );
      const tensors = new Map([...params].map(([k, v]) => [k, { dtype: "float32" as const, shape: shapes.get(k) ?? [v.length], data: v }]));
      writeCheckpoint(p.path(model), tensors, { model: spec.model });
      setArtifact(p, runId, "model", model);
      if (spec.model.kind === "vae") {
        const onnx = `${dir}/model.onnx`;
        writeFileSync(p.path(`${onnx}.tmp-${process.pid}`), exportVae(spec.model.config, params, { run: String(runId) }));
        renameSync(p.path(`${onnx}.tmp-${process.pid}`), p.path(onnx));
        setArtifact(p, runId, "onnx", onnx);
      }
      const final = r.history.at(-1)?.losses ?? {};
      for (const [k, v] of Object.entries(final)) setMetric(p, runId, `final_${k}`, v);
      recordProgress(p, runId, 1, "done");
      finishRun(p, runId, "succeeded", { timings: { seconds: r.seconds, steps: r.steps } });
      p.log("info", "run-finished", `Run ${runId} finished in ${r.seconds.toFixed(1)} s`, { runId });
      return r;
    },
    (err: Error) => {
      finishRun(p, runId, "failed", { error: err.message });
      p.log("error", "run-failed", `Run ${runId} failed: ${err.message}`, { runId });
      throw err;
    },
  );
  return { runId, done, cancel: job.cancel };
}
