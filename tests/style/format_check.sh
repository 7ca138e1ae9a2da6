#!/usr/bin/env bash
# The C++ sources follow .clang-format (style.md): clang-format would change
# nothing. Lists the files it would change and exits 1 if there are any.
# Fix with: clang-format -i FILE...   Usage: tests/style/format_check.sh [ROOT]
set -u
root=${1:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v clang-format >/dev/null ||
  { echo "format_check: clang-format is not installed (apt-get install clang-format)"; exit 1; }
cd "$root" || exit 1
mapfile -t files < <(find firmware hal host-sim boards tests \
  \( -name '*.cc' -o -name '*.h' \) -not -path '*/build/*' | sort)
((${#files[@]} > 100)) || { echo "format_check: only ${#files[@]} sources found under $root"; exit 1; }
bad=0
for f in "${files[@]}"; do
  if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
    echo "needs clang-format: $f"
    bad=$((bad + 1))
  fi
done
echo "format_check: ${#files[@]} files, $bad to reformat ($(clang-format --version))"
((bad == 0))
