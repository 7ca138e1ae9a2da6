#!/usr/bin/env bash
# host-sim over TAP, the basics: it attaches to the TAP in a namespace of
# its own, answers ARP + ICMP echo, makes its state files, stops cleanly
# (exit 0) on console EOF, and refuses a missing TAP with the net-setup hint.
# Usage: tests/integration/tap_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up

it_step "a missing TAP is refused with exit 1 and the net-setup hint" bash -c '
  out=$(ip netns exec "$1" timeout 5 "$2" --tap nosuchtap0 --state "$3/other" </dev/null 2>&1)
  rc=$?; echo "$out"; [[ $rc -eq 1 ]] && grep -q "TAP nosuchtap0 not found: run sudo tools/net-setup.sh up" <<<"$out"' \
  _ "$IT_NS" "$IT_BIN" "$IT_TMP"

it_step "a bad option is refused with exit 2" bash -c '
  timeout 5 "$1" --ip 1.2.3 </dev/null; [[ $? -eq 2 ]]' _ "$IT_BIN"

it_start_gw
it_wait_ready 10

it_step "a second ping gets an answer too" \
  it_ns timeout 5 "$IT_PY" "$IT_ROOT/tests/integration/ping.py" "$IT_GW_IP" 3

it_step "state files exist with the region sizes (config 8 KiB, users 64 KiB, cdr 256 KiB)" bash -c '
  [[ $(stat -c %s "$1/config.bin") -eq 8192 && $(stat -c %s "$1/users.bin") -eq 65536 &&
     $(stat -c %s "$1/cdr.bin") -eq 262144 ]]' _ "$IT_STATE"

it_step "a second host-sim on the same state directory is refused" bash -c '
  out=$(ip netns exec "$1" timeout 5 "$2" --tap "$3" --state "$4" </dev/null 2>&1)
  rc=$?; echo "$out"; [[ $rc -eq 1 ]] && grep -q "in use" <<<"$out"' \
  _ "$IT_NS" "$IT_BIN" "$IT_TAP" "$IT_STATE"

it_step "host-sim is still running" it_gw_alive
it_step "console EOF stops host-sim with exit 0 (--exit-on-eof)" it_stop_gw
it_done
