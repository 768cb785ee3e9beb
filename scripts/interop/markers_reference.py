"""Reference values for the marker analyses (main/analysis/de.ts, enrichment.ts, stats.ts, metrics/cluster-quality.ts),
computed with SciPy and scikit-learn from Debian. Prints JSON.

Usage:
  markers_reference.py wilcoxon MATRIX.f64 CELLS GENES CODES.json
    MATRIX: the log-normalised values of the sampled genes (cells x genes, float64); CODES: group per cell.
    For every group and gene: scipy.stats.mannwhitneyu(group, rest, use_continuity=False, alternative="two-sided",
    method="asymptotic") p-value, and scanpy's log2 fold change of the un-logged means.
  markers_reference.py erfc X.json
  markers_reference.py hypergeom TESTS.json      [[k, list, set, universe], ...] -> scipy.stats.hypergeom.sf(k - 1, ...)
  markers_reference.py quality EMBEDDING.f64 N DIMS CODES.json  -> sklearn davies_bouldin / calinski_harabasz
"""
import json
import sys

import numpy as np
from scipy.special import erfc
from scipy.stats import hypergeom, mannwhitneyu
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score


def wilcoxon(path, cells, genes, codes_path):
    X = np.fromfile(path, dtype=np.float64).reshape(int(cells), int(genes))
    codes = np.array(json.load(open(codes_path)))
    out = []
    for g in sorted(set(codes.tolist())):
        inside = codes == g
        row = []
        for j in range(X.shape[1]):
            a, b = X[inside, j], X[~inside, j]
            p = mannwhitneyu(a, b, use_continuity=False, alternative="two-sided", method="asymptotic").pvalue
            lfc = np.log2((np.expm1(a.mean()) + 1e-9) / (np.expm1(b.mean()) + 1e-9))
            # A gene constant over all cells has no rank variance: SciPy gives NaN, scanpy a score of 0 (p = 1).
            row.append([None if np.isnan(p) else float(p), float(lfc)])
        out.append(row)
    return out


def main():
    cmd = sys.argv[1]
    if cmd == "wilcoxon":
        result = wilcoxon(*sys.argv[2:6])
    elif cmd == "erfc":
        result = [float(erfc(x)) for x in json.load(open(sys.argv[2]))]
    elif cmd == "hypergeom":
        result = [float(hypergeom.sf(k - 1, M, n, N)) for k, N, n, M in json.load(open(sys.argv[2]))]
    elif cmd == "quality":
        X = np.fromfile(sys.argv[2], dtype=np.float64).reshape(int(sys.argv[3]), int(sys.argv[4]))
        codes = np.array(json.load(open(sys.argv[5])))
        result = {"db": float(davies_bouldin_score(X, codes)), "ch": float(calinski_harabasz_score(X, codes))}
    else:
        raise SystemExit(f"unknown command {cmd}")
    print(json.dumps(result))


main()
