#!/usr/bin/env bash
# SIP OPTIONS to host-sim over the TAP, from a namespace of the test's own:
#   1. the gateway answers ICMP echo (lwIP is up on the TAP)
#   2. sipp's OPTIONS sip:198.51.100.2 gets 200 (tests/sipp/options.xml)
#   3. a garbage UDP datagram to 5060 is survived: host-sim still runs
#   4. OPTIONS gets 200 again afterwards
#   5. console EOF stops host-sim with exit 0
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
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
