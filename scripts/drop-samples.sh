#!/usr/bin/env bash
# On the first `make run` (empty archive), drop three sample documents of Kép into the inbox so a
# newcomer sees the pipeline work: their PDFs appear in the archive within a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
INBOX=$(.venv/bin/congkhai paths --commune kep | awk '$1=="inbox"{print $2}')
ARCHIVE=$(.venv/bin/congkhai paths --commune kep | awk '$1=="archive"{print $2}')
if [ -n "$(find "$ARCHIVE" -name manifest.json -print -quit 2>/dev/null)" ]; then
  exit 0   # not the first run: the archive already holds cases
fi
for f in "cv120.pdf" "KH ho ngheo.pdf" "tb quy 3.docx"; do
  cp "samples/kep-2024/$f" "$INBOX/"
done
echo "==> dropped 3 sample documents into $INBOX (their PDFs appear in $ARCHIVE)"
