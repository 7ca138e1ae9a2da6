#!/usr/bin/env bash
# Fetches lwIP, mbedTLS and cJSON from Debian's *source* packages and unpacks
# them into a cache outside the source tree. apt verifies signatures and
# hashes. A second run with the cache present needs no network.
#
# usage: cmake/fetch-deps.sh [CACHE_DIR]     (default: $IMSGW_DEPS_DIR or
#        ~/.cache/imsgw/deps). Prints the cache dir on success.
set -euo pipefail

cache=${1:-${IMSGW_DEPS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/imsgw/deps}}
# name:version-prefix:unpacked-dir-glob. Versions are pinned to Debian 12's.
packages=(
  "lwip:2.1.3:lwip-2.1.3*"
  "mbedtls:2.28.3:mbedtls-2.28.3*"
  "cjson:1.7.15:cjson-1.7.15*"
)

mkdir -p "$cache"
missing=()
for entry in "${packages[@]}"; do
  IFS=: read -r name ver glob <<<"$entry"
  if ! compgen -G "$cache/$glob/.imsgw-ok" >/dev/null; then missing+=("$name"); fi
done

if ((${#missing[@]})); then
  for tool in apt-get dpkg-source xz; do
    command -v "$tool" >/dev/null || {
      echo "fetch-deps: '$tool' is missing (apt-get install dpkg-dev xz-utils)" >&2
      exit 1
    }
  done
  work="$cache/.apt"
  mkdir -p "$work/lists/partial" "$work/archives"
  srclist="$work/deb-src.sources"
  : >"$srclist"
  # Derive deb-src entries from the machine's own apt sources (deb822 and
  # one-line formats); no archive host is named in this repository.
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && sed -E 's/^Types:.*/Types: deb-src/' "$f" >>"$srclist" && echo >>"$srclist"
  done
  oneline="$work/deb-src.list"
  : >"$oneline"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] && grep -E '^\s*deb\s' "$f" | sed -E 's/^\s*deb\s/deb-src /' >>"$oneline" || true
  done
  cp "$oneline" "$work/sourceparts.list"
  mkdir -p "$work/parts"
  cp "$srclist" "$work/parts/debian.sources"
  [ -s "$oneline" ] && cp "$oneline" "$work/parts/oneline.list"
  aptopts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts"
           -o "Dir::State::Lists=$work/lists" -o "Dir::Cache::Archives=$work/archives"
           -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
  echo "fetch-deps: updating source lists for: ${missing[*]}" >&2
  apt-get "${aptopts[@]}" -q update >&2
  for entry in "${packages[@]}"; do
    IFS=: read -r name ver glob <<<"$entry"
    compgen -G "$cache/$glob/.imsgw-ok" >/dev/null && continue
    dl="$work/src-$name"
    rm -rf "$dl" && mkdir -p "$dl"
    # Pick the newest source version of the pinned upstream release.
    full=$(apt-cache "${aptopts[@]}" showsrc "$name" 2>/dev/null |
           awk '/^Version:/{print $2}' | grep "^$ver" | sort -V | tail -n1)
    [ -n "$full" ] || { echo "fetch-deps: no source of $name $ver in the apt sources" >&2; exit 1; }
    (cd "$dl" && apt-get "${aptopts[@]}" -q source --download-only "$name=$full" >&2)
    dsc=$(ls "$dl"/*.dsc)
    rm -rf "$cache"/$glob
    # apt checked every file against the signed Sources index; dpkg-source
    # checks them again against the .dsc.
    (cd "$cache" && dpkg-source -x "$dsc" >&2)
    dir=$(compgen -G "$cache/$glob" | head -n1)
    echo "$name $full" >"$dir/.imsgw-ok"
  done
fi
echo "$cache"
