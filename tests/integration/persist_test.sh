#!/usr/bin/env bash
# Configuration survives a restart of host-sim on the same --state directory,
# and the MML password is stored as a salted hash, never in clear:
#   1. over telnet: SET CFG SIP.DOMAIN and MML.PASSWORD, both RETCODE = 0
#   2. the state file holds the domain but not the new password
#   3. restart; DSP CFG shows the domain; login works with the new password
#      only; a full DSP LOG (the longest report) arrives whole over telnet
# Usage: tests/integration/persist_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up
it_start_gw
it_wait_ready 15

it_step "SET CFG SIP.DOMAIN and MML.PASSWORD over telnet" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:admin" \
  "send:SET CFG KEY=SIP.DOMAIN VALUE=persist.example;" "expect:RETCODE\s*=\s*0" \
  "send:SET CFG KEY=MML.PASSWORD VALUE=S3cret-pw;" "expect:RETCODE\s*=\s*0" \
  "send:LOGOUT;" "eof"

it_step "the state file holds the domain, and no clear-text password" bash -c '
  grep -aq "persist.example" "$1/config.bin" && ! grep -aq "S3cret-pw" "$1/config.bin"' \
  _ "$IT_STATE"

it_step "host-sim stops cleanly" it_stop_gw
it_start_gw
it_wait_ready 15

it_step "after the restart: DSP CFG shows the domain (login with the new password)" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:S3cret-pw" \
  "send:DSP CFG KEY=SIP.DOMAIN;" "expect:RETCODE\s*=\s*0" "expect:persist\.example" \
  "send:LOGOUT;" "eof"

it_step "the old password is refused after the restart" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:admin" \
  "expect:(fail|denied|incorrect|invalid|wrong)"

# Fill the log ring with the longest lines an operator can cause, then read
# all of it: the longest report must arrive whole (terminator present)
# through the per-session output queue.
fill=()
long=$(printf 'd%.0s' $(seq 55))
for i in $(seq 130); do
  fill+=("send:SET CFG KEY=SIP.DOMAIN VALUE=$(printf '%03d' "$i").$long;" "expect:RETCODE")
done
it_step "a full DSP LOG (every line of the ring) arrives whole over telnet" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:S3cret-pw" \
  "${fill[@]}" "send:DSP LOG LINES=128;" "expect:RETCODE\s*=\s*0" \
  "expect:\(Number of results = 128\)" "expect:END" "send:LOGOUT;" "eof"

it_step "host-sim stops cleanly" it_stop_gw
it_done
