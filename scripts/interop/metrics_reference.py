"""Reference values for main/analysis (PCA and the scib integration metrics), computed with NumPy, SciPy and
scikit-learn from Debian (scanpy and scib are not packaged in Debian, so the scib pieces they use are written out
here from their published definitions: scib.metrics silhouette/silhouette_batch/nmi/ari/lisi_graph, umap-learn's
fuzzy_simplicial_set as scanpy's pp.neighbors calls it, and scib's C++ knn_graph as SciPy's Dijkstra).
Prints JSON.

Usage:
  metrics_reference.py pca MATRIX.f32 CELLS GENES EMBEDDING.f64 NPCS SCALE(0|1)
  metrics_reference.py metrics EMBEDDING.f64 CELLS DIMS INPUTS.json
    INPUTS.json: {"labels": [...] | null, "batches": [...] | null, "clusters": [...] | null}
"""
import json
import sys

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_samples
from sklearn.neighbors import NearestNeighbors


def load(path, dtype, rows, cols):
    return np.fromfile(path, dtype=dtype).reshape(rows, cols)


def pca(matrix_path, cells, genes, emb_path, npcs, scale):
    X = load(matrix_path, np.float32, cells, genes).astype(np.float64)
    X = X - X.mean(axis=0)
    if scale:
        sd = X.std(axis=0, ddof=1)
        sd[sd == 0] = 1
        X = X / sd
    # the PCs from the eigenvectors of the smaller Gram matrix (faster than a full SVD; same scores)
    if cells <= X.shape[1]:
        evals, U = np.linalg.eigh(X @ X.T)
        top = np.argsort(evals)[::-1][:npcs]
        S = np.sqrt(np.maximum(evals[top], 0))
        scores = U[:, top] * S
    else:
        evals, V = np.linalg.eigh(X.T @ X)
        top = np.argsort(evals)[::-1][:npcs]
        S = np.sqrt(np.maximum(evals[top], 0))
        scores = X @ V[:, top]
    ours = load(emb_path, np.float64, cells, npcs)
    diffs = []
    for k in range(npcs):
        sign = 1.0 if np.dot(scores[:, k], ours[:, k]) >= 0 else -1.0
        diffs.append(float(np.max(np.abs(sign * ours[:, k] - scores[:, k])) / np.max(np.abs(scores[:, k]))))
    return {
        "variance": (S[:npcs] ** 2 / (cells - 1)).tolist(),
        "total_variance": float((X ** 2).sum() / (cells - 1)),
        "max_rel_score_diff": diffs,
    }


def codes_of(values):
    _, codes = np.unique(np.asarray(values), return_inverse=True)
    return codes


def batch_asw(X, batches, labels):
    """scib silhouette_batch, scaled: per label with 1 < batches < cells, mean of 1 - |s|; mean over labels."""
    per_label = []
    for g in np.unique(labels):
        idx = np.where(labels == g)[0]
        nb = len(np.unique(batches[idx]))
        if nb == 1 or nb == len(idx):
            continue
        s = silhouette_samples(X[idx], batches[idx], metric="euclidean")
        per_label.append(np.mean(1 - np.abs(s)))
    return float(np.mean(per_label)) if per_label else None


def umap_connectivities(X, n_neighbors=15):
    """scanpy pp.neighbors(n_neighbors=15) on an embedding: exact kNN (self first), umap-learn fuzzy_simplicial_set."""
    n = X.shape[0]
    dist, idx = NearestNeighbors(n_neighbors=n_neighbors, algorithm="brute").fit(X).kneighbors(X)
    # scanpy's lists start with the cell itself at distance exactly 0 (sklearn's brute search leaves ~1e-7 there)
    assert np.all(idx[:, 0] == np.arange(n)), "duplicate cells in the test embedding"
    dist[:, 0] = 0.0
    # smooth_knn_dist (local_connectivity = 1, bandwidth = 1), all cells at once
    target = np.log2(n_neighbors)
    rho = np.array([row[row > 0][0] if np.any(row > 0) else 0.0 for row in dist])
    lo = np.zeros(n)
    hi = np.full(n, np.inf)
    mid = np.ones(n)
    active = np.ones(n, dtype=bool)
    for _ in range(64):
        d = dist[:, 1:] - rho[:, None]
        psum = np.where(d > 0, np.exp(-(np.maximum(d, 0) / mid[:, None])), 1.0).sum(axis=1)
        done = np.abs(psum - target) < 1e-5
        active &= ~done
        upd = active & (psum > target)
        hi[upd] = mid[upd]
        mid[upd] = (lo[upd] + hi[upd]) / 2
        low = active & ~(psum > target)
        lo[low] = mid[low]
        mid[low] = np.where(np.isinf(hi[low]), mid[low] * 2, (lo[low] + hi[low]) / 2)
    sigma = mid
    floor = np.where(rho > 0, 1e-3 * dist.mean(axis=1), 1e-3 * dist.mean())
    sigma = np.maximum(sigma, floor)
    rows, cols, vals = [], [], []
    for i in range(n):
        for j in range(n_neighbors):
            c = idx[i, j]
            if c == i:
                continue
            e = dist[i, j] - rho[i]
            v = 1.0 if (e <= 0 or sigma[i] == 0) else np.exp(-(e / sigma[i]))
            rows.append(i)
            cols.append(c)
            vals.append(v)
    W = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    W.eliminate_zeros()
    Wt = W.T.tocsr()
    G = (W + Wt - W.multiply(Wt)).tocsr()
    G.eliminate_zeros()
    return G


def simpson_lisi(D, idx, labels, n_labels, perplexity, tol=1e-5):
    """scib compute_simpson_index_graph + 1/x, per cell (D: path lengths, idx: neighbours, both cells x k0)."""
    logU = np.log(perplexity)
    out = np.zeros(D.shape[0])

    def hbeta(d, beta):
        P = np.exp(-d * beta)
        s = np.nansum(P)
        if s == 0:
            return 0.0, np.zeros(len(d))
        return np.log(s) + beta * np.nansum(d * P) / s, P / s

    for i in range(D.shape[0]):
        beta, bmin, bmax = 1.0, -np.inf, np.inf
        H, P = hbeta(D[i], beta)
        diff = H - logU
        tries = 0
        while np.abs(diff) > tol and tries < 50:
            if diff > 0:
                bmin = beta
                beta = beta * 2 if bmax == np.inf else (beta + bmax) / 2
            else:
                bmax = beta
                beta = beta / 2 if bmin == -np.inf else (beta + bmin) / 2
            H, P = hbeta(D[i], beta)
            diff = H - logU
            tries += 1
        if H == 0:
            out[i] = -1
            continue
        sums = np.bincount(labels[idx[i]], weights=P, minlength=n_labels)
        out[i] = 1 / np.dot(sums, sums)
    return out


def graph_lisi(X, k0=90):
    G = umap_connectivities(X)
    n = X.shape[0]
    # scib's knn_graph: shortest paths with the connectivities as edge lengths, k0 nearest other cells
    k = min(k0, n - 1)
    # search radius per cell, doubled until the cell reaches k others (the same k nearest as an unlimited search)
    D = np.full((n, k), np.inf)
    order = np.zeros((n, k), dtype=int)
    todo = np.arange(n)
    limit = 0.05
    while len(todo) and limit < 1e6:
        rows = dijkstra(G, directed=True, indices=todo, limit=limit)
        rows[np.arange(len(todo)), todo] = np.inf
        ok = np.isfinite(rows).sum(axis=1) >= k
        sel = np.argsort(rows[ok], axis=1, kind="stable")[:, :k]
        order[todo[ok]] = sel
        D[todo[ok]] = np.take_along_axis(rows[ok], sel, axis=1)
        todo = todo[~ok]
        limit *= 2
    assert np.all(np.isfinite(D)), "the test embedding's graph is expected to be connected"
    return D, order, G


def metrics(emb_path, cells, dims, inputs_path):
    X = load(emb_path, np.float64, cells, dims)
    with open(inputs_path) as f:
        inp = json.load(f)
    out = {}
    labels = codes_of(inp["labels"]) if inp.get("labels") is not None else None
    batches = codes_of(inp["batches"]) if inp.get("batches") is not None else None
    if inp.get("clusters") is not None and labels is not None:
        clusters = np.asarray(inp["clusters"])
        out["nmi"] = float(normalized_mutual_info_score(clusters, labels, average_method="arithmetic"))
        out["ari"] = float(adjusted_rand_score(clusters, labels))
    D, order, G = graph_lisi(X)
    out["graph_edges"] = int(G.nnz)
    out["graph_weight_sum"] = float(G.sum())
    if labels is not None:
        s = silhouette_samples(X, labels, metric="euclidean")
        out["silhouette_samples"] = s.tolist()
        out["asw"] = float((s.mean() + 1) / 2)
        nl = len(np.unique(labels))
        lisi = simpson_lisi(D, order, labels, nl, np.floor(90 / 3))
        out["clisi_per_cell"] = lisi.tolist()
        out["clisi"] = float((nl - np.nanmedian(lisi)) / (nl - 1))
    if batches is not None:
        nb = len(np.unique(batches))
        out["batch_asw"] = batch_asw(X, batches, labels if labels is not None else np.zeros(cells, dtype=int))
        lisi = simpson_lisi(D, order, batches, nb, np.floor(90 / 3))
        out["ilisi_per_cell"] = lisi.tolist()
        out["ilisi"] = float((np.nanmedian(lisi) - 1) / (nb - 1))
    out["path_distances_first_cell"] = D[0].tolist()
    out["path_neighbours_first_cell"] = order[0].tolist()
    return out


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "pca":
        m, c, g, e, k, s = sys.argv[2:8]
        print(json.dumps(pca(m, int(c), int(g), e, int(k), s == "1")))
    elif cmd == "metrics":
        e, c, d, i = sys.argv[2:6]
        print(json.dumps(metrics(e, int(c), int(d), i)))
    else:
        sys.exit(f"unknown command {cmd}")
