#!/usr/bin/env bash
# .clang-tidy's curated checks over the firmware, HAL and host-sim sources
# (style.md): any warning fails. Uses the build's compile_commands.json.
# Usage: tests/style/tidy_check.sh BUILD_DIR [ROOT]
set -u
build=${1:?usage: tidy_check.sh BUILD_DIR [ROOT]}
root=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v clang-tidy >/dev/null ||
  { echo "tidy_check: clang-tidy is not installed (apt-get install clang-tidy)"; exit 1; }
db=$build/compile_commands.json
[[ -f $db ]] || { echo "tidy_check: no $db (configure with CMAKE_EXPORT_COMPILE_COMMANDS)"; exit 1; }
mapfile -t files < <(python3 - "$db" "$root" <<'PY'
import json, sys
db, root = sys.argv[1], sys.argv[2].rstrip('/') + '/'
seen = set()
for e in json.load(open(db)):
    f = e['file']
    if f.startswith(root) and f[len(root):].split('/')[0] in ('firmware', 'hal', 'host-sim'):
        seen.add(f)
print('\n'.join(sorted(seen)))
PY
)
((${#files[@]} > 40)) || { echo "tidy_check: only ${#files[@]} sources in $db"; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%s\n' "${files[@]}" | xargs -P 2 -n 4 clang-tidy -p "$build" --quiet >"$out" 2>/dev/null
warnings=$(grep -E ': (warning|error): ' "$out" | sort -u)
n=0
[[ -n $warnings ]] && n=$(wc -l <<<"$warnings")
[[ -n $warnings ]] && echo "$warnings"
echo "tidy_check: ${#files[@]} sources, $n warnings ($(clang-tidy --version | grep -m1 version))"
((n == 0))
