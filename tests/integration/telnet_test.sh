#!/usr/bin/env bash
# The MML shell over telnet (TCP 23) on host-sim, from a namespace of the
# test's own, driven by tests/integration/telnet_client.py (bounded expect):
#   1. login admin/admin, DSP SYSINFO: RETCODE = 0 and the board host-sim
#   2. a malformed line (SET LOG LEVEL=LOUD) gets an error that names the
#      parameter and lists the allowed values ERROR/WARN/INFO/DEBUG
#   3. LOGOUT closes the session; host-sim still runs; console EOF stops it
# Usage: tests/integration/telnet_test.sh BUILD_DIR   (as root)
# Prompts matched: a user prompt (login:/user:/username:), a password prompt
# (password:), and the report lines defined in mml.md.
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up
it_start_gw
it_wait_ready 15

it_step "telnet login admin/admin, DSP SYSINFO: RETCODE = 0 and board host-sim" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:admin" \
  "send:DSP SYSINFO;" "expect:RETCODE\s*=\s*0" "expect:host-sim" \
  "send:LOGOUT;" "eof"

it_step "SET LOG LEVEL=LOUD: error names LEVEL and lists ERROR/WARN/INFO/DEBUG" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:admin" \
  "send:SET LOG LEVEL=LOUD;" "expect:RETCODE\s*=\s*[1-9]" \
  "expect:^(?=.*LEVEL)(?=.*ERROR)(?=.*WARN)(?=.*INFO)(?=.*DEBUG).*$" \
  "send:LOGOUT;" "eof"

it_step "a wrong password is refused" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:wrong" \
  "expect:(fail|denied|incorrect|invalid|wrong)"

it_step "host-sim still runs after the sessions" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
