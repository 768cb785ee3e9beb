#!/usr/bin/env bash
# Installs what the tests need beyond npm packages: Debian's Python with anndata (the interop reference),
# scikit-misc (the LOESS scanpy uses, for the HVG reference), scikit-learn (the metrics reference), scipy and h5py;
# Debian's Chromium (the e2e tests and PDF reports) and poppler-utils (pdftotext, pdftoppm: reading PDFs back).
# Idempotent and quiet when present.
set -euo pipefail
PKGS="python3-anndata python3-skmisc python3-sklearn python3-scipy python3-h5py chromium poppler-utils fonts-dejavu-core"
CHECK='import anndata, skmisc.loess, sklearn.metrics, scipy, h5py'
present() { /usr/bin/python3 -c "$CHECK" 2>/dev/null && [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null; }
if present; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup-test-deps: need root (or sudo) to apt-get install $PKGS" >&2; exit 1; }
  SUDO="sudo"
fi
echo "setup-test-deps: installing Debian packages $PKGS …"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
present || { echo "setup-test-deps: $PKGS did not all install" >&2; exit 1; }
