import type { Schedule } from "./fit.js";

/**
 * A serialisable training schedule: learning rate decayed per epoch, and the KL weight β warmed up as the sciLaMA
 * reference does (0 up to and including epoch `zeroEpochs`, then +`step` per epoch up to `max`).
 */
export interface ScheduleSpec {
  lr: number;
  /** Multiplier per epoch (sciLaMA: 0.99). */
  lrDecay?: number;
  beta?: { zeroEpochs: number; step: number; max: number };
  /** Other scalar inputs held fixed (e.g. sciLaMA's alignment weight γ). */
  fixed?: Readonly<Record<string, number>>;
}

export function scheduleFrom(spec: ScheduleSpec): Schedule {
  return (epoch) => {
    const b = spec.beta;
    const beta = b ? Math.min(b.max, Math.max(0, epoch - b.zeroEpochs) * b.step) : 1;
    return { lr: spec.lr * (spec.lrDecay ?? 1) ** epoch, inputs: { ...spec.fixed, beta } };
  };
}
