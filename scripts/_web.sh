# Sourced by scripts/demo and .ci/run: build the reference web app (web/) when it is missing or older
# than its sources. Without npm the gateway runs all the same, without /app/.
set -euo pipefail
web="$(cd "$(dirname "${BASH_SOURCE[0]}")/../web" && pwd)"
if ! command -v npm >/dev/null 2>&1; then
  echo "npm not found: the web app at /app/ is not built (install Node.js 20 to have it)" >&2
elif [ ! -f "$web/dist/index.html" ] || [ -n "$(find "$web/src" "$web/index.html" "$web/package-lock.json" \
    "$web/codegen.ts" "$web/vite.config.ts" "$web/../schema.graphql" -newer "$web/dist/index.html" \
    -not -path "$web/src/gql/*" 2>/dev/null | head -1)" ]; then
  echo "Building the web app (web/; the log is web/build.log)" >&2
  if ! (cd "$web" && npm ci --no-audit --no-fund --loglevel=error && npm run build) > "$web/build.log" 2>&1; then
    cat "$web/build.log" >&2
    echo "Building the web app failed; the output is above and in web/build.log" >&2
    exit 1
  fi
fi
