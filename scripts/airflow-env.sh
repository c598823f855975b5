# Source me: the embedded Airflow's environment (AIRFLOW_HOME inside the repo, SQLite, LocalExecutor).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export AIRFLOW_HOME="$ROOT/.airflow"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__PLUGINS_FOLDER="$ROOT/plugins"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__PARALLELISM=4
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION=False
export AIRFLOW__CORE__EXECUTOR=LocalExecutor
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="sqlite:///$AIRFLOW_HOME/airflow.db"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT=${CONGKHAI_PORT:-8080}
export AIRFLOW__API__BASE_URL="http://127.0.0.1:${AIRFLOW__API__PORT}"
# Two logins (docs/deployment.md, "Users and roles"): `canbo`, the commune operator (SimpleAuthManager
# role `user`: trigger, answer required actions, clear, see the Công khai / Lưu trữ pages; the congkhai
# plugin refuses it any DELETE of a DAG, run or task), and `admin` for the maintainer. Passwords:
# $AIRFLOW_HOME/passwords.json (made by scripts/run.sh).
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin,canbo:user"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="$AIRFLOW_HOME/passwords.json"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL=30
export AIRFLOW__CORE__DEFAULT_TIMEZONE=Asia/Ho_Chi_Minh
export AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK=True
# Shorter idle loop: about 2 s less from drop to PDFs (bench/results.md); default 1 s.
export AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME=0.5
export PATH="$ROOT/.venv/bin:$PATH"
if [ -f "$AIRFLOW_HOME/jwt_secret" ]; then
  AIRFLOW__API_AUTH__JWT_SECRET="$(cat "$AIRFLOW_HOME/jwt_secret")"
  export AIRFLOW__API_AUTH__JWT_SECRET
fi
