/** A drug's 2-D structure as RDKit draws it, an SVG string the UI and the report inline. */
import { parseSmiles, withRDKit } from "./rdkit.js";

export interface SvgSize {
  width: number;
  height: number;
}

/** Anything in an SVG that would run when inlined: a script element, an event handler, a javascript: link. */
const ACTIVE = /<script|\son[a-z]+\s*=|javascript:/i;

/** The structure drawing (refuses what featurize refuses, except size up to RDKit's own bound: a large drug still draws). */
export async function drugSvg(smiles: string, { width, height }: SvgSize): Promise<string> {
  for (const [name, v] of [
    ["width", width],
    ["height", height],
  ] as const)
    if (!Number.isInteger(v) || v <= 0 || v > 4096)
      throw new RangeError(`drawing ${name} ${v}: expected a whole number of pixels, 1 to 4096`);
  let svg = await withRDKit(smiles, (r) => {
    const mol = parseSmiles(r, smiles);
    try {
      return mol.get_svg(width, height);
    } finally {
      mol.delete();
    }
  });
  // The SVG is inlined in HTML, where an XML declaration has no place; it is data and must stay so.
  svg = svg.replace(/^<\?xml[^>]*>\s*/, "");
  if (!svg.startsWith("<svg") || ACTIVE.test(svg)) throw new Error(`RDKit's drawing of "${smiles}" is not a plain SVG`);
  return svg;
}
