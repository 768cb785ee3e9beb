// The model compiler's public surface: build IR, differentiate, optimise, compile to ONNX.
export { gradients } from "./autodiff/grad.js";
export { type ExportSpec, exportInference } from "./compile/export.js";
export { compileTrainProgram, type Feed, leavesOf, type StateSlot, type TrainProgram, type TrainProgramSpec } from "./compile/train.js";
export { allocate, type DType, type FloatDType, isFloat, ORT_TYPE, type TypedArray } from "./graph/dtype.js";
export { initParams } from "./graph/init.js";
export { Graph, type Init, type ParamInfo, type RandomDist, type Shape, Value } from "./graph/value.js";
export { multiHeadAttention } from "./models/attention.js";
export { BN_STATS, type BnMode, batchNorm } from "./models/batchnorm.js";
export type { Mode } from "./models/blocks.js";
export { contrastiveLoss, negativeMask } from "./models/contrastive.js";
export {
  DEEPCDR_ARCHITECTURE,
  type DeepCdrConfig,
  type DeepCdrInputs,
  type DeepCdrMode,
  type DeepCdrOutput,
  DRUG_MODEL,
  deepCdr,
} from "./models/deepcdr.js";
export { affineCodebook, type Quantized, vectorQuantize } from "./models/quantizer.js";
export {
  CELL,
  type CellSide,
  cellSide,
  cellVaeLoss,
  GENE,
  type GeneSide,
  geneSide,
  type SciLaMAConfig,
  type SciLaMATerms,
  sciLaMALoss,
  splitRows,
} from "./models/scilama.js";
export {
  type Embedding,
  embedCells,
  embedGenes,
  genesPerToken,
  SCPALM,
  type ScPaLMArchitecture,
  type Stage1,
  type Stage2,
  type Stage2Inputs,
  stage1,
  stage2,
} from "./models/scpalm.js";
export { decoderHidden, type Encoded, encoder, klPerRow, reparameterize, type VaeConfig, type VaeGraph, vae } from "./models/vae.js";
export { type GraphSpec, lowerGraph, toOnnx } from "./onnx/model.js";
export * as ops from "./ops/index.js";
export { type AdamWConfig, adamw } from "./optim/adamw.js";
export type { Optimizer } from "./optim/optimizer.js";
export { type SgdConfig, sgd } from "./optim/sgd.js";
export { Rng } from "./random.js";
