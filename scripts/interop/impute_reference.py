"""Reference values for main/analysis/impute: the per-gene imputation metrics of Li et al. 2022
(QuKunLab/SpatialBenchmarking GenesMetrics.py: pearsonr, spearmanr, JS on sum-normalised vectors with
scipy.stats.entropy, RMSE on scipy.stats.zscore), and SpaGE's kNN prediction (cosine, k neighbours, its
1 - d / sum(d) weights over neighbours closer than 1), computed with NumPy, SciPy and scikit-learn from Debian.
Prints JSON.

Usage:
  impute_reference.py metrics MEASURED.f64 IMPUTED.f64 CELLS GENES
  impute_reference.py knn REF_PANEL.f64 REF_CELLS TARGET_PANEL.f64 TARGET_CELLS PANEL REF_VALUES.f64 GENES K
"""
import json
import sys

import numpy as np
import scipy.stats as st
from sklearn.neighbors import NearestNeighbors


def load(path, rows, cols):
    return np.fromfile(path, dtype=np.float64).reshape(rows, cols)


def metrics(m_path, p_path, cells, genes):
    M = load(m_path, cells, genes)
    P = load(p_path, cells, genes)
    out = {"pcc": [], "scc": [], "jsd": [], "rmse": []}
    for g in range(genes):
        m, p = M[:, g], P[:, g]
        if m.std() == 0:
            for k in out:
                out[k].append(None)
            continue
        out["pcc"].append(float(st.pearsonr(m, p)[0]))
        out["scc"].append(float(st.spearmanr(m, p)[0]))
        q = np.clip(p, 0, None)
        P_ = m / m.sum()
        Q_ = q / q.sum()
        mid = (P_ + Q_) / 2
        out["jsd"].append(float(0.5 * st.entropy(P_, mid) + 0.5 * st.entropy(Q_, mid)))
        out["rmse"].append(float(np.sqrt(np.mean((st.zscore(m) - st.zscore(p)) ** 2))))
    return out


def knn(ref_path, ref_cells, tgt_path, tgt_cells, panel, val_path, genes, k):
    R = load(ref_path, ref_cells, panel)
    T = load(tgt_path, tgt_cells, panel)
    V = load(val_path, ref_cells, genes)
    nbrs = NearestNeighbors(n_neighbors=k, algorithm="brute", metric="cosine").fit(R)
    distances, indices = nbrs.kneighbors(T)
    out = np.zeros((tgt_cells, genes))
    for j in range(tgt_cells):
        close = distances[j, :] < 1
        w = 1 - distances[j, :][close] / np.sum(distances[j, :][close])
        w = w / (len(w) - 1)
        out[j, :] = w @ V[indices[j, :][close], :]
    return {"values": out.ravel().tolist()}


if __name__ == "__main__":
    cmd = sys.argv[1]
    a = sys.argv[2:]
    if cmd == "metrics":
        print(json.dumps(metrics(a[0], a[1], int(a[2]), int(a[3]))))
    elif cmd == "knn":
        print(json.dumps(knn(a[0], int(a[1]), a[2], int(a[3]), int(a[4]), a[5], int(a[6]), int(a[7]))))
    else:
        sys.exit(f"unknown command {cmd}")
