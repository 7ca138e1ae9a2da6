#!/usr/bin/env bash
# Flood protection on host-sim, from a namespace of the test's own:
#   1. with SIP.RATE_LIMIT=20 and SIP.RATE_BURST=20, sipp sends OPTIONS from
#      one source at 40/s (twice the limit) for 10 s: about the burst plus
#      20 a second get 200, the rest 503; DSP PERF's "sip.rate refused
#      (503)" counts exactly the 503s sipp saw, and the log has one "over
#      the rate limit" line for the source (plus at most one summary per
#      10 s), not one per packet
#   2. a second later the bucket has refilled: OPTIONS gets 200
#   3. MML.ALLOW=10.0.0.0/8: telnet from 198.51.100.1 gets no login prompt,
#      counted "telnet refused network"; MML.ALLOW=198.51.100.0/24: it logs in
#   4. wrong passwords over telnet: 3 in one connection (answered after
#      1, 2, 4 s, then closed) and 2 in the next lock the source out: the
#      next connection is refused, counted "mml lockouts" 1
# Usage: tests/integration/flood_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
command -v sipp >/dev/null || it_die "sipp is not installed (apt-get install sip-tester)"
it_netns_up
it_start_gw --set SIP.RATE_LIMIT=20 --set SIP.RATE_BURST=20
it_wait_ready 15

RATE=40
SECONDS_RUN=10
CALLS=$((RATE * SECONDS_RUN))
scenario=$IT_ROOT/tests/sipp/options.xml

# perf_value GROUP NAME: the value of one DSP PERF counter row.
perf_value() {
  it_report "DSP PERF" | awk -v g="$1" -v n="$2" '
    $1 == g { $1 = ""; sub(/^ +/, ""); v = $NF; $NF = ""; sub(/ +$/, "");
              if ($0 == n) { print v; found = 1 } }
    END { if (!found) exit 1 }'
}

burst() {
  local dir=$IT_TMP/burst ok failed refused ok_before ok_after
  mkdir -p "$dir"
  cp "$IT_ROOT/tests/sipp/options_limited.xml" "$dir/"
  ok_before=$(perf_value sip "tx 2xx") || return 1
  (cd "$dir" && it_ns timeout 40 sipp "$IT_GW_IP:5060" -sf options_limited.xml \
      -i "$IT_PEER_IP" -p 5071 -nostdin -r "$RATE" -m "$CALLS" -l "$CALLS" -timeout 30s \
      -recv_timeout 3000 </dev/null >sipp.out 2>&1)
  ok=$(grep -E '^\s+Successful call' "$dir/sipp.out" | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  failed=$(grep -E '^\s+Failed call' "$dir/sipp.out" | awk -F'|' '{gsub(/ /,"",$3); print $3}')
  refused=$(perf_value sip.rate "refused (503)") || return 1
  ok_after=$(perf_value sip "tx 2xx") || return 1
  local passed=$((ok_after - ok_before))
  echo "sent $CALLS OPTIONS at $RATE/s: sipp $ok answered, $failed failed;" \
    "DSP PERF: $passed answered 200, $refused answered 503" \
    "($((refused * 100 / CALLS))% refused)"
  printf '%s %s\n' "$passed" "$refused" >"$IT_TMP/burst.txt"
  # Every request got a final answer, once: 200 or 503.
  [[ $ok == "$CALLS" && $failed == 0 ]] || return 1
  (( passed + refused == CALLS )) || return 1
  # What passed: the burst (20) plus 20/s over the run's ~10 s; sipp's own
  # pacing blurs the edges by a few requests.
  (( passed >= 200 && passed <= 240 ))
}
it_step "OPTIONS at 2x SIP.RATE_LIMIT from one source: the excess gets 503, counted in DSP PERF" \
  burst

log_once() {
  local first summaries
  first=$(grep -c '198\.51\.100\.1 over the rate limit (20/s, burst 20): answering 503' "$IT_LOG")
  summaries=$(grep -c '198\.51\.100\.1 still over the rate limit' "$IT_LOG")
  echo "log: $first first line(s), $summaries summary line(s)"
  [[ $first -eq 1 && $summaries -le 2 ]]
}
it_step "the source is logged once (plus a summary per 10 s), not per packet" log_once

sleep 1
it_step "a second later OPTIONS gets 200 again" it_sipp "$scenario"

it_step "SET CFG MML.ALLOW=10.0.0.0/8" \
  it_console_shows 'RETCODE = 0' 'SET CFG KEY=MML.ALLOW VALUE="10.0.0.0/8"'
telnet_refused() {
  if it_telnet "expect:$IT_USER_PROMPT"; then
    echo "got a login prompt from outside MML.ALLOW"
    return 1
  fi
  [[ $(perf_value telnet "refused network") == 1 ]]
}
it_step "telnet from 198.51.100.1 is refused at once, counted" telnet_refused
it_step "SET CFG MML.ALLOW=198.51.100.0/24" \
  it_console_shows 'RETCODE = 0' 'SET CFG KEY=MML.ALLOW VALUE="198.51.100.0/24"'
it_step "telnet from inside MML.ALLOW logs in" \
  it_telnet "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:admin" \
  "expect:Login succeeded" "send:LOGOUT;" "eof"

# Failed logins: the answers come after 1, 2, 4 s (then the connection is
# closed), and after 8 and 16 s in the next; each expect waits up to 20 s.
slow_telnet() {
  it_ns timeout 60 "$IT_PY" "$IT_ROOT/tests/integration/telnet_client.py" "$IT_GW_IP" 23 \
    --timeout 20 "$@"
}
WRONG=("expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" "send:wrong"
  "expect:Login incorrect")
three_wrong() {
  local start=$SECONDS
  slow_telnet "${WRONG[@]}" "${WRONG[@]}" "${WRONG[@]}" "eof" || return 1
  echo "3 failures answered in $((SECONDS - start)) s"
  (( SECONDS - start >= 6 ))  # 1 + 2 + 4 s of delay, never at once
}
it_step "3 wrong passwords are answered after growing delays, then closed" three_wrong
lockout() {
  slow_telnet "${WRONG[@]}" "expect:$IT_USER_PROMPT" "send:admin" "expect:$IT_PASS_PROMPT" \
    "send:wrong" "expect:locked out for 60 s" "eof" || return 1
  slow_telnet "expect:Too many failed logins" "eof" || return 1
  [[ $(perf_value mml lockouts) == 1 && $(perf_value telnet "refused locked") == 1 ]]
}
it_step "the 5th failure in a row locks the source out: its next connection is refused" lockout

it_step "host-sim still runs" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
