#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine: Debian packages, .venv, the locked Python packages.
#   scripts/setup.sh          what the pipeline runs on (make run, make demo): requirements.lock
#   scripts/setup.sh --test   and the test tools (make test, make lint): requirements-test.lock
# A second call installs nothing that is already there (a stamp in .venv per lock file).
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_TEST=0
case "${1:-}" in
  --test) WITH_TEST=1 ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--test]" >&2; exit 2 ;;
esac

APT_PACKAGES=(
  libreoffice-writer-nogui   # DOCX -> PDF/A (the embedded converter)
  python3-uno                # Debian's python3 drives the warm LibreOffice (congkhai/convert/uno_bridge.py)
  fonts-liberation2          # Liberation Serif 2: every Vietnamese glyph, metric-compatible with Times New Roman
  poppler-utils              # pdftoppm / pdftotext (previews, checks)
  ghostscript                # PDF/A-2b for the merged dossier
  tesseract-ocr              # OCR of scanned documents ...
  tesseract-ocr-vie          # ... in Vietnamese
  unpaper                    # scan clean-up for ocrmypdf
)
TEST_APT_PACKAGES=(
  chromium                   # the archive page's browser test (driven by Playwright, no browser download)
  postgresql                 # a throwaway cluster for the PostgreSQL index and register tests (tests/pg_support.py)
)
if [ "$WITH_TEST" -eq 1 ]; then APT_PACKAGES+=("${TEST_APT_PACKAGES[@]}"); fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PY" -m venv .venv
fi

# pip's own noise is filtered; a failed install stops the set-up with pip's whole output.
pip_install() {
  local out
  if ! out=$(.venv/bin/python -m pip install -q --disable-pip-version-check "$@" 2>&1); then
    echo "$out" >&2
    exit 1
  fi
  echo "$out" | grep -v '^WARNING: Location' | grep -v '^ *$' \
    | grep -iv 'setuptools\|!!\|corresp\|deprecat\|license' || true
}
digest() { cat "$@" | sha256sum | cut -d' ' -f1; }

# Reinstall only when a lock or pyproject changed. The runtime stamp (.congkhai-lock) covers
# requirements.lock + pyproject.toml; the test stamp covers requirements-test.lock on top of them.
stamp=.venv/.congkhai-lock
want=$(digest requirements.lock pyproject.toml)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing the locked Python packages (requirements.lock)"
  pip_install -r requirements.lock
  pip_install --no-deps -e .
  .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check; exit 1; }
  echo "$want" > "$stamp"
fi

if [ "$WITH_TEST" -eq 1 ]; then
  test_stamp=.venv/.congkhai-test-lock
  want=$(digest requirements.lock requirements-test.lock pyproject.toml)
  if [ ! -f "$test_stamp" ] || [ "$(cat "$test_stamp")" != "$want" ]; then
    echo "==> installing the locked test tools (requirements-test.lock)"
    # Both files at once: requirements.lock pins what the test tools share with the pipeline.
    pip_install -r requirements.lock -r requirements-test.lock
    .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check; exit 1; }
    echo "$want" > "$test_stamp"
  fi
fi
