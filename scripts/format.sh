#!/usr/bin/env bash
# Formats every C++ source in the repository with .clang-format (clang-format 14, Debian's).
# --check: changes nothing; lists the files that differ and fails if there are any (run by the
# test suite).
set -euo pipefail
cd "$(dirname "$0")/.."
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "format.sh: unknown option '$1' (only --check)" >&2; exit 2 ;;
esac
format=$(command -v clang-format-14 || command -v clang-format || true)
[[ -n $format ]] || { echo "format.sh: clang-format not found (scripts/setup.sh --test installs it)" >&2; exit 2; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if ((check)); then
  # One process for all files; --Werror makes any difference fail.
  if ! report=$("$format" --dry-run --Werror "${files[@]}" 2>&1); then
    grep -o '^[^:]*:' <<<"$report" | sort -u | sed 's/:$//; s/^/  /' >&2
    echo "format.sh: the files above are not formatted (scripts/format.sh fixes them)" >&2
    exit 1
  fi
else
  "$format" -i "${files[@]}"
fi
