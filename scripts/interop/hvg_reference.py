"""Reference highly-variable-gene selection, written from scanpy 1.9's published algorithm
(scanpy/preprocessing/_highly_variable_genes.py) because scanpy itself is not packaged in Debian: seurat_v3 uses
the same skmisc LOESS (span 0.3, degree 2) that scanpy calls; seurat uses pandas.cut bins as scanpy does.
Prints a JSON list of the selected gene names.
Usage: /usr/bin/python3 scripts/interop/hvg_reference.py FILE.h5ad seurat_v3|seurat N_TOP [direct|interpolate]"""
import json
import sys

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp
from skmisc.loess import loess


def mean_var(X):
    mean = np.asarray(X.mean(axis=0)).ravel()
    sq = np.asarray(X.multiply(X).mean(axis=0)).ravel() if sp.issparse(X) else (X ** 2).mean(axis=0)
    var = (sq - mean ** 2) * (X.shape[0] / (X.shape[0] - 1))
    return mean, var


def seurat_v3(X, n_top, surface):
    mean, var = mean_var(X)
    not_const = var > 0
    estimat_var = np.zeros(X.shape[1], dtype=np.float64)
    y = np.log10(var[not_const])
    x = np.log10(mean[not_const])
    model = loess(x, y, span=0.3, degree=2, surface=surface)
    model.fit()
    estimat_var[not_const] = model.outputs.fitted_values
    reg_std = np.sqrt(10 ** estimat_var)
    N = X.shape[0]
    clip_val = reg_std * np.sqrt(N) + mean
    Xc = X.tocsr(copy=True).astype(np.float64)
    Xc.data = np.minimum(Xc.data, clip_val[Xc.indices])
    sq_sum = np.asarray(Xc.multiply(Xc).sum(axis=0)).ravel()
    s = np.asarray(Xc.sum(axis=0)).ravel()
    norm_var = (1 / ((N - 1) * reg_std ** 2)) * ((N * mean ** 2) + sq_sum - 2 * s * mean)
    order = np.argsort(-norm_var, kind="stable")
    return order[:n_top]


def seurat(X, n_top):
    X = X.copy()
    X.data = np.expm1(X.data)
    mean, var = mean_var(X)
    mean[mean == 0] = 1e-12
    dispersion = var / mean
    dispersion[dispersion == 0] = np.nan
    dispersion = np.log(dispersion)
    mean = np.log1p(mean)
    df = pd.DataFrame({"means": mean, "dispersions": dispersion})
    df["mean_bin"] = pd.cut(df["means"], bins=20)
    grouped = df.groupby("mean_bin")["dispersions"]
    bin_mean = grouped.mean()
    bin_std = grouped.std(ddof=1)
    one = bin_std.isnull()
    bin_std[one] = bin_mean[one].values
    bin_mean[one] = 0
    df["dispersions_norm"] = (df["dispersions"].values - bin_mean[df["mean_bin"].values].values) / bin_std[df["mean_bin"].values].values
    norm = df["dispersions_norm"].values
    finite = np.sort(norm[~np.isnan(norm)])[::-1]
    cut = finite[n_top - 1]
    return np.where(np.nan_to_num(norm) >= cut)[0]


adata = ad.read_h5ad(sys.argv[1])
flavor, n_top = sys.argv[2], int(sys.argv[3])
surface = sys.argv[4] if len(sys.argv) > 4 else "interpolate"
X = sp.csr_matrix(adata.X).astype(np.float64)
if flavor == "seurat_v3":
    chosen = seurat_v3(X, n_top, surface)
else:
    totals = np.asarray(X.sum(axis=1)).ravel()
    X = sp.diags(1e4 / totals) @ X
    X.data = np.log1p(X.data)
    chosen = seurat(sp.csr_matrix(X), n_top)
print(json.dumps(sorted(adata.var_names[chosen].tolist())))
