/**
 * RDKit's MinimalLib (WebAssembly), loaded once on first use, and the one way a drug's SMILES becomes a molecule:
 * refused with the reason RDKit gives (and the position it points at) when it cannot be read.
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

/** A SMILES string that cannot be a drug: the message quotes it and says why. */
export class SmilesError extends Error {
  readonly smiles: string;

  constructor(smiles: string, reason: string) {
    super(`SMILES "${smiles}": ${reason}`);
    this.name = "SmilesError";
    this.smiles = smiles;
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
  errors.clear_buffer();
  const mol = module.get_mol(s);
  if (!mol) throw new SmilesError(s, reasonOf(errors.get_buffer()));
  if (mol.get_num_atoms(true) === 0) {
    mol.delete();
    throw new SmilesError(s, "no heavy atoms; a drug graph is made of its heavy atoms");
  }
  return mol;
}
