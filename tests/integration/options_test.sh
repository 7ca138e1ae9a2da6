#!/usr/bin/env bash
# SIP OPTIONS to host-sim over the TAP, from a namespace of the test's own:
#   1. the gateway answers ICMP echo (lwIP is up on the TAP)
#   2. sipp's OPTIONS sip:198.51.100.2 gets 200 (tests/sipp/options.xml)
#   3. a garbage UDP datagram to 5060 is survived: host-sim still runs
#   4. OPTIONS gets 200 again afterwards
#   5. sizes: a 6,000-byte OPTIONS (IP fragments, reassembled) gets 200; a
#      9,000-byte one (over the 8 KiB datagram limit) gets 413; a 30,000-byte
#      one (beyond lwIP's reassembly) gets nothing; DSP PERF counts them all
#      (sip.udp rx too big, sip rx too big (413), lwip.ipfrag drop) and
#      OPTIONS still gets 200
#   6. console EOF stops host-sim with exit 0
# Usage: tests/integration/options_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
command -v sipp >/dev/null || it_die "sipp is not installed (apt-get install sip-tester)"
command -v socat >/dev/null || it_die "socat is not installed (apt-get install socat)"
it_netns_up
it_start_gw
it_wait_ready 15

scenario=$IT_ROOT/tests/sipp/options.xml
it_step "OPTIONS sip:$IT_GW_IP gets 200 (sipp)" it_sipp "$scenario"

it_step "a garbage datagram to UDP 5060 is sent" bash -c '
  printf "garbage\r\n\r\n" | ip netns exec "$1" timeout 5 socat -t 0.5 - "UDP:$2:5060"
  rc=$?; [[ $rc -eq 0 || $rc -eq 124 ]]' _ "$IT_NS" "$IT_GW_IP"
sleep 0.3
it_step "host-sim survives the garbage datagram" it_gw_alive
it_step "OPTIONS still gets 200 after the garbage" it_sipp "$scenario"

sip_send() { it_ns timeout 10 "$IT_PY" "$IT_ROOT/tests/integration/sip_send.py" "$IT_GW_IP" 5060 "$@"; }
answer_is() {
  local want=$1 got
  shift
  got=$(sip_send "$@")
  echo "$* bytes: $got"
  [[ $got == "$want" ]]
}
it_step "a 6,000-byte OPTIONS, in IP fragments, gets 200" answer_is "SIP/2.0 200 OK" 6000
it_step "a 9,000-byte OPTIONS (over 8 KiB) gets 413" \
  answer_is "SIP/2.0 413 Request Entity Too Large" 9000
it_step "a 30,000-byte OPTIONS gets no answer" answer_is "no answer" 30000 2
perf_counts() {
  it_console_shows '^sip\.udp +rx too big +1\b' "DSP PERF" &&
    grep -Eq '^sip +rx too big \(413\) +1\b' "$IT_LOG" &&
    grep -Eq '^lwip\.ipfrag +drop +[1-9][0-9]*$' "$IT_LOG"
}
it_step "DSP PERF counts the datagram over the limit, the 413 and the fragments lwIP dropped" \
  perf_counts
it_step "OPTIONS still gets 200 after the oversized ones" it_sipp "$scenario"
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
