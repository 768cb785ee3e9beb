"""Reads an integration result .h5ad with anndata and reports, as JSON, what a scanpy user would look at: the shapes
of obsm/varm entries, the leiden categories, checksums of the embeddings, and the run parameters in uns.
Used by the integration test to check that anndata sees what the app wrote.
Usage: /usr/bin/python3 scripts/interop/describe_integration.py RESULT.h5ad"""
import json
import sys

import anndata as ad
import numpy as np

a = ad.read_h5ad(sys.argv[1])
u = a.uns["sciLaMA"]
print(json.dumps({
    "shape": list(a.shape),
    "obsm": {k: list(v.shape) for k, v in a.obsm.items()},
    "varm": {k: list(v.shape) for k, v in a.varm.items()},
    "obs": list(a.obs.columns),
    "leiden_dtype": str(a.obs["leiden"].dtype),
    "leiden_categories": [str(c) for c in a.obs["leiden"].cat.categories],
    "sums": {k: float(np.asarray(v, dtype=np.float64).sum()) for k, v in [*a.obsm.items(), *a.varm.items()]},
    "var_names": list(map(str, a.var_names[:5])),
    "uns": {"prior": str(u["prior"]), "preset": str(u["preset"]), "seed": int(u["seed"]), "latent": int(u["hyper"]["latent"]),
            "gamma": float(u["hyper"]["gamma"]), "methods": [str(m) for m in u["metrics"]["method"]] if "method" in u["metrics"] else None},
}))
