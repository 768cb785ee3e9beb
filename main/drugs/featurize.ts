/**
 * A drug as the graph of its heavy atoms with DeepChem's 75 ConvMol atom features (`atom_features(atom,
 * explicit_H=False)` of deepchem 2.x, as DeepCDR's process_drug.py computed them):
 *
 *   0–43  symbol, one-hot over ATOM_SYMBOLS (anything else → the last slot, "Unknown")
 *   44–54 degree (bonds to other atoms of the graph), one-hot over 0…10
 *   55–61 implicit valence, one-hot over 0…6 (more → the last slot)
 *   62    formal charge          63 radical electrons
 *   64–68 hybridization, one-hot over SP, SP2, SP3, SP3D, SP3D2 (anything else, e.g. S for a lone ion → SP3D2)
 *   69    aromatic
 *   70–74 total hydrogens, one-hot over 0…4 (more → the last slot)
 *
 * MinimalLib has no per-atom getters, so the values come from RDKit's JSON (element, charge, radicals, hydrogens,
 * bonds) and from single-atom SMARTS matches (`[^n]` hybridization, `[a]` aromatic).
 */
import type { Mol } from "@rdkit/rdkit";
import { MoleculeTooLarge, parseSmiles, type RDKit, SmilesError, smilesAtoms, withRDKit } from "./rdkit.js";

export interface DrugGraph {
  atoms: number;
  /** atoms × ATOM_FEATURES, row-major. */
  features: Float32Array;
  /** Each atom's neighbours (ascending); symmetric. */
  neighbours: number[][];
  /** RDKit's canonical SMILES; atom i is the i-th atom written in it. */
  smiles: string;
}

/**
 * DeepCDR's Max_atoms: its drug inputs are padded to 100 atoms, so a larger drug cannot enter the model (the packed
 * graphs have no padding, but the model learnt on drugs of at most 90 heavy atoms, and the SMARTS matches below stop
 * at 100 atoms). Counted on the SMILES text before RDKit reads it, so that a long molecule never reaches RDKit.
 */
export const MAX_ATOMS = 100;
export const ATOM_FEATURES = 75;

/** DeepChem's symbol list; the 44th slot ("Unknown") takes every other element. */
export const ATOM_SYMBOLS = [
  ["C", 6],
  ["N", 7],
  ["O", 8],
  ["S", 16],
  ["F", 9],
  ["Si", 14],
  ["P", 15],
  ["Cl", 17],
  ["Br", 35],
  ["Mg", 12],
  ["Na", 11],
  ["Ca", 20],
  ["Fe", 26],
  ["As", 33],
  ["Al", 13],
  ["I", 53],
  ["B", 5],
  ["V", 23],
  ["K", 19],
  ["Tl", 81],
  ["Yb", 70],
  ["Sb", 51],
  ["Sn", 50],
  ["Ag", 47],
  ["Pd", 46],
  ["Co", 27],
  ["Se", 34],
  ["Ti", 22],
  ["Zn", 30],
  ["H", 1],
  ["Li", 3],
  ["Ge", 32],
  ["Cu", 29],
  ["Au", 79],
  ["Ni", 28],
  ["Cd", 48],
  ["In", 49],
  ["Mn", 25],
  ["Zr", 40],
  ["Cr", 24],
  ["Pt", 78],
  ["Hg", 80],
  ["Pb", 82],
  ["Unknown", -1],
] as const;

const SLOT_OF_Z = new Map<number, number>(ATOM_SYMBOLS.map(([, z], slot) => [z, slot]));
const UNKNOWN_SLOT = ATOM_SYMBOLS.length - 1;
const DEGREE = 44;
const IMPLICIT_VALENCE = 55;
const CHARGE = 62;
const RADICALS = 63;
const HYBRIDIZATION = 64;
const AROMATIC = 69;
const TOTAL_HS = 70;
const MAX_DEGREE = 10;

/** RDKit's SMARTS hybridization codes ^1…^4 (SP…SP3D) in DeepChem's order; every other code falls in the last slot. */
const HYBRIDIZATION_SMARTS = ["[^1]", "[^2]", "[^3]", "[^4]"];

/** One atom of the SMILES as written: bracket atoms, then the organic subset (two-letter symbols first). */
const ATOM_TOKEN = /\[[^\]]*\]|Br|Cl|[BCNOPSFIbcnops*]/g;

interface JsonAtom {
  z?: number;
  impHs?: number;
  chg?: number;
  nRad?: number;
}

interface MolJson {
  defaults: { atom: Required<JsonAtom> };
  molecules: [{ atoms: JsonAtom[]; bonds?: { atoms: [number, number] }[] }];
}

/** The atoms a single-atom SMARTS matches. */
function matching({ module }: RDKit, mol: Mol, smarts: string): number[] {
  const query = module.get_qmol(smarts);
  if (!query) throw new Error(`RDKit rejected the SMARTS ${smarts}`);
  try {
    const found: unknown = JSON.parse(mol.get_substruct_matches(query, JSON.stringify({ maxMatches: MAX_ATOMS })));
    return Array.isArray(found) ? found.map((m: { atoms: number[] }) => m.atoms[0]!) : [];
  } finally {
    query.delete();
  }
}

/** The drug graph of a SMILES string; refuses (SmilesError) what RDKit cannot read, and drugs over MAX_ATOMS. */
export async function featurize(smiles: string): Promise<DrugGraph> {
  const written = smilesAtoms(smiles).heavy;
  if (written > MAX_ATOMS) throw new MoleculeTooLarge(smiles.trim(), written, MAX_ATOMS, "DeepCDR's drug graphs");
  return withRDKit(smiles, (r) => featurizeWith(r, smiles));
}

function featurizeWith(r: RDKit, smiles: string): DrugGraph {
  const input = parseSmiles(r, smiles);
  let canonical: string;
  let atoms: number;
  try {
    atoms = input.get_num_atoms();
    if (atoms > MAX_ATOMS) throw new MoleculeTooLarge(smiles.trim(), atoms, MAX_ATOMS, "DeepCDR's drug graphs");
    canonical = input.get_smiles();
  } finally {
    input.delete();
  }
  // DeepChem's implicit valence is RDKit's count of implicit hydrogens: 0 on a bracket atom ([nH], [C@H], [NH3+],
  // whose hydrogens are written, so explicit) and the total H count on any other. MinimalLib does not expose it, but
  // the SMILES shows it atom by atom (RDKit numbers atoms in the order they are written). The canonical SMILES is the
  // one read and featurized, so that a drug's graph depends on the molecule, not on how it was written ([CH3]C → CC).
  const mol = parseSmiles(r, canonical);
  try {
    return graphOf(r, mol, canonical);
  } finally {
    mol.delete();
  }
}

function graphOf(r: RDKit, mol: Mol, smiles: string): DrugGraph {
  const json = JSON.parse(mol.get_json()) as MolJson;
  const defaults = json.defaults.atom;
  const { atoms: jsonAtoms, bonds = [] } = json.molecules[0];
  const atoms = jsonAtoms.length;
  const bracket = Array.from(smiles.matchAll(ATOM_TOKEN), (m) => m[0].startsWith("["));
  if (bracket.length !== atoms) throw new Error(`RDKit's SMILES ${smiles} does not write its ${atoms} atoms one by one`);

  const neighbours = Array.from({ length: atoms }, (): number[] => []);
  for (const bond of bonds) {
    const [a, b] = bond.atoms;
    neighbours[a]!.push(b);
    neighbours[b]!.push(a);
  }
  for (const n of neighbours) n.sort((x, y) => x - y);

  const hybridization = new Array<number>(atoms).fill(HYBRIDIZATION_SMARTS.length);
  HYBRIDIZATION_SMARTS.forEach((smarts, slot) => {
    for (const i of matching(r, mol, smarts)) hybridization[i] = slot;
  });
  const aromatic = matching(r, mol, "[a]");

  const features = new Float32Array(atoms * ATOM_FEATURES);
  for (let i = 0; i < atoms; i++) {
    const a = { ...defaults, ...jsonAtoms[i] };
    const row = features.subarray(i * ATOM_FEATURES, (i + 1) * ATOM_FEATURES);
    const degree = neighbours[i]!.length;
    if (degree > MAX_DEGREE) throw new SmilesError(smiles, `an atom with ${degree} bonds; DeepChem's features stop at ${MAX_DEGREE}`);
    row[SLOT_OF_Z.get(a.z) ?? UNKNOWN_SLOT] = 1;
    row[DEGREE + degree] = 1;
    row[IMPLICIT_VALENCE + Math.min(bracket[i] ? 0 : a.impHs, 6)] = 1;
    row[CHARGE] = a.chg;
    row[RADICALS] = a.nRad;
    row[HYBRIDIZATION + hybridization[i]!] = 1;
    row[TOTAL_HS + Math.min(a.impHs, 4)] = 1;
  }
  for (const i of aromatic) features[i * ATOM_FEATURES + AROMATIC] = 1;
  return { atoms, features, neighbours, smiles };
}
