#!/usr/bin/env bash
# `make stop`: end every process `make run` started (its process group), by PID.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/airflow-env.sh
PIDFILE="$AIRFLOW_HOME/standalone.pid"
if [ ! -f "$PIDFILE" ]; then echo "not running (no $PIDFILE)"; exit 0; fi
PID=$(cat "$PIDFILE")
if kill -0 "$PID" 2>/dev/null || pgrep -g "$PID" >/dev/null; then
  echo "==> stopping Airflow (process group $PID): $(pgrep -g "$PID" | tr '\n' ' ')"
  # Components first (standalone ignores SIGINT in the background), then the parent.
  for p in $(pgrep -g "$PID" | grep -vx "$PID"); do kill -TERM "$p" 2>/dev/null; done
  kill -TERM "$PID" 2>/dev/null
  for _ in $(seq 1 30); do pgrep -g "$PID" >/dev/null || break; sleep 1; done
  if pgrep -g "$PID" >/dev/null; then
    echo "==> still running after 30 s, killing: $(pgrep -g "$PID" | tr '\n' ' ')"
    kill -KILL -- "-$PID" 2>/dev/null
  fi
fi
rm -f "$PIDFILE"
echo "==> stopped"
