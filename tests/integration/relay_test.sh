#!/usr/bin/env bash
# No open relay, over the wire with a raw socket (issue 7 item 7). From the
# test's namespace (198.51.100.1), with a "trap" UDP port standing for a
# foreign next hop that must never get anything:
#   1. an INVITE from an outside caller for sip:premium@TRAP routed through
#      the gateway with a Route naming it gets 403 Not Relaying; the trap
#      gets nothing
#   2. the same with a preloaded Route to the trap, R-URI a local user: 403
#   3. an in-dialog BYE (To tag) toward the trap: 403
#   4. a MESSAGE from a local subscriber toward the trap is challenged (407,
#      as Kamailio's default configuration does), never relayed
#   5. DSP PERF counts the refusals (proxy 403 relay refused 3)
#   6. SET CFG SIP.TRUNK_NETS names the trap's network: the INVITE now
#      reaches it and its 200 comes back
#   7. console EOF stops host-sim with exit 0
# Usage: tests/integration/relay_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
it_netns_up
it_start_gw
it_wait_ready 15

trap_port=5099
req=$IT_TMP/req.sip
probe() {  # probe WANT_ANSWER WANT_TRAP: sends $req, checks both lines
  local out
  out=$(it_ns timeout 10 "$IT_PY" "$IT_ROOT/tests/integration/sip_probe.py" "$IT_GW_IP" 5060 \
    "$req" "$trap_port" 3)
  echo "$out"
  [[ $(sed -n 1p <<<"$out") == "$1" && $(sed -n 2p <<<"$out") == "$2" ]]
}
request() {  # request METHOD R-URI EXTRA_HEADER_LINES TO_TAG FROM_HOST
  local tag=${4:+;tag=$4}
  cat >"$req" <<SIP
$1 $2 SIP/2.0
Via: SIP/2.0/UDP {local};branch=z9hG4bK-relay-$RANDOM;rport
Max-Forwards: 70
From: <sip:1001@${5:-example.com}>;tag=r$RANDOM
To: <$2>$tag
Call-ID: relay-$RANDOM@198.51.100.1
CSeq: 1 $1
Contact: <sip:1001@{local}>
$3Content-Length: 0

SIP
}
trap_uri="sip:premium@$IT_PEER_IP:$trap_port"

request INVITE "$trap_uri" "Route: <sip:$IT_GW_IP;lr>
"
it_step "INVITE to a foreign address with our Route: 403, nothing relayed" \
  probe "SIP/2.0 403 Not Relaying" "trap: nothing"
request MESSAGE "sip:1002@$IT_GW_IP" "Route: <sip:$IT_PEER_IP:$trap_port;lr>
"
it_step "a preloaded Route to a foreign address: 403, nothing relayed" \
  probe "SIP/2.0 403 Not Relaying" "trap: nothing"
request BYE "$trap_uri" "Route: <sip:$IT_GW_IP:5060;lr>
" t1
it_step "an in-dialog BYE of no call toward a foreign address: 403" \
  probe "SIP/2.0 403 Not Relaying" "trap: nothing"
request MESSAGE "$trap_uri" "Route: <sip:$IT_GW_IP;lr>
" "" "$IT_GW_IP"
it_step "a local subscriber's MESSAGE toward a foreign address is challenged, not relayed" \
  probe "SIP/2.0 407 Proxy Authentication Required" "trap: nothing"
it_step "DSP PERF counts the three refusals" \
  it_console_shows '^proxy +403 relay refused +3$' "DSP PERF"
it_step "SET CFG SIP.TRUNK_NETS names the trap's network" \
  it_console_shows 'RETCODE = 0' "SET CFG KEY=SIP.TRUNK_NETS VALUE=\"$IT_PEER_IP/32\""
request INVITE "$trap_uri" "Route: <sip:$IT_GW_IP;lr>
"
it_step "with the trunk network set the INVITE reaches the trap and its 200 comes back" \
  probe "SIP/2.0 200 OK" "trap: INVITE $trap_uri"
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
