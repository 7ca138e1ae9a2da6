#!/usr/bin/env bash
# The gateway used by real softphones: two baresip instances (Debian's
# baresip-core) in the test's own namespace, both on 198.51.100.1 (1001 on
# SIP port 5071, 1002 on 5073; baresip also listens on TCP port+1 for TLS,
# hence not adjacent), headless (ausine as the audio source, no player
# module), each with its own config dir and driven through its ctrl_tcp
# module (netstring JSON on 127.0.0.1 inside the namespace, through socat):
#   1. both register with digest auth: baresip's reginfo says OK, and DSP REG
#      on the console lists 1001 and 1002
#   2. 1001 dials sip:1002@198.51.100.2, 1002 answers by itself
#      (;answermode=auto): CALL_ESTABLISHED on both phones, DSP CALL lists
#      exactly one call, CONFIRMED
#   3. 1001 hangs up: CALL_CLOSED on both phones, DSP CALL lists none
#   4. 1001 sends a MESSAGE to 1002 (the contact module's "message" to the
#      current contact): 1002 shows the text
#   5. both phones quit (unregistering); DSP REG lists none, and DSP PERF's
#      pools are back to what they were before the phones started (the
#      transactions pool to 0 once the last Timer J/L has run out, 32 s),
#      and host-sim still runs
# The gateway's default AUTH.ALGORITHMS (MD5) matters here: Debian 12's
# baresip (libre 1.1.0) gives up on a 401/407 that has any challenge other
# than MD5 ("Register: Function not implemented") instead of skipping it.
# Each baresip writes its SIP trace (-s) to $IT_TMP/phone-NNNN/out.log; the
# ctrl_tcp events are in .../events (IT_KEEP=1 keeps them).
# Usage: tests/integration/softphone_test.sh BUILD_DIR   (as root)
set -u
IT_DEADLINE=${IT_DEADLINE:-110}
. "$(dirname "$0")/lib.sh"
it_init "${1:-}"

BARESIP_MODULES=/usr/lib/baresip/modules
command -v baresip >/dev/null ||
  it_die "baresip is not installed: apt-get install baresip-core (tools/check installs it)"
command -v socat >/dev/null || it_die "socat is not installed: apt-get install socat"
for m in g711 ausine stdio contact ctrl_tcp account menu; do
  [[ -f $BARESIP_MODULES/$m.so ]] || it_die "baresip module $BARESIP_MODULES/$m.so is missing (baresip-core)"
done

it_netns_up
it_start_gw
it_wait_ready 15

export LC_ALL=C  # ${#json} counts bytes for the netstrings

# pool_table: the POOL rows of DSP PERF as "NAME USED", one a line.
pool_table() {
  it_report "DSP PERF" | awk '/^POOL /{p=1; next} p && NF==0 {exit} p {print $1, $2}'
}

# --- the phones -------------------------------------------------------------
# phone_start USER SIP-PORT CTRL-PORT RTP-BASE PEER: a config dir
# $IT_TMP/phone-USER, baresip in the namespace (stdin a fifo this shell
# holds open: the stdio module is the UI that prints received MESSAGEs),
# and socat connected to its ctrl_tcp port: commands written to the fifo
# PHONE_CTL[USER], everything baresip sends back (responses and events,
# netstrings) appended to .../events.
declare -A PHONE_CTL PHONE_PID
phone_start() {
  local user=$1 sip_port=$2 ctrl_port=$3 rtp=$4 peer=$5
  local dir=$IT_TMP/phone-$user
  mkdir -p "$dir"
  cat >"$dir/config" <<EOF
poll_method		epoll
sip_listen		$IT_PEER_IP:$sip_port
audio_source		ausine,440
ausrc_srate		48000
ausrc_channels		2
auplay_srate		48000
rtp_ports		$rtp-$((rtp + 9))
module_path		$BARESIP_MODULES
module			g711.so
module			ausine.so
module			stdio.so
module			contact.so
module			ctrl_tcp.so
module_app		account.so
module_app		menu.so
ctrl_tcp_listen		127.0.0.1:$ctrl_port
EOF
  printf '<sip:%s@%s>;auth_pass=%s;answermode=auto\n' "$user" "$IT_GW_IP" "$user" >"$dir/accounts"
  printf '"%s" <sip:%s@%s>\n' "$peer" "$peer" "$IT_GW_IP" >"$dir/contacts"
  mkfifo "$dir/stdin" "$dir/ctl"
  local fd
  exec {fd}<>"$dir/stdin"  # held open until the test exits: no EOF for baresip
  : >"$dir/events"
  it_ns timeout "$IT_DEADLINE" baresip -f "$dir" -s <"$dir/stdin" >"$dir/out.log" 2>&1 \
    {IT_FIFO_FD}>&- {IT_OUT}>&- {IT_ERR}>&- &
  PHONE_PID[$user]=$!
  exec {fd}<>"$dir/ctl"
  PHONE_CTL[$user]=$fd
  echo 0 >"$dir/token"
  # retry: until baresip's ctrl_tcp listens (5 s)
  it_ns timeout "$IT_DEADLINE" socat -t 1 STDIO "TCP:127.0.0.1:$ctrl_port,retry=50,interval=0.1" \
    <"$dir/ctl" >>"$dir/events" 2>"$dir/socat.log" {IT_FIFO_FD}>&- {IT_OUT}>&- {IT_ERR}>&- &
}

# phone_cmd USER COMMAND [PARAMS]: one ctrl_tcp command (PARAMS without
# quotes or backslashes: put into the JSON as they are); waits up to 5 s for
# its response, prints its data, exit 0 if baresip said ok.
phone_cmd() {
  local user=$1 cmd=$2 params=${3:-} dir=$IT_TMP/phone-$1
  local token  # a counter in a file: phone_cmd also runs in subshells
  token=$(($(cat "$dir/token") + 1))
  echo "$token" >"$dir/token"
  local json
  json=$(printf '{"command":"%s","params":"%s","token":"%s-%d"}' "$cmd" "$params" "$user" "$token")
  printf '%d:%s,' "${#json}" "$json" >&"${PHONE_CTL[$user]}"
  local re='"response":true,"ok":(true|false),"data":"([^"\\]|\\.)*","token":"'$user-$token'"'
  local resp
  for _ in $(seq 50); do
    resp=$(grep -oE "$re" "$dir/events" | tail -n 1)
    if [[ -n $resp ]]; then
      printf '%s: %s %s -> %s\n' "$user" "$cmd" "$params" "$resp"
      [[ $resp == *'"ok":true'* ]]
      return
    fi
    sleep 0.1
  done
  echo "$user: no response to \"$cmd $params\" within 5 s; events:"
  tail -c 2000 "$dir/events"
  echo
  return 1
}

# phone_event_count USER TYPE: how many ctrl_tcp events of TYPE USER's phone sent.
phone_event_count() {
  grep -o "\"event\":true,\"type\":\"$2\"" "$IT_TMP/phone-$1/events" | wc -l
}

# phone_wait_event USER TYPE COUNT [TIMEOUT_S]: until the phone has sent
# COUNT events of TYPE (default 10 s).
phone_wait_event() {
  local user=$1 type=$2 count=$3 limit=${4:-10}
  for _ in $(seq $((limit * 10))); do
    [[ $(phone_event_count "$user" "$type") -ge $count ]] && { echo "$user: $type"; return 0; }
    sleep 0.1
  done
  echo "$user: no $type event within ${limit}s (have $(phone_event_count "$user" "$type")); events:"
  grep -o '"type":"[A-Z_]*"' "$IT_TMP/phone-$user/events" | tr '\n' ' '
  echo
  return 1
}

# --- the test ---------------------------------------------------------------
it_step "the default AUTH.ALGORITHMS is MD5 alone (baresip 1.0.0 refuses any other challenge)" \
  it_console_shows '^ +VALUE += MD5$' "DSP CFG KEY=AUTH.ALGORITHMS"

pools_before() {
  pool_table >"$IT_TMP/pools.before"
  cat "$IT_TMP/pools.before"
  grep -Eq '^TRANSACTIONS [0-9]+$' "$IT_TMP/pools.before" &&
    grep -Eq '^BINDINGS 0$' "$IT_TMP/pools.before"
}
it_step "DSP PERF before the phones: pool usage recorded, no bindings" pools_before

phone_start 1001 5071 4441 20000 1002
phone_start 1002 5073 4442 20010 1001

# registered: baresip's reginfo lists the account OK (it registers at start)
registered() {
  local user=$1 start=$SECONDS out
  while (( SECONDS - start < 10 )); do
    out=$(phone_cmd "$user" reginfo) || { echo "$out"; return 1; }
    if grep -Eq "> sip:$user@$IT_GW_IP +(\\\\u001B\\[[0-9;]*m)?OK" <<<"$out"; then
      echo "$out"
      return 0
    fi
    sleep 0.3
  done
  echo "$out"
  echo "--- baresip output"
  tr -d '\r' <"$IT_TMP/phone-$user/out.log" | grep -av '^$' | tail -n 30
  return 1
}
it_step "1001 (baresip) registers with digest auth: reginfo OK" registered 1001
it_step "1002 (baresip) registers with digest auth: reginfo OK" registered 1002

dsp_reg_both() {
  local out
  out=$(it_report "DSP REG") || { echo "$out"; return 1; }
  echo "$out"
  grep -Eq "^1001 +sip:1001[^ ]*@$IT_PEER_IP:5071 +$IT_PEER_IP:5071 +NO .*baresip" <<<"$out" &&
    grep -Eq "^1002 +sip:1002[^ ]*@$IT_PEER_IP:5073 +$IT_PEER_IP:5073 +NO .*baresip" <<<"$out"
}
it_step "DSP REG lists both bindings (1001 on 5071, 1002 on 5073, baresip)" dsp_reg_both

it_step "1001 dials sip:1002@$IT_GW_IP" phone_cmd 1001 dial "sip:1002@$IT_GW_IP"
established() {
  phone_wait_event 1001 CALL_ESTABLISHED 1 10 && phone_wait_event 1002 CALL_ESTABLISHED 1 10
}
it_step "1002 answers by itself: CALL_ESTABLISHED on both phones" established

one_call() {
  local out
  out=$(it_report "DSP CALL") || { echo "$out"; return 1; }
  echo "$out"
  grep -Eq '^1001 +1002 +CONFIRMED +[0-9]+ +[^ ]+' <<<"$out" &&
    grep -q '^(Number of results = 1)' <<<"$out"
}
it_step "DSP CALL lists one call, 1001 to 1002 CONFIRMED" one_call

sleep 1  # a second of RTP between the phones (not through the gateway)
it_step "1001 hangs up" phone_cmd 1001 hangup
closed() {
  phone_wait_event 1001 CALL_CLOSED 1 10 && phone_wait_event 1002 CALL_CLOSED 1 10
}
it_step "the call is closed on both phones: CALL_CLOSED" closed

no_call() {
  local out
  for _ in 1 2 3 4 5; do
    out=$(it_report "DSP CALL") || { echo "$out"; return 1; }
    grep -q '^(Number of results = 0)' <<<"$out" && { echo "$out"; return 0; }
    sleep 0.5
  done
  echo "$out"
  return 1
}
it_step "DSP CALL lists no call afterwards" no_call

TEXT="hello 1002, this is 1001 via imsgw"
it_step "1001 sends a MESSAGE to its contact 1002" phone_cmd 1001 message "$TEXT"
message_received() {
  local want="sip:1001@$IT_GW_IP: \"$TEXT\""
  for _ in $(seq 50); do
    grep -aqF "$want" "$IT_TMP/phone-1002/out.log" && { echo "1002 shows: $want"; return 0; }
    sleep 0.1
  done
  echo "1002 did not show $want within 5 s; its output:"
  tr -d '\r' <"$IT_TMP/phone-1002/out.log" | grep -av '^$' | tail -n 30
  return 1
}
it_step "1002 receives the text" message_received

# quit: both phones unregister and exit (bounded: 10 s)
phones_quit() {
  local user rc=0
  for user in 1001 1002; do
    phone_cmd "$user" quit || rc=1
  done
  for user in 1001 1002; do
    for _ in $(seq 100); do
      it_running "${PHONE_PID[$user]}" || break
      sleep 0.1
    done
    if it_running "${PHONE_PID[$user]}"; then
      echo "$user: baresip still runs 10 s after quit"
      rc=1
    else
      wait "${PHONE_PID[$user]}"
      echo "$user: baresip exited ($?)"
    fi
  done
  return $rc
}
it_step "both phones quit (unregistering)" phones_quit

no_reg() {
  local out
  out=$(it_report "DSP REG") || { echo "$out"; return 1; }
  echo "$out"
  grep -q '^(Number of results = 0)' <<<"$out"
}
it_step "DSP REG lists no binding after the phones unregistered" no_reg

# pools_back: DSP PERF every 2 s until every pool's usage is what it was
# before the phones (transactions 0 once Timers J/L have run out: 32 s
# after the last request), within 40 s.
pools_back() {
  local start=$SECONDS
  while (( SECONDS - start < 40 )); do
    pool_table >"$IT_TMP/pools.after"
    if [[ -s $IT_TMP/pools.after ]] && diff -q "$IT_TMP/pools.before" "$IT_TMP/pools.after" >/dev/null &&
        grep -q '^TRANSACTIONS 0$' "$IT_TMP/pools.after"; then
      echo "after $((SECONDS - start)) s:"
      cat "$IT_TMP/pools.after"
      return 0
    fi
    sleep 2
  done
  echo "pools not back after 40 s (before / after):"
  diff "$IT_TMP/pools.before" "$IT_TMP/pools.after"
  return 1
}
it_step "DSP PERF: every pool back to its usage before the phones (transactions 0)" pools_back

it_step "DSP CALL still lists no call" no_call
it_step "host-sim still runs" it_gw_alive
it_step "console EOF stops host-sim with exit 0" it_stop_gw
it_done
