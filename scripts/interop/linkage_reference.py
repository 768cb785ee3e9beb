"""Reference for main/isomorphic/cluster.ts: SciPy's average-linkage dendrogram on Euclidean distance of the rows of
a float64 matrix, and its leaves as scipy.cluster.hierarchy.leaves_list orders them. Prints JSON.

Usage:
  linkage_reference.py MATRIX.f64 ROWS COLS
"""
import json
import sys

import numpy as np
from scipy.cluster.hierarchy import leaves_list, linkage


def main(path, rows, cols):
    x = np.fromfile(path, dtype=np.float64).reshape(int(rows), int(cols))
    z = linkage(x, method="average", metric="euclidean")
    print(json.dumps({"z": z.tolist(), "leaves": leaves_list(z).tolist()}))


main(*sys.argv[1:])
