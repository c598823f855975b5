#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian machine: Debian packages, .venv, the locked Python packages.
# Called by `make run` and `make test`; a second call installs nothing that is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libreoffice-writer-nogui   # DOCX -> PDF/A (the embedded converter)
  python3-uno                # unoserver's server side (warm LibreOffice)
  fonts-liberation2          # Liberation Serif 2: every Vietnamese glyph, metric-compatible with Times New Roman
  poppler-utils              # pdftoppm / pdftotext (previews, checks)
  ghostscript                # PDF/A-2b for the merged dossier
  tesseract-ocr              # OCR of scanned documents ...
  tesseract-ocr-vie          # ... in Vietnamese
  unpaper                    # scan clean-up for ocrmypdf
  chromium                   # the archive page's browser test (driven by Playwright, no browser download)
)

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

# Reinstall only when the lock or pyproject changed.
stamp=.venv/.congkhai-lock
want=$(cat requirements.lock pyproject.toml | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "==> installing the locked Python packages (requirements.lock)"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock 2>&1 | grep -v '^WARNING: Location' || true
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v '^WARNING: Location' | grep -v '^ *$' | grep -iv 'setuptools\|!!\|corresp\|deprecat\|license' || true
  .venv/bin/python -m pip check >/dev/null || { .venv/bin/python -m pip check; exit 1; }
  echo "$want" > "$stamp"
fi
