#!/usr/bin/env bash
# `make stop`: end every process `make run` started (their process groups), by PID: Airflow first
# (a task may still be converting), then the shared converter.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/airflow-env.sh

stop_group() {  # stop_group NAME PIDFILE: TERM the process group, wait 30 s, then KILL it
  local name=$1 pidfile=$2 pid
  if [ ! -f "$pidfile" ]; then echo "$name: not running (no $pidfile)"; return 0; fi
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null || pgrep -g "$pid" >/dev/null; then
    echo "==> stopping $name (process group $pid): $(pgrep -g "$pid" | tr '\n' ' ')"
    # Members first (standalone ignores SIGINT in the background), then the group's leader.
    for p in $(pgrep -g "$pid" | grep -vx "$pid"); do kill -TERM "$p" 2>/dev/null; done
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 30); do pgrep -g "$pid" >/dev/null || break; sleep 1; done
    if pgrep -g "$pid" >/dev/null; then
      echo "==> still running after 30 s, killing: $(pgrep -g "$pid" | tr '\n' ' ')"
      kill -KILL -- "-$pid" 2>/dev/null
    fi
  fi
  rm -f "$pidfile"
}

stop_group Airflow "$AIRFLOW_HOME/standalone.pid"
# The converter's LibreOffice instances run in their own groups; the service ends them on SIGTERM
# (and each bridge ends its LibreOffice when the service is gone).
stop_group "shared converter" "$AIRFLOW_HOME/converter.pid"
echo "==> stopped"
