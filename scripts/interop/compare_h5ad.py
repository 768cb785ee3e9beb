"""Reads two .h5ad files with anndata and reports, as JSON, whether X, obs, var, obsm and layers are identical
(values and dtypes). Used by the interop test: the first file is the original, the second what the app wrote.
Usage: /usr/bin/python3 scripts/interop/compare_h5ad.py ORIGINAL WRITTEN"""
import json
import sys

import anndata as ad
import numpy as np
import scipy.sparse as sp


def same_matrix(a, b):
    if sp.issparse(a) != sp.issparse(b) or a.shape != b.shape or a.dtype != b.dtype:
        return False
    if sp.issparse(a):
        return (a != b).nnz == 0
    return bool(np.array_equal(a, b))


def frame_problems(a, b):
    problems = []
    if list(a.index) != list(b.index):
        problems.append("index differs")
    if list(a.columns) != list(b.columns):
        problems.append(f"columns differ: {list(a.columns)} vs {list(b.columns)}")
        return problems
    for c in a.columns:
        if str(a[c].dtype) != str(b[c].dtype):
            problems.append(f"{c}: dtype {a[c].dtype} vs {b[c].dtype}")
        elif not a[c].equals(b[c]):
            problems.append(f"{c}: values differ")
    return problems


orig = ad.read_h5ad(sys.argv[1])
new = ad.read_h5ad(sys.argv[2])
report = {
    "shape": [new.n_obs, new.n_vars],
    "X_identical": same_matrix(orig.X, new.X),
    "X_dtype": str(new.X.dtype),
    "X_format": type(new.X).__name__,
    "obs_problems": frame_problems(orig.obs, new.obs),
    "var_problems": frame_problems(orig.var, new.var),
    "obsm_identical": sorted(orig.obsm.keys()) == sorted(new.obsm.keys())
    and all(np.array_equal(orig.obsm[k], new.obsm[k]) for k in orig.obsm.keys()),
    "layers_identical": sorted(orig.layers.keys()) == sorted(new.layers.keys())
    and all(same_matrix(orig.layers[k], new.layers[k]) for k in orig.layers.keys()),
}
print(json.dumps(report))
