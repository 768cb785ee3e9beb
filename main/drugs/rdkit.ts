/**
 * RDKit's MinimalLib (WebAssembly), loaded once on first use, and the one way a drug's SMILES becomes a molecule:
 * refused with the reason RDKit gives (and the position it points at) when it cannot be read.
 *
 * RDKit's WebAssembly build has a small fixed stack: a long molecule overflows it inside RDKit (tried here on a plain
 * carbon chain: writing the SMILES of ~620 atoms fails with "memory access out of bounds", of 700 atoms it never
 * returns, and drawing or the JSON fail from ~830), and after such a trap the module's memory is corrupt — every later
 * call fails. So molecules are counted from the SMILES text before RDKit sees them (`smilesAtoms`) and refused above
 * a bound far below that; and should RDKit trap anyway, the module is dropped and loaded afresh for the next call.
 */
import RDKitMinimal, { type Log, type MainModule, type Mol } from "@rdkit/rdkit";

// The package is CommonJS with types that declare an ES default export. An ES import receives module.exports, which
// RDKit makes the factory itself and also gives a `.default` (the factory again); only `.default` is what the types
// promise, under tsc's NodeNext resolution and at run time alike.
const initRDKitModule = RDKitMinimal.default;

export interface RDKit {
  module: MainModule;
  /** RDKit's error log, captured so that a refusal can quote it instead of RDKit printing it to stderr. */
  errors: Log;
}

let loading: Promise<RDKit> | undefined;

export function rdkit(): Promise<RDKit> {
  loading ??= initRDKitModule().then((module) => {
    const errors = module.set_log_capture("rdApp.error");
    if (!errors) throw new Error("RDKit: cannot capture its error log");
    return { module, errors };
  });
  return loading;
}

/** A fault inside RDKit's WebAssembly (a trap such as "memory access out of bounds", or a C++ exception thrown
 *  through it), after which the module's memory cannot be trusted. */
function isTrap(e: unknown): boolean {
  const W = WebAssembly as unknown as { RuntimeError: ErrorConstructor; Exception?: new (...a: never[]) => object };
  return e instanceof W.RuntimeError || (W.Exception !== undefined && e instanceof W.Exception);
}

/**
 * Runs `work` on the RDKit module. If RDKit traps, that module is dropped (the next call loads a fresh one, so one
 * bad molecule cannot break every later check or run) and the molecule is refused; any Mol made in `work` belongs to
 * the dropped module and must not outlive it. `smiles` names the molecule in the refusal.
 */
export async function withRDKit<T>(smiles: string, work: (r: RDKit) => T | Promise<T>): Promise<T> {
  const current = rdkit();
  const r = await current;
  try {
    return await work(r);
  } catch (e) {
    if (!isTrap(e)) throw e;
    if (loading === current) loading = undefined;
    const what = e instanceof Error ? e.message : "an internal fault";
    throw new SmilesError(smiles.trim(), `RDKit failed on it (${what}); the molecule is too large or too complex for RDKit here`);
  }
}

/**
 * Atoms written in a SMILES string, counted on the text (RDKit is not asked): one per bracket atom, one per
 * organic-subset symbol (Br and Cl before B and C). `hydrogens` are the bracket atoms that are plain hydrogen
 * ([H], [H+]; isotopes such as [2H] stay in the molecule, so they count as heavy); RDKit folds them into their
 * neighbours. Characters that are not atoms (bonds, branches, ring digits) are skipped; RDKit judges them.
 */
export function smilesAtoms(smiles: string): { heavy: number; hydrogens: number } {
  let heavy = 0;
  let hydrogens = 0;
  for (const [token] of smiles.matchAll(/\[[^\]]*\]|Br|Cl|[BCNOPSFIbcnops*]/g))
    if (/^\[H(?![a-z])/.test(token)) hydrogens++;
    else heavy++;
  return { heavy, hydrogens };
}

/**
 * The most atoms a SMILES may write for RDKit to read it: 250 (heavy atoms and written hydrogens together), under half
 * the ~620-atom chain that already overflows RDKit's stack. No drug comes near it (the largest of GDSC2's 170 has 90
 * heavy atoms; the model's featurizer takes at most 100, `MAX_ATOMS` in featurize.ts, checked the same way first).
 */
export const RDKIT_MAX_ATOMS = 250;

/** A SMILES as a message quotes it: a long one by its start and length. */
const quoted = (smiles: string) => (smiles.length > 80 ? `${smiles.slice(0, 60)}…" (${smiles.length} characters)` : `${smiles}"`);

/** A SMILES string that cannot be a drug: the message quotes it and says why. */
export class SmilesError extends Error {
  readonly smiles: string;

  constructor(smiles: string, reason: string) {
    super(`SMILES "${quoted(smiles)}: ${reason}`);
    this.name = "SmilesError";
    this.smiles = smiles;
  }
}

/** A molecule refused for its size before RDKit reads it (a SmilesError: a check shows it like RDKit's reasons). */
export class MoleculeTooLarge extends SmilesError {
  readonly atoms: number;
  readonly limit: number;

  constructor(smiles: string, atoms: number, limit: number, why: string) {
    super(smiles, `${atoms} atoms; ${why} hold at most ${limit}`);
    this.name = "MoleculeTooLarge";
    this.atoms = atoms;
    this.limit = limit;
  }
}

/** RDKit's log as one reason: its first message (without timestamps or the repeated input) and the position. */
function reasonOf(log: string): string {
  const lines = log
    .split("\n")
    .map((l) => l.replace(/^\[\d\d:\d\d:\d\d\]\s*/, "").trim())
    .filter(Boolean);
  if (!lines.length) return "RDKit cannot read it";
  const first = lines[0]!
    .replace(/^SMILES Parse Error:\s*/, "")
    .replace(/\s+(while parsing|for input):.*$/, "")
    .replace(/\s+/g, " ")
    .replace(/\.$/, "");
  const position = /check for mistakes around position (\d+)/.exec(log)?.[1];
  return `${first}${position ? ` (RDKit points at position ${position})` : ""}`;
}

/**
 * The molecule of a SMILES string, hydrogens implicit as RDKit's MolFromSmiles leaves them. The caller deletes it.
 * Whitespace and braces are refused because get_mol would also read a mol block or JSON, which are not SMILES.
 */
export function parseSmiles({ module, errors }: RDKit, smiles: string): Mol {
  const s = smiles.trim();
  if (!s) throw new SmilesError(smiles, "empty; a drug needs a SMILES string");
  if (/[\s{}]/.test(s)) throw new SmilesError(s, "not a single SMILES string (it has spaces, line breaks or braces)");
  const { heavy, hydrogens } = smilesAtoms(s);
  if (heavy + hydrogens > RDKIT_MAX_ATOMS) throw new MoleculeTooLarge(s, heavy + hydrogens, RDKIT_MAX_ATOMS, "molecules RDKit reads here");
  errors.clear_buffer();
  const mol = module.get_mol(s);
  if (!mol) throw new SmilesError(s, reasonOf(errors.get_buffer()));
  if (mol.get_num_atoms(true) === 0) {
    mol.delete();
    throw new SmilesError(s, "no heavy atoms; a drug graph is made of its heavy atoms");
  }
  return mol;
}
