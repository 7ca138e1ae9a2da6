#!/usr/bin/env bash
# Two real softphones (Debian's linphonec, Linphone's command-line client)
# against host-sim, as the README tells a user to set them up: 1001 and 1002
# on 198.51.100.1 (ports 5081 and 5082), proxy 198.51.100.2, no sound card.
#   1. both register with digest auth; DSP REG shows them (User-Agent
#      Linphonec)
#   2. 1001 calls 1002, who answers automatically (-a): both say connected,
#      DSP CALL shows the call CONFIRMED while it lasts
#   3. 1001 hangs up: both say ended; DSP CALL lists none
#   4. 1001 sends 1002 a text MESSAGE; 1002 shows it
#   5. both quit, unregistering: DSP REG lists none
#   6. every transaction ends: the pool is back to 0 used
# Usage: tests/integration/linphone_test.sh BUILD_DIR   (as root)
set -u
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"
command -v linphonec >/dev/null || it_die "linphonec is not installed (apt-get install linphone-cli)"
it_netns_up
it_start_gw
it_wait_ready 15

declare -A LP_PID LP_FD

# lp_start NAME USER PORT: linphonec with a config of its own in $IT_TMP/NAME
# (its HOME too), commands from a fifo this shell holds open, output in
# $IT_TMP/NAME/out.
lp_start() {
  local name=$1 user=$2 port=$3 dir=$IT_TMP/$1
  mkdir -p "$dir/.local/share/linphone"
  cat >"$dir/linphonerc" <<EOF
[sip]
sip_port=$port
sip_tcp_port=-1
sip_tls_port=-1
default_proxy=0
[rtp]
audio_rtp_port=$((port + 1000))
[proxy_0]
reg_proxy=<sip:$IT_GW_IP;transport=udp>
reg_identity=sip:$user@$IT_GW_IP
reg_expires=600
reg_sendregister=1
publish=0
[auth_info_0]
username=$user
passwd=$user
realm=imsgw.local
EOF
  mkfifo "$dir/in"
  local fd
  exec {fd}<>"$dir/in"
  LP_FD[$name]=$fd
  (cd "$dir" && exec ip netns exec "$IT_NS" env HOME="$dir" timeout 100 linphonec \
    -c "$dir/linphonerc" -d 5 -l "$dir/log" -a <"$dir/in" >"$dir/out" 2>&1) &
  LP_PID[$name]=$!
}

lp_cmd() { printf '%s\n' "$2" >&"${LP_FD[$1]}"; }

# lp_shows NAME REGEX [TIMEOUT_S]: until the phone's output matches.
lp_shows() {
  local i
  for ((i = 0; i < ${3:-10} * 10; i++)); do
    grep -Eq "$2" "$IT_TMP/$1/out" && return 0
    sleep 0.1
  done
  echo "phone $1: no line matching /$2/; its output:"
  grep -v soundcard "$IT_TMP/$1/out" | tail -n 20
  return 1
}

# lp_registered NAME USER: asks "status register" until it says registered.
lp_registered() {
  local i
  for i in $(seq 20); do
    lp_cmd "$1" "status register"
    grep -q "^registered, identity=sip:$2@$IT_GW_IP" "$IT_TMP/$1/out" && return 0
    sleep 1
  done
  lp_shows "$1" "^registered, identity=sip:$2@" 1
}

# gw_rows CMD REGEX COUNT: CMD on the console; its report has COUNT rows
# matching REGEX and says (Number of results = COUNT).
gw_rows() {
  local out n
  out=$(it_report "$1") || { echo "$out"; return 1; }
  echo "$out"
  n=$(grep -Ec "$2" <<<"$out")
  [[ $n -eq $3 ]] && grep -Eq "^\(Number of results = $3\)" <<<"$out"
}

# Linphone knows SHA-256 digests (RFC 8760): offered alone, they are what
# the phones must use for REGISTER and for the INVITE's and MESSAGE's 407.
it_step "SET CFG AUTH.ALGORITHMS=SHA-256" \
  it_console_shows 'RETCODE = 0' "SET CFG KEY=AUTH.ALGORITHMS VALUE=SHA-256"

lp_start a 1001 5081
lp_start b 1002 5082

it_step "linphonec 1001 registers (digest auth)" lp_registered a 1001
it_step "linphonec 1002 registers (digest auth)" lp_registered b 1002
it_step "DSP REG shows both, with their User-Agent" \
  gw_rows "DSP REG" '^100[12] +sip:100[12]@198\.51\.100\.1:508[12].* Linphonec/' 2

lp_cmd a "call sip:1002@$IT_GW_IP"
it_step "1002 answers automatically: connected" lp_shows b "Call [0-9]+ with sip:1001@.* connected" 15
it_step "1001 sees the call connected" lp_shows a "Call [0-9]+ with sip:1002@.* connected" 10
it_step "DSP CALL shows the call CONFIRMED" gw_rows "DSP CALL" '^1001 +1002 +CONFIRMED ' 1

lp_cmd a "terminate"
it_step "1001 hangs up: ended" lp_shows a "Call [0-9]+ with sip:1002@.* ended" 10
it_step "1002 sees the call ended" lp_shows b "Call [0-9]+ with sip:1001@.* ended" 10
it_step "DSP CALL lists no call" gw_rows "DSP CALL" '^1001 ' 0

lp_cmd a "chat sip:1002@$IT_GW_IP hello from 1001"
it_step "a MESSAGE from 1001 reaches 1002" \
  lp_shows b "Message received from sip:1001@$IT_GW_IP: hello from 1001" 10

# sha256_only NAME: the phone's log shows it answered with SHA-256, never MD5.
sha256_only() {
  local log=$IT_TMP/$1/log
  grep -E '^(Proxy-)?Authorization:' "$log" | sort | uniq -c | head -n 5
  grep -Eq '^(Proxy-)?Authorization: +Digest .*algorithm=SHA-256' "$log" &&
    ! grep -Eq '^(Proxy-)?Authorization: +Digest .*algorithm=MD5' "$log"
}
it_step "1001 authenticated REGISTER, INVITE and MESSAGE with SHA-256" sha256_only a

quit_both() {
  lp_cmd a quit
  lp_cmd b quit
  local name rc=0
  for name in a b; do
    wait "${LP_PID[$name]}" || { echo "linphonec $name exited $?"; rc=1; }
  done
  return $rc
}
it_step "both phones quit" quit_both
it_step "they unregistered: DSP REG lists none" gw_rows "DSP REG" '^100[12] ' 0
it_step "DSP PERF: transactions, calls and proxy contexts back to 0 used" it_pools_empty 45
it_step "host-sim still runs" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
