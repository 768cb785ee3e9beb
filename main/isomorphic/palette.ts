/** The categorical palette of every figure, on screen and in reports: Okabe–Ito (colour-blind safe), then Tableau. */
export const PALETTE: readonly string[] = [
  "#0072B2",
  "#E69F00",
  "#009E73",
  "#CC79A7",
  "#56B4E9",
  "#D55E00",
  "#F0E442",
  "#000000",
  "#4E79A7",
  "#F28E2B",
  "#E15759",
  "#76B7B2",
  "#59A14F",
  "#EDC948",
  "#B07AA1",
  "#FF9DA7",
  "#9C755F",
  "#BAB0AC",
  "#A0CBE8",
  "#FFBE7D",
  "#8CD17D",
  "#B6992D",
  "#86BCB6",
  "#FABFD2",
  "#D4A6C8",
  "#D7B5A6",
];

/** Eight levels of a continuous value (grey = not detected / not above 0, then light to dark red). */
export const LEVELS: readonly string[] = ["#d9d9d9", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#990000"];

/** The LEVELS index of `v` on a scale from `floor` (values at or below it: level 0, grey) to `max`. */
export function levelOf(v: number, floor: number, max: number): number {
  const top = LEVELS.length - 1;
  return v <= floor ? 0 : Math.min(top, 1 + Math.floor((top * (v - floor)) / (max - floor || 1)));
}
