# Sourced by scripts/demo and scripts/test: make .venv (Python 3.11+) and install the project into it
# when pyproject.toml has changed since the last install.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
extras="${1:-}"
stamp=".venv/.installed${extras:+-$extras}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "Installing into .venv (the first time takes a minute; the log is .venv/install.log)" >&2
  if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".${extras:+[$extras]}"; } \
      > .venv/install.log 2>&1; then
    cat .venv/install.log >&2
    echo "Installing the project failed; the output is above and in .venv/install.log" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
