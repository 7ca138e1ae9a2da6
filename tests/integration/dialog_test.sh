#!/usr/bin/env bash
# Mid-dialog requests through the proxy, with sipp as both phones in the
# test's own namespace (the callee registered as 1002 on 198.51.100.1:5070,
# the caller 1001 on 5061 with proxy auth):
#   1. a call, then in the confirmed dialog, along the Record-Route:
#      - a re-INVITE from the caller (CSeq 3, new SDP) answered 200 and ACKed
#      - a REFER from the caller answered 202 by the callee, then the callee's
#        NOTIFY (Event: refer, message/sipfrag) answered 200 by the caller
#      - BYE, 200
#   2. afterwards DSP CALL lists no call and a second call still goes through
#      (the re-INVITE did not count as a second call of 1001)
# Usage: tests/integration/dialog_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up
it_start_gw
it_wait_ready 15

SIPP_DIR=$IT_ROOT/tests/sipp

it_step "1002 registers on port 5070" \
  it_sipp "$SIPP_DIR/register_auth.xml" -s 1002 -au 1002 -ap 1002

it_step "call, re-INVITE (200, ACK), REFER (202) + NOTIFY (200), BYE through the proxy" \
  it_call_with uas_reinvite_refer.xml uac_reinvite_refer.xml -timeout 20s -s 1002

# no_calls: DSP CALL after the BYE, its whole report, shows no 1001 call.
no_calls() { it_no_rows "DSP CALL" '^1001 +1002 +'; }
it_step "after the BYE DSP CALL lists no call" no_calls

it_step "a second call from 1001 goes through (no call left counted)" \
  it_call_with uas_answer.xml uac_call.xml -timeout 20s -s 1002

it_step "nothing leaks: DSP PERF shows transactions, calls and proxy contexts back to 0 used" \
  it_pools_empty 45
it_step "host-sim still runs" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
