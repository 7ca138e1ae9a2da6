#!/usr/bin/env bash
# REGISTER with digest authentication against host-sim, with sipp as the
# phone, in a namespace of the test's own:
#   1. 1001/1001 (a first-boot subscriber): 401 with a challenge, then 200
#      listing the contact; DSP REG shows the binding; RMV REG removes it
#   2. a wrong password: 401, then 403, logged as a warning
#   3. an unknown user gets 404 (no challenge)
#   4. replayed credentials (same nonce and nonce-count) are refused
# Usage: tests/integration/register_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up
it_start_gw
it_wait_ready 15

scenario=$IT_ROOT/tests/sipp/register_auth.xml

it_step "1001 registers: 401 challenge, then 200 listing its contact" \
  it_sipp "$scenario" -s 1001 -au 1001 -ap 1001

it_step "DSP REG shows 1001's binding: contact, source, NAT flag, expiry, user agent" \
  it_console_shows '^1001 +sip:1001@198\.51\.100\.1:5070 +198\.51\.100\.1:5070 +NO +(600|599) +sipp register_test' "DSP REG"

it_step "RMV REG USERNAME=1001 CONFIRM=YES removes it" bash -c '
  printf "%s\n" "RMV REG USERNAME=1001 CONFIRM=YES" >&"$1"
  for i in $(seq 30); do grep -q "REMOVED *= 1" "$2" && exit 0; sleep 0.1; done; exit 1' \
  _ "$IT_FIFO_FD" "$IT_LOG"

it_step "a wrong password: 401, then 403" \
  it_sipp "$IT_ROOT/tests/sipp/register_wrong_password.xml" -s 1002 -au 1002 -ap wrong-password

it_step "the wrong password is logged as a warning" bash -c '
  grep -q "WARN auth: wrong password for 1002" "$1"' _ "$IT_LOG"

it_step "an unknown user gets 404" it_sipp "$IT_ROOT/tests/sipp/register_unknown.xml" -s 4242

it_step "1001 registers again with a fresh Call-ID (new nonce, nc=1)" \
  it_sipp "$scenario" -s 1001 -au 1001 -ap 1001

it_step "replayed credentials (same nonce and nc, new transaction) are refused; nc+1 is accepted" \
  it_ns timeout 30 "$IT_PY" "$IT_ROOT/tests/integration/digest_replay.py" "$IT_GW_IP" 1003 1003

it_step "nothing leaks: DSP PERF shows transactions, calls and proxy contexts back to 0 used" \
  it_pools_empty 45
it_step "host-sim still runs" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
