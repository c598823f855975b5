#!/usr/bin/env bash
# `make run`: set up, start the embedded Airflow (standalone, SQLite, LocalExecutor, local LibreOffice),
# wait until it is healthy, and say where the UI, the inbox and the archive are.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/airflow-env.sh
mkdir -p "$AIRFLOW_HOME"

# Secrets made once, kept in the git-ignored AIRFLOW_HOME.
[ -f "$AIRFLOW_HOME/jwt_secret" ] || .venv/bin/python -c 'import secrets;print(secrets.token_urlsafe(64))' > "$AIRFLOW_HOME/jwt_secret"
export AIRFLOW__API_AUTH__JWT_SECRET="$(cat "$AIRFLOW_HOME/jwt_secret")"
# A password for each login of AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS (admin, canbo) that has none yet.
.venv/bin/python - "$AIRFLOW_HOME/passwords.json" "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS" <<'PY'
import json, os, secrets, sys
path, users = sys.argv[1], [u.split(":")[0] for u in sys.argv[2].split(",") if u]
pw = json.load(open(path)) if os.path.exists(path) else {}
if any(u not in pw for u in users):
    pw.update({u: secrets.token_urlsafe(12) for u in users if u not in pw})
    with open(path, "w") as fh:
        fh.write(json.dumps(pw) + "\n")
PY
chmod 600 "$AIRFLOW_HOME/passwords.json" "$AIRFLOW_HOME/jwt_secret"
PASSWORD=$(.venv/bin/python -c 'import json,sys;print(json.load(open(sys.argv[1]))["admin"])' "$AIRFLOW_HOME/passwords.json")
OPERATOR_PASSWORD=$(.venv/bin/python -c 'import json,sys;print(json.load(open(sys.argv[1]))["canbo"])' "$AIRFLOW_HOME/passwords.json")

.venv/bin/congkhai init >/dev/null   # the inbox / errors / review / archive folders of every commune

HEALTH="$AIRFLOW__API__BASE_URL/api/v2/monitor/health"
healthy() {
  .venv/bin/python - "$HEALTH" <<'PY'
import json, sys, urllib.request
try:
    h = json.load(urllib.request.urlopen(sys.argv[1], timeout=3))
except Exception:
    sys.exit(1)
ok = all(h.get(k, {}).get("status") == "healthy" for k in ("metadatabase", "scheduler", "triggerer", "dag_processor"))
sys.exit(0 if ok else 1)
PY
}

# The host's shared converter (one warm LibreOffice pool for every task, `congkhai converter serve`),
# unless the operator points tasks at Gotenberg or at a converter of their own. Its own process group
# (make stop ends it); the loop restarts the service if it dies, except on a usage error (exit 2,
# e.g. the port is taken). Tasks find it through CONGKHAI_CONVERTER_URL, which Airflow inherits.
if [ -z "${CONGKHAI_CONVERTER_URL:-}" ] && [ -z "${GOTENBERG_URL:-}" ]; then
  CONVERTER_PORT=${CONGKHAI_CONVERTER_PORT:-8785}
  export CONGKHAI_CONVERTER_URL="http://127.0.0.1:$CONVERTER_PORT"
  CONV_PIDFILE="$AIRFLOW_HOME/converter.pid"
  if [ -f "$CONV_PIDFILE" ] && kill -0 "$(cat "$CONV_PIDFILE")" 2>/dev/null; then
    echo "==> shared converter already running (process group $(cat "$CONV_PIDFILE"))"
  else
    echo "==> starting the shared converter on $CONGKHAI_CONVERTER_URL (log: $AIRFLOW_HOME/converter.log)"
    setsid nohup bash -c 'while :; do .venv/bin/congkhai converter serve --port "$1"; rc=$?;
        [ "$rc" = 2 ] && exit 2; echo "converter exited ($rc): restarting in 1 s" >&2; sleep 1; done' \
      converter "$CONVERTER_PORT" >>"$AIRFLOW_HOME/converter.log" 2>&1 </dev/null &
    echo $! > "$CONV_PIDFILE"
  fi
  printf "==> waiting for the shared converter "
  for _ in $(seq 1 60); do
    if .venv/bin/congkhai converter health --url "$CONGKHAI_CONVERTER_URL" >/dev/null 2>&1; then echo " up"; break; fi
    if ! kill -0 "$(cat "$CONV_PIDFILE")" 2>/dev/null; then
      echo; echo "the shared converter exited; see $AIRFLOW_HOME/converter.log"; tail -5 "$AIRFLOW_HOME/converter.log"; exit 1
    fi
    printf "."; sleep 1
  done
  .venv/bin/congkhai converter health --url "$CONGKHAI_CONVERTER_URL" || { echo "not up after 60 s"; exit 1; }
fi

PIDFILE="$AIRFLOW_HOME/standalone.pid"
if ! { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }; then
  # The DB and the converter pool before the components start (the pool limits concurrent
  # conversions to the number of LibreOffice instances).
  .venv/bin/airflow db migrate >"$AIRFLOW_HOME/migrate.log" 2>&1 || { tail -20 "$AIRFLOW_HOME/migrate.log"; exit 1; }
  SLOTS=$(.venv/bin/python -c 'from congkhai.convert import pool_size; print(pool_size())')
  .venv/bin/airflow pools set congkhai_converter "$SLOTS" "LibreOffice / Gotenberg conversions" >/dev/null
fi
if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
  echo "==> Airflow already running (PID $(cat "$PIDFILE"))"
else
  echo "==> starting airflow standalone (log: $AIRFLOW_HOME/standalone.log)"
  # setsid: its own process group, so `make stop` can end every process it started.
  setsid nohup .venv/bin/airflow standalone >"$AIRFLOW_HOME/standalone.log" 2>&1 < /dev/null &
  echo $! > "$PIDFILE"
fi

printf "==> waiting for %s " "$HEALTH"
for _ in $(seq 1 120); do
  if healthy; then echo " healthy"; break; fi
  if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo; echo "Airflow exited; see $AIRFLOW_HOME/standalone.log"; tail -20 "$AIRFLOW_HOME/standalone.log"; exit 1; fi
  printf "."; sleep 2
done
healthy || { echo " not healthy after 240 s; see $AIRFLOW_HOME/standalone.log"; exit 1; }

if [ "${CONGKHAI_SAMPLES:-1}" = "1" ] && [ -x scripts/drop-samples.sh ]; then
  scripts/drop-samples.sh
fi

cat <<INFO

  congkhai is running.
  Airflow UI : $AIRFLOW__API__BASE_URL   (commune staff: canbo / $OPERATOR_PASSWORD; maintainer: admin / $PASSWORD;
               both in $AIRFLOW_HOME/passwords.json)
  Inbox      : $(.venv/bin/congkhai paths --commune kep | awk '$1=="inbox"{print $2}')   (drop issued documents here)
  Errors     : $(.venv/bin/congkhai paths --commune kep | awk '$1=="errors"{print $2}')
  Archive    : $(.venv/bin/congkhai paths --commune kep | awk '$1=="archive"{print $2}')
  Converter  : ${CONGKHAI_CONVERTER_URL:-${GOTENBERG_URL:-LibreOffice in each task}}
  Stop with  : make stop
INFO
