#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: Debian's Python with anndata (the interop reference),
# scikit-misc (the LOESS scanpy uses, for the HVG reference), scikit-learn (the metrics reference), scipy and h5py.
# Idempotent and quiet when present.
set -euo pipefail
PKGS="python3-anndata python3-skmisc python3-sklearn python3-scipy python3-h5py"
CHECK='import anndata, skmisc.loess, sklearn.metrics, scipy, h5py'
if /usr/bin/python3 -c "$CHECK" 2>/dev/null; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-test-deps: need root (or sudo) to apt-get install $PKGS" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup-test-deps: installing Debian packages $PKGS …"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
/usr/bin/python3 -c "$CHECK"
