/**
 * Training data as row blocks. Each block is fed to the training Loop once per run and minibatch rows are gathered
 * from it inside the graph; data larger than memory is a source with several blocks read one at a time.
 */
export interface BlockSource {
  readonly rows: number;
  readonly cols: number;
  readonly blocks: number;
  /** Number of rows in block b. */
  blockRows(b: number): number;
  /** Row-major float32 values of block b. */
  read(b: number): Float32Array;
}

/** A dense matrix held in memory (possibly in a SharedArrayBuffer handed to a worker): one block. */
export function denseSource(values: Float32Array, rows: number, cols: number): BlockSource {
  if (values.length !== rows * cols) throw new Error(`dense data has ${values.length} values, expected ${rows} × ${cols}`);
  return { rows, cols, blocks: 1, blockRows: () => rows, read: () => values };
}

/** Splits an in-memory matrix into blocks of `blockRows` rows (how out-of-core sources behave, testable in memory). */
export function blockedSource(values: Float32Array, rows: number, cols: number, blockRows: number): BlockSource {
  if (values.length !== rows * cols) throw new Error(`dense data has ${values.length} values, expected ${rows} × ${cols}`);
  const blocks = Math.ceil(rows / blockRows);
  return {
    rows,
    cols,
    blocks,
    blockRows: (b) => Math.min(blockRows, rows - b * blockRows),
    read: (b) => values.subarray(b * blockRows * cols, Math.min(rows, (b + 1) * blockRows) * cols),
  };
}
