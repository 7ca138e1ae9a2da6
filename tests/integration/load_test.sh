#!/usr/bin/env bash
# 50 calls in parallel through the proxy (the small profile holds 64 calls),
# with sipp as both phones in the test's own namespace:
#   - 7 callers 2001..2007 made with ADD USER ... CLASS=ENTERPRISE (8
#     concurrent calls each: 56 >= 50; BASIC would allow one), one sipp
#     each on 5061..5067 (proxy auth on every call)
#   - 1002 registered on 5070, where one sipp callee answers every call
#   - 50 calls at 50/s, each held 6 s: all 50 are up at once, when DSP CALL
#     must list 50 CONFIRMED rows; all 50 succeed
#   - afterwards DSP CALL lists none, and DSP PERF shows the transactions
#     pool back to 0 used once the timers ran out (J: 64*T1 = 32 s), within 45 s
# 50 calls set up within 1 s would hold about 200 transactions (each answered
# INVITE keeps its server and client transactions 32 s in RFC 6026's Accepted
# state, each 407 one 5 s, each BYE's server one 32 s); the profile has 128:
# the layer reclaims the oldest of those lingering ones (sip.txn reclaimed)
# and keeps headroom for forks, which is what this test proves enough.
# Usage: tests/integration/load_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up
it_start_gw
it_wait_ready 15

SIPP_DIR=$IT_ROOT/tests/sipp
CALLS=50
HOLD_MS=6000

add_callers() {
  local n
  for n in 2001 2002 2003 2004 2005 2006 2007; do
    it_console_shows "^USERNAME +$n\$|^ *$n +" \
      "ADD USER USERNAME=$n PASSWORD=pw$n CLASS=ENTERPRISE" >/dev/null || true
  done
  it_console_shows '^2007 +.*ENTERPRISE' "DSP USER"
}
it_step "7 ENTERPRISE callers added with ADD USER (2001..2007)" add_callers

it_step "1002 registers on port 5070" \
  it_sipp "$SIPP_DIR/register_auth.xml" -s 1002 -au 1002 -ap 1002

# The callee: one sipp answering all the calls on 5070; the callers: one
# sipp each (2001 on 5061 ... 2007 on 5067), 8 calls for 2001 and 7 for the
# others (50), at 8/s each: all started within about 1 s.
run_calls() {
  local dir=$IT_TMP/load
  mkdir -p "$dir"
  cp "$SIPP_DIR/uas_answer.xml" "$SIPP_DIR/uac_load.xml" "$dir/"
  (cd "$dir" && it_ns timeout 60 sipp -sf uas_answer.xml -i "$IT_PEER_IP" -p 5070 -nostdin \
      -m "$CALLS" -timeout 40s -timeout_error -trace_err </dev/null >uas.out 2>&1) &
  local uas_pid=$!
  sleep 0.5
  local n pids=() m
  for n in 1 2 3 4 5 6 7; do
    m=7
    [[ $n -eq 1 ]] && m=$((CALLS - 6 * 7))
    (cd "$dir" && it_ns timeout 60 sipp "$IT_GW_IP:5060" -sf uac_load.xml \
        -key caller "200$n" -au "200$n" -ap "pw200$n" -s 1002 -auth_uri "1002@$IT_GW_IP:5060" \
        -i "$IT_PEER_IP" -p "506$n" -nostdin -m "$m" -l "$m" -r 8 -d "$HOLD_MS" \
        -timeout 40s -timeout_error -trace_err </dev/null >"uac$n.out" 2>&1) &
    pids+=($!)
  done
  local rc=0 i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || { echo "caller 200$((i + 1)) sipp failed (exit $?)"; rc=1; }
  done
  wait "$uas_pid" || { echo "callee sipp failed (exit $?)"; rc=1; }
  local ok=0 k
  for n in 1 2 3 4 5 6 7; do
    k=$(grep -E "^ +Successful call" "$dir/uac$n.out" | awk -F'|' '{gsub(/ /,"",$3); print $3}')
    ok=$((ok + ${k:-0}))
  done
  echo "successful calls: $ok of $CALLS"
  if [[ $rc -ne 0 || $ok -ne $CALLS ]]; then
    local f
    for f in "$dir"/*_errors.log; do
      [[ -f $f ]] && { echo "--- $f"; head -c 3000 "$f"; echo; }
    done
    return 1
  fi
}

# 3.5 s after the first INVITE every call has been answered and none has
# reached its BYE (held 6 s, started within 1 s): DSP CALL counts 50.
count_calls() {
  sleep 4
  local mark i n=0
  mark=$(wc -l <"$IT_LOG")
  it_console "DSP CALL"
  for i in $(seq 30); do
    n=$(tail -n +"$((mark + 1))" "$IT_LOG" | grep -Ec '^20[0-9]{2} +1002 +CONFIRMED')
    [[ $n -ge $CALLS ]] && break
    sleep 0.1
  done
  echo "DSP CALL listed $n confirmed calls"
  [[ $n -eq $CALLS ]] || { tail -n +"$((mark + 1))" "$IT_LOG" | tail -n 20; return 1; }
}
count_calls >"$IT_TMP/count.log" 2>&1 &
COUNT_PID=$!
it_step "$CALLS calls in parallel from 7 callers to 1002, held ${HOLD_MS} ms: all succeed" run_calls
wait_count() {
  local rc=0
  wait "$COUNT_PID" || rc=$?
  cat "$IT_TMP/count.log"
  return $rc
}
it_step "during the hold DSP CALL listed $CALLS CONFIRMED calls" wait_count

it_step "after the BYEs DSP CALL lists none" it_no_rows "DSP CALL"

it_step "DSP PERF: transactions, calls and proxy contexts back to 0 used after the timers" it_pools_empty 45

it_step "host-sim still runs" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
