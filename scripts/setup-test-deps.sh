#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: Debian's Python with anndata (the interop reference),
# scikit-misc (the LOESS scanpy uses, for the HVG reference), scipy and h5py. Idempotent and quiet when present.
set -euo pipefail
if /usr/bin/python3 -c 'import anndata, skmisc.loess, scipy, h5py' 2>/dev/null; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-test-deps: need root (or sudo) to apt-get install python3-anndata python3-skmisc" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup-test-deps: installing Debian packages python3-anndata python3-skmisc python3-scipy python3-h5py …"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-anndata python3-skmisc python3-scipy python3-h5py >/dev/null
/usr/bin/python3 -c 'import anndata, skmisc.loess, scipy, h5py'
