import { gradients } from "../autodiff/grad.js";
import type { DType } from "../graph/dtype.js";
import type { Graph, ParamInfo, RandomDist, Value } from "../graph/value.js";
import { Emitter } from "../onnx/emitter.js";
import { encodeModel, type GraphProto, valueInfo } from "../onnx/proto.js";
import type { Optimizer } from "../optim/optimizer.js";

export interface TrainProgramSpec {
  graph: Graph;
  /** The scalar that is minimised. */
  loss: Value;
  /** Extra scalars reported for every step (the loss is always reported as "loss"). */
  report?: Readonly<Record<string, Value>>;
  /** Parameter groups that train; every other parameter the loss reads is frozen (fed, never updated). */
  trainable: readonly string[];
  optimizer: Optimizer;
  /** Inputs fed once per run (e.g. the data block rows are gathered from). All other inputs are fed per step. */
  constants?: readonly Value[];
}

export interface Feed {
  name: string;
  dtype: DType;
  /** The shape of one step's value (per-step feeds get a leading steps axis). */
  shape: readonly (number | string)[];
}

export interface StateSlot extends Feed {
  shape: readonly number[];
  /** The parameter this slot belongs to. */
  param: string;
  /** null for the parameter itself, else the optimizer slot's name. */
  slot: string | null;
}

export interface TrainProgram {
  /** An ONNX model whose one Loop runs `steps` optimizer steps. */
  model: Uint8Array;
  /** Carried state in order: the trainable parameters and their optimizer slots. Output `next:<name>`. */
  state: StateSlot[];
  frozen: ParamInfo[];
  trainable: ParamInfo[];
  /** Per-step inputs the caller provides (including the optimizer scalars `opt.<k>`). */
  perStep: Feed[];
  /** Per-step random inputs the runtime draws. */
  random: (Feed & { dist: RandomDist })[];
  constants: Feed[];
  /** Names of per-step reported scalars; output `report:<name>`, shape [steps]. */
  reports: string[];
  optimizer: Optimizer;
}

/**
 * Compiles forward pass, gradients and optimizer update into one ONNX Loop: the state (parameters and moments) is
 * carried from step to step inside onnxruntime, each step gathers its own slice of every per-step input by the
 * iteration number, and only the final state and the per-step reports come back to the host.
 */
export function compileTrainProgram(spec: TrainProgramSpec): TrainProgram {
  const { graph: g, loss, optimizer } = spec;
  const leaves = leavesOf([loss, ...Object.values(spec.report ?? {})]);
  const used = [...g.params.values()].filter((p) => leaves.has(p.value));
  const trainable = used.filter((p) => spec.trainable.includes(p.group));
  const frozen = used.filter((p) => !spec.trainable.includes(p.group));
  if (!trainable.length) throw new Error(`no parameter of the groups [${spec.trainable.join(", ")}] affects the loss`);
  const dtype = trainable[0]!.value.dtype;
  if (trainable.some((p) => p.value.dtype !== dtype)) throw new Error("all trainable parameters must share one dtype");

  const grads = gradients(
    loss,
    trainable.map((p) => p.value),
  );
  const scalars = Object.fromEntries(optimizer.scalars.map((k) => [k, g.input(`opt.${k}`, dtype, [])]));
  const state: StateSlot[] = [];
  const carriedIn: Value[] = [];
  const carriedOut: Value[] = [];
  trainable.forEach((p, i) => {
    const v = p.value;
    const shape = v.shape as number[];
    const slots = optimizer.slots.map((s) => g.input(`${v.name}.${s}`, dtype, shape));
    const next = optimizer.update(v, grads[i]!, slots, scalars);
    state.push({ name: v.name, dtype, shape, param: v.name, slot: null });
    for (const s of optimizer.slots) state.push({ name: `${v.name}.${s}`, dtype, shape, param: v.name, slot: s });
    carriedIn.push(v, ...slots);
    carriedOut.push(next.param, ...next.slots);
  });

  const reports = { loss, ...(spec.report ?? {}) };
  for (const [k, r] of Object.entries(reports)) if (r.rank !== 0) throw new Error(`report ${k} must be a scalar, got ${r}`);
  const constantSet = new Set(spec.constants ?? []);
  const carriedSet = new Set(carriedIn);
  const inputs = [...g.inputs.values()].filter((v) => !carriedSet.has(v));
  const perStepInputs = inputs.filter((v) => !constantSet.has(v) && !v.randomDist);
  const randomInputs = inputs.filter((v) => !constantSet.has(v) && v.randomDist);

  // The Loop body. Names in a subgraph must not shadow outer names, hence the prefix.
  const e = new Emitter("b/");
  const bodyInputs = [valueInfo("b/iter", "int64", []), valueInfo("b/cond", "bool", [])];
  state.forEach((s, i) => {
    e.bind(carriedIn[i]!, `b/in:${s.name}`);
    bodyInputs.push(valueInfo(`b/in:${s.name}`, s.dtype, s.shape));
  });
  for (const v of [...perStepInputs, ...randomInputs]) {
    const slice = e.tmp("Gather", [v.name, "b/iter"], { axis: { int: 0 } });
    e.bind(v, slice);
  }
  for (const v of [...constantSet, ...frozen.map((p) => p.value)]) e.bind(v, v.name);
  e.emitNamed([
    ...carriedOut.map((v, i) => [`b/out:${state[i]!.name}`, v] as const),
    ...Object.entries(reports).map(([k, v]) => [`b/report:${k}`, v] as const),
  ]);
  e.node("Identity", ["b/cond"], ["b/cond_out"]);
  const body: GraphProto = {
    name: "step",
    node: e.nodes,
    input: bodyInputs,
    output: [
      valueInfo("b/cond_out", "bool", []),
      ...state.map((s) => valueInfo(`b/out:${s.name}`, s.dtype, s.shape)),
      ...Object.entries(reports).map(([k, v]) => valueInfo(`b/report:${k}`, v.dtype, [])),
    ],
  };

  const feed = (v: Value): Feed => ({ name: v.name, dtype: v.dtype, shape: v.shape });
  const main = new Emitter("m/");
  const trueName = main.const("bool", [], [1]);
  main.node(
    "Loop",
    ["steps", trueName, ...state.map((s) => s.name)],
    [...state.map((s) => `next:${s.name}`), ...Object.keys(reports).map((k) => `report:${k}`)],
    { body: { graph: body } },
  );
  const model = encodeModel(
    {
      name: "train",
      node: main.nodes,
      input: [
        valueInfo("steps", "int64", []),
        ...state.map((s) => valueInfo(s.name, s.dtype, s.shape)),
        ...[...perStepInputs, ...randomInputs].map((v) => valueInfo(v.name, v.dtype, ["steps", ...v.shape])),
        ...[...constantSet].map((v) => valueInfo(v.name, v.dtype, v.shape)),
        ...frozen.map((p) => valueInfo(p.value.name, p.value.dtype, p.value.shape)),
      ],
      output: [
        ...state.map((s) => valueInfo(`next:${s.name}`, s.dtype, s.shape)),
        ...Object.entries(reports).map(([k, v]) => valueInfo(`report:${k}`, v.dtype, ["steps"])),
      ],
    },
    { doc: `training loop (${optimizer.kind}) over groups ${spec.trainable.join(", ")}` },
  );
  return {
    model,
    state,
    frozen,
    trainable,
    perStep: perStepInputs.map(feed),
    random: randomInputs.map((v) => ({ ...feed(v), dist: v.randomDist! })),
    constants: [...constantSet].map(feed),
    reports: Object.keys(reports),
    optimizer,
  };
}

/** The leaves (inputs, parameters, constants) that `outputs` read. */
export function leavesOf(outputs: readonly Value[]): Set<Value> {
  const seen = new Set<Value>();
  const leaves = new Set<Value>();
  const stack = [...outputs];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (v.isLeaf) leaves.add(v);
    stack.push(...v.inputs);
  }
  return leaves;
}
