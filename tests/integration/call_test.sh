#!/usr/bin/env bash
# Calls and messages through the proxy, with sipp as both phones in the
# test's own namespace (both on 198.51.100.1: the callee on port 5070, where
# it registered as 1002; the caller 1001 on 5061, with proxy auth):
#   1. a call: 407, INVITE with credentials, 100/180/200, ACK and BYE along
#      the Record-Route; DSP CALL shows it CONFIRMED while it lasts
#   2. RMV CALL on the console ends a call: BYE from the gateway to both sides
#   3. a MESSAGE from 1001 to 1002 (407, then 200 from the callee)
#   4. a busy callee: 486 forwarded, ACKed
#   5. a cancelled call: 200 to the CANCEL, 487, ACK
#   6. an offline callee (1003, no binding): 480
#   6b. nobody answers: with SIP.TIMER_C at 10 s the ringing branch gets a
#      CANCEL (200, 487, ACK) and the caller 408
#   7. forking: 1002 also registers on 5072; the INVITE rings both, 5070
#      answers, 5072 gets a CANCEL (200, 487, ACK)
# Usage: tests/integration/call_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up
it_start_gw
it_wait_ready 15

SIPP_DIR=$IT_ROOT/tests/sipp

it_step "1002 registers on port 5070" \
  it_sipp "$SIPP_DIR/register_auth.xml" -s 1002 -au 1002 -ap 1002

# The call lasts 2.5 s between ACK and BYE: DSP CALL looks at it meanwhile.
watch_call() {
  sleep 1.5
  it_console_shows '^1001 +1002 +CONFIRMED +[0-9]+ +[^ ]+' "DSP CALL"
}
watch_call >"$IT_TMP/watch.log" 2>&1 &
WATCH_PID=$!
it_step "1001 calls 1002: 407, 100/180/200, ACK, BYE through the proxy" \
  it_call_with uas_answer.xml uac_call.xml -s 1002
wait_watch() {
  local rc=0
  wait "$WATCH_PID" || rc=$?
  cat "$IT_TMP/watch.log"
  return $rc
}
it_step "DSP CALL showed the call CONFIRMED while it lasted" wait_watch
it_step "the BYE ended the call: DSP CALL lists none" it_no_rows "DSP CALL"

# release: 1.5 s into the call, RMV CALL with the Call-ID DSP CALL shows.
release_call() {
  sleep 1.5
  local before i id
  before=$(grep -Ec '^1001 +1002 +CONFIRMED' "$IT_LOG")
  it_console "DSP CALL"
  for i in $(seq 20); do  # a new row: this call, not the earlier one's
    [[ $(grep -Ec '^1001 +1002 +CONFIRMED' "$IT_LOG") -gt $before ]] && break
    sleep 0.1
  done
  id=$(grep -E '^1001 +1002 +CONFIRMED' "$IT_LOG" | tail -n 1 | awk '{print $5}')
  [[ -n $id ]] || { echo "no Call-ID in DSP CALL"; return 1; }
  it_console "RMV CALL CALLID=\"$id\" CONFIRM=YES"
}
release_call >"$IT_TMP/release.log" 2>&1 &
RELEASE_PID=$!
it_step "RMV CALL ends a call: the gateway's BYE reaches both sides" \
  it_call_with uas_answer.xml uac_call_released.xml -s 1002
wait_release() {
  local rc=0
  wait "$RELEASE_PID" || rc=$?
  cat "$IT_TMP/release.log"
  grep -q "RMV CALL" "$IT_LOG" && return $rc
}
it_step "RMV CALL was accepted on the console" wait_release

it_step "MESSAGE from 1001 to 1002: 407, then 200" \
  it_call_with uas_message.xml uac_message.xml -s 1002

it_step "a busy callee: 486 forwarded and ACKed" \
  it_call_with uas_busy.xml uac_busy.xml -s 1002

it_step "a cancelled call: 200 to the CANCEL, 487, ACK" \
  it_call_with uas_cancel.xml uac_cancel.xml -s 1002

it_step "an offline callee gets 480" \
  it_sipp "$SIPP_DIR/uac_offline.xml" -p 5061 -au 1001 -ap 1001 -auth_uri "1003@$IT_GW_IP:5060" \
  -s 1003

it_step "SET CFG SIP.TIMER_C to 10 s" \
  it_console_shows 'RETCODE = 0' 'SET CFG KEY=SIP.TIMER_C VALUE=10'
it_step "nobody answers: after 10 s of ringing the callee gets CANCEL, the caller 408" \
  it_call_with uas_cancel.xml uac_noanswer.xml -s 1002 -timeout 25s

# fork: both of 1002's contacts ring; 5070 answers, 5072 is cancelled.
fork() {
  it_uas_start uas_cancel.xml 5072 uas2
  local loser=$IT_UAS_PID
  it_call_with uas_answer.xml uac_call.xml -s 1002
  local rc=$?
  it_uas_wait "$loser" uas2
  local loser_rc=$?
  [[ $rc -eq 0 && $loser_rc -eq 0 ]]
}

it_step "1002 registers a second contact on port 5072" \
  it_sipp "$SIPP_DIR/register_auth.xml" -s 1002 -au 1002 -ap 1002 -p 5072

it_step "forking: both contacts ring, 5070 answers, 5072 gets CANCEL (200, 487, ACK)" fork

it_step "nothing leaks: DSP PERF shows transactions, calls and proxy contexts back to 0 used" \
  it_pools_empty 45
it_step "host-sim still runs" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
