import { allocate, Rng, type TrainProgram, type TypedArray } from "../../native-models/index.js";
import { type CheckpointTensor, readCheckpoint, writeCheckpoint } from "./checkpoint.js";
import type { BlockSource } from "./data.js";
import { LoopRunner } from "./loop-runner.js";
import type { Provider, ProviderChoice } from "./providers.js";

/** Learning rate and named scalar inputs (e.g. the KL weight β) for one epoch. */
export type Schedule = (epoch: number) => { lr: number; inputs: Readonly<Record<string, number>> };

export interface Progress {
  phase: string;
  epoch: number;
  epochs: number;
  /** Steps done in this fit, counting those before a resume. */
  step: number;
  totalSteps: number;
  /** Mean of each reported scalar over the last run. */
  losses: Record<string, number>;
  cellsPerSec: number;
  etaSec: number;
  provider: Provider;
  elapsedSec: number;
}

export interface EpochRecord {
  epoch: number;
  losses: Record<string, number>;
  /** Validation loss after the epoch, when the fit validates. */
  val?: number;
}

/** Stop when the validation loss has not improved for `patience` epochs, counting from `startEpoch` on. */
export interface EarlyStopping {
  patience: number;
  startEpoch: number;
}

export interface FitOptions {
  phase?: string;
  program: TrainProgram;
  /** Initial value of every parameter by name (ignored for parameters restored from `resume`). */
  params: ReadonlyMap<string, TypedArray>;
  data: BlockSource;
  /** Per-step inputs the fitter fills itself: `batch` (int64 row indices) and `rowWeight` (1, or 0 for padding). */
  batch: number;
  epochs: number;
  schedule: Schedule;
  seed: number;
  provider?: ProviderChoice;
  threads?: number;
  /** Written at the end of every epoch and when stopped early. */
  checkpointPath?: string;
  /** Continue from this checkpoint (same program, data and seed): the result equals an uninterrupted fit. */
  resumeFrom?: string;
  /** Polled between runs; true stops after the current block with a checkpoint. */
  shouldStop?: () => boolean;
  onProgress?: (p: Progress) => void;
  /**
   * Aim for runs of about this many seconds (progress and cancel granularity; default 5). Every run moves the
   * parameters and optimizer moments in and out of onnxruntime, a fixed cost of ~1 s for a 27M-parameter model on
   * 2 cores: sciLaMA's step 1 at batch 128 trained 113 cells/s with 1-s runs and 400 cells/s with 5-s runs.
   */
  targetRunSec?: number;
  maxStepsPerRun?: number;
  /** Validation loss of the current parameters, after every epoch; the fit returns the best epoch's parameters. */
  validate?: (params: ReadonlyMap<string, TypedArray>) => Promise<number>;
  /** Constant inputs fed with every run besides the data block (e.g. sciLaMA's gene priors). */
  constants?: Readonly<Record<string, TypedArray>>;
  earlyStopping?: EarlyStopping;
  /**
   * Called before each epoch's first run (not when a resume starts mid-epoch): host-side work between epochs such as
   * replacing a quantiser's dead codes or refitting pseudo-labels. What it sets is saved in checkpoints.
   */
  beforeEpoch?: (epoch: number, state: EpochState) => Promise<void> | void;
}

/** What `beforeEpoch` may read and change. */
export interface EpochState {
  params(): Map<string, TypedArray>;
  /** Overwrites rows of a trainable parameter [rows, …] and zeroes their optimizer moments. */
  resetRows(name: string, rows: readonly number[], values: TypedArray): void;
  /** Sets a once-per-run input (kept in checkpoints, restored on resume). */
  setConstant(name: string, data: TypedArray): void;
}

export interface FitResult {
  /** "early" when early stopping ended the fit before `epochs`. */
  status: "completed" | "early" | "stopped";
  /** The last epoch's parameters, or with validation those of the best epoch. */
  params: Map<string, TypedArray>;
  /** The epoch whose parameters are returned (the last one without validation). */
  bestEpoch: number;
  slots: Map<string, TypedArray>;
  history: EpochRecord[];
  steps: number;
  provider: Provider;
  fallbackReason: string | null;
  seconds: number;
}

interface CheckpointMeta {
  format: 1;
  phase: string;
  signature: string;
  seed: number;
  epoch: number;
  stepInEpoch: number;
  t: number;
  history: EpochRecord[];
  partial: Record<string, number>;
  partialSteps: number;
  best: { epoch: number; val: number } | null;
}

const EPOCH_STREAM = 0x45504f43;

const DEFAULT_RUN_SEC = 5;

/** Which block and which rows of it form each step of an epoch: permuted block order, rows permuted within a block. */
function epochPlan(data: BlockSource, batch: number, seed: number, epoch: number): { block: number; rows: Int32Array }[] {
  const order = new Rng(seed, EPOCH_STREAM, epoch).permutation(data.blocks);
  const steps: { block: number; rows: Int32Array }[] = [];
  for (const b of order) {
    const perm = new Rng(seed, EPOCH_STREAM, epoch, b + 1).permutation(data.blockRows(b));
    for (let i = 0; i < perm.length; i += batch) steps.push({ block: b, rows: perm.subarray(i, i + batch) });
  }
  return steps;
}

function signature(p: TrainProgram, data: BlockSource, batch: number): string {
  return JSON.stringify({ state: p.state.map((s) => [s.name, s.shape]), rows: data.rows, cols: data.cols, batch, opt: p.optimizer.config });
}

/**
 * Trains a compiled program over epochs of minibatches. Runs never span blocks or epochs; within a block they hold
 * as many steps as fit the target run time. Random inputs, shuffles and optimizer scalars depend only on the seed
 * and the step, so stopping, checkpointing and resuming reproduces the uninterrupted result exactly.
 */
export async function fit(o: FitOptions): Promise<FitResult> {
  const started = performance.now();
  const phase = o.phase ?? "train";
  const sig = signature(o.program, o.data, o.batch);
  let params: ReadonlyMap<string, TypedArray> = o.params;
  let slots: Map<string, TypedArray> | undefined;
  let meta: CheckpointMeta = {
    format: 1,
    phase,
    signature: sig,
    seed: o.seed,
    epoch: 0,
    stepInEpoch: 0,
    t: 0,
    history: [],
    partial: {},
    partialSteps: 0,
    best: null,
  };
  let bestParams: Map<string, TypedArray> | null = null;
  const hookConstants = new Map<string, TypedArray>();
  if (o.resumeFrom) {
    const ck = readCheckpoint(o.resumeFrom);
    const m = ck.meta as CheckpointMeta;
    if (m?.format !== 1 || m.signature !== sig || m.seed !== o.seed || m.phase !== phase)
      throw new Error(`checkpoint ${o.resumeFrom} belongs to a different model, data, phase or seed; start a new run instead`);
    meta = m;
    const tagged = (tag: string) =>
      new Map([...ck.tensors].filter(([k]) => k.startsWith(tag)).map(([k, t]) => [k.slice(tag.length), t.data]));
    params = new Map([...o.params, ...[...ck.tensors].filter(([k]) => !k.includes(":")).map(([k, t]) => [k, t.data] as const)]);
    slots = tagged("slot:");
    if (meta.best) bestParams = tagged("best:");
    for (const [k, v] of tagged("const:")) hookConstants.set(k, v);
  }
  const runner = await LoopRunner.open(o.program, params, {
    seed: o.seed,
    ...(o.provider ? { provider: o.provider } : {}),
    ...(o.threads ? { threads: o.threads } : {}),
    ...(slots ? { slots } : {}),
  });
  runner.t = meta.t;
  const history = [...meta.history];
  const feedOf = (name: string) => o.program.perStep.find((f) => f.name === name);
  const weightDtype = feedOf("rowWeight")?.dtype ?? "float32";
  if (!feedOf("batch")) throw new Error("fit: the program has no per-step input named 'batch'");
  const extra = o.program.perStep.filter((f) => f.name !== "batch" && f.name !== "rowWeight" && !f.name.startsWith("opt."));

  const stepsPerEpoch = epochPlan(o.data, o.batch, o.seed, 0).length;
  const totalSteps = stepsPerEpoch * o.epochs;
  let stepsPerRun = 2;
  let secPerStep = 0;
  let rowsSeen = 0;
  let loopSec = 0;
  let status: FitResult["status"] = "completed";
  const save = () => {
    if (!o.checkpointPath) return;
    const tensors = new Map<string, CheckpointTensor>();
    const shapeOf = new Map(o.program.state.map((s) => [s.name, s.shape]));
    for (const p of [...o.program.trainable, ...o.program.frozen]) {
      tensors.set(p.value.name, { dtype: p.value.dtype, shape: p.value.shape as number[], data: runner.params().get(p.value.name)! });
    }
    for (const [k, v] of runner.slots()) tensors.set(`slot:${k}`, { dtype: o.program.state[0]!.dtype, shape: shapeOf.get(k)!, data: v });
    for (const [k, v] of bestParams ?? []) tensors.set(`best:${k}`, { ...tensors.get(k)!, data: v });
    for (const [k, v] of hookConstants) tensors.set(`const:${k}`, { dtype: dtypeOf(v), shape: [v.length], data: v });
    writeCheckpoint(o.checkpointPath, tensors, { ...meta, t: runner.t, history });
  };

  try {
    outer: for (let epoch = meta.epoch; epoch < o.epochs; epoch++) {
      const plan = epochPlan(o.data, o.batch, o.seed, epoch);
      const { lr, inputs } = o.schedule(epoch);
      let s = epoch === meta.epoch ? meta.stepInEpoch : 0;
      const sums: Record<string, number> = epoch === meta.epoch ? { ...meta.partial } : {};
      let counted = epoch === meta.epoch ? meta.partialSteps : 0;
      const stopHere = (): CheckpointMeta => ({ ...meta, epoch, stepInEpoch: s, partial: sums, partialSteps: counted });
      // A stop is taken before the epoch's hook or after a run, never between them: checkpointed at step 0 with the
      // hook's changes in it, a resume would run the hook again on them (e.g. replace dead codes twice).
      let hooked = false;
      if (s === 0 && o.beforeEpoch) {
        if (o.shouldStop?.()) {
          status = "stopped";
          meta = stopHere();
          break;
        }
        await o.beforeEpoch(epoch, epochState(runner, hookConstants));
        hooked = true;
      }
      while (s < plan.length) {
        if (!hooked && o.shouldStop?.()) {
          status = "stopped";
          meta = stopHere();
          break outer;
        }
        hooked = false;
        const block = plan[s]!.block;
        let n = 0;
        while (s + n < plan.length && plan[s + n]!.block === block && n < stepsPerRun) n++;
        const batch = new BigInt64Array(n * o.batch);
        const weight = allocate(weightDtype, n * o.batch) as Float32Array | Float64Array;
        let rows = 0;
        for (let k = 0; k < n; k++) {
          const r = plan[s + k]!.rows;
          for (let j = 0; j < r.length; j++) {
            batch[k * o.batch + j] = BigInt(r[j]!);
            weight[k * o.batch + j] = 1;
          }
          rows += r.length;
        }
        const perStep: Record<string, TypedArray> = { batch, rowWeight: weight };
        for (const f of extra) {
          if (!(f.name in inputs)) throw new Error(`the schedule gives no value for per-step input ${f.name}`);
          perStep[f.name] = (allocate(f.dtype, n) as Float32Array | Float64Array).fill(inputs[f.name]!);
        }
        const t0 = performance.now();
        const constants = { ...o.constants, ...Object.fromEntries(hookConstants), data: o.data.read(block) };
        const reports = await runner.run(n, perStep, constants, new Float64Array(n).fill(lr));
        const dt = (performance.now() - t0) / 1000;
        loopSec += dt;
        rowsSeen += rows;
        secPerStep = secPerStep ? 0.7 * secPerStep + (0.3 * dt) / n : dt / n;
        stepsPerRun = Math.max(1, Math.min(o.maxStepsPerRun ?? 64, Math.round((o.targetRunSec ?? DEFAULT_RUN_SEC) / secPerStep)));
        const means: Record<string, number> = {};
        for (const [k, v] of Object.entries(reports)) {
          let total = 0;
          for (const x of v) total += x;
          sums[k] = (sums[k] ?? 0) + total;
          means[k] = total / v.length;
          if (!Number.isFinite(total))
            throw new Error(`training diverged: ${k} became ${total} at epoch ${epoch + 1}; try a lower learning rate`);
        }
        counted += n;
        s += n;
        const done = epoch * stepsPerEpoch + s;
        o.onProgress?.({
          phase,
          epoch,
          epochs: o.epochs,
          step: done,
          totalSteps,
          losses: means,
          cellsPerSec: rowsSeen / loopSec,
          etaSec: (totalSteps - done) * secPerStep,
          provider: runner.opened.provider,
          elapsedSec: (performance.now() - started) / 1000,
        });
      }
      const record: EpochRecord = { epoch, losses: Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / counted])) };
      let best = meta.best;
      if (o.validate) {
        record.val = await o.validate(runner.params());
        if (!Number.isFinite(record.val))
          throw new Error(`training diverged: the validation loss became ${record.val} at epoch ${epoch + 1}`);
        if (!best || record.val < best.val) {
          best = { epoch, val: record.val };
          bestParams = new Map([...runner.params()].map(([k, v]) => [k, v.slice()]));
        }
      }
      history.push(record);
      meta = { ...meta, epoch: epoch + 1, stepInEpoch: 0, partial: {}, partialSteps: 0, best };
      save();
      const es = o.earlyStopping;
      if (es && best && epoch >= es.startEpoch && epoch - best.epoch >= es.patience) {
        status = "early";
        break;
      }
    }
    if (status === "stopped") save();
    return {
      status,
      params: bestParams && status !== "stopped" ? bestParams : runner.params(),
      bestEpoch: bestParams && status !== "stopped" ? meta.best!.epoch : history.length - 1,
      slots: runner.slots(),
      history,
      steps: runner.t,
      provider: runner.opened.provider,
      fallbackReason: runner.opened.fallbackReason,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await runner.close();
  }
}

function dtypeOf(v: TypedArray): CheckpointTensor["dtype"] {
  if (v instanceof Float64Array) return "float64";
  if (v instanceof BigInt64Array) return "int64";
  if (v instanceof Float32Array) return "float32";
  throw new Error("a constant must be float32, float64 or int64");
}

function epochState(runner: LoopRunner, constants: Map<string, TypedArray>): EpochState {
  return {
    params: () => runner.params(),
    resetRows: (name, rows, values) => {
      const param = runner.state.get(name);
      if (!param) throw new Error(`resetRows: ${name} is not a trainable parameter`);
      const width = values.length / rows.length;
      const slots = runner.program.state.filter((s) => s.param === name && s.slot !== null).map((s) => runner.state.get(s.name)!);
      rows.forEach((r, i) => {
        (param as Float32Array).set((values as Float32Array).subarray(i * width, (i + 1) * width), r * width);
        for (const slot of slots) (slot as Float32Array).fill(0, r * width, (r + 1) * width);
      });
    },
    setConstant: (name, data) => {
      constants.set(name, data);
    },
  };
}
