# shellcheck shell=bash
# Integration test harness for host-sim: a network namespace of the test's
# own with the TAP inside it, host-sim running in it, real clients (sipp,
# socat, telnet) talking to it from inside. No traffic leaves the namespace.
#
#   . "$(dirname "$0")/lib.sh"
#   it_init "$1"                 # BUILD_DIR; needs root; sets the trap
#   it_netns_up                  # namespace + TAP + 198.51.100.1/24 + lo
#   it_start_gw [HOST-SIM ARGS]  # host-sim in the namespace, log in $IT_LOG
#   it_wait_ready                # until it answers ICMP echo
#   it_step "what" CMD...        # runs CMD (bounded by the caller), PASS/FAIL
#   it_ns CMD...                 # CMD inside the namespace
#   it_sipp SCENARIO [ARGS]      # one sipp run from the namespace, bounded
#   it_report CMD                # CMD on the console; prints its whole report
#   it_done                      # prints the summary, exit 0
#
# Knobs (environment): IT_DEADLINE (whole-test limit, s, default 150: under
# ctest's 180 so that the cleanup runs),
# IT_KEEP=1 (keep the temp dir), IT_VERBOSE=1 (show step output on success).

IT_GW_IP=198.51.100.2
IT_PEER_IP=198.51.100.1
IT_PREFIX=24
IT_TAP=imsgw0          # its own namespace: no clash with the machine's TAPs
IT_STEPS=0
IT_GW_PID=
IT_WATCHDOG_PID=
IT_FIFO_FD=
IT_NS=
IT_TMP=
IT_FAILED=0

# Messages go to the script's own stdout/stderr, saved in it_init, so that
# they are seen even from a trap that fires while a step's output is
# redirected to its log.
IT_OUT=1
IT_ERR=2
it_log() { printf '%s: %s\n' "${IT_NAME:-it}" "$*" >&"$IT_OUT"; }

it_die() {
  # Setup failure (not a test step): same exit status as a failed step.
  IT_FAILED=1
  exec >&"$IT_OUT" 2>&"$IT_ERR"
  printf '%s: ERROR: %s\n' "${IT_NAME:-it}" "$*" >&2
  exit 1
}

it_require_root() {
  if [[ $(id -u) -ne 0 ]]; then
    printf '%s: needs root (network namespaces and a TAP): run it with sudo\n' \
      "${IT_NAME:-it}" >&2
    exit 1
  fi
}

# it_init BUILD_DIR: checks root and tools, makes the temp dir, sets the
# cleanup trap and the whole-test deadline.
it_init() {
  IT_NAME=${IT_NAME:-$(basename "$0" .sh)}
  local build=${1:-}
  if [[ -z $build ]]; then
    printf 'usage: %s BUILD_DIR   (e.g. build/host-sim)\n' "$0" >&2
    exit 1
  fi
  it_require_root
  exec {IT_OUT}>&1 {IT_ERR}>&2
  IT_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  IT_BUILD=$(cd "$build" 2>/dev/null && pwd) || it_die "no build directory $build"
  IT_BIN=$IT_BUILD/host-sim/imsgw-host-sim
  [[ -x $IT_BIN ]] || it_die "no $IT_BIN: build it first (cmake --build --preset host-sim --target imsgw-host-sim)"
  local tool
  for tool in ip timeout python3; do
    command -v "$tool" >/dev/null || it_die "missing tool: $tool"
  done
  IT_PY=/usr/bin/python3
  [[ -x $IT_PY ]] || IT_PY=$(command -v python3)
  IT_NS=imsgw-it-$$
  IT_TMP=$(mktemp -d "/tmp/imsgw-it-$$.XXXXXX")
  IT_LOG=$IT_TMP/host-sim.log
  IT_STATE=$IT_TMP/state
  mkdir -p "$IT_STATE"
  trap it_cleanup EXIT
  trap 'it_log "interrupted"; IT_FAILED=1; exit 1' INT TERM HUP
  local deadline=${IT_DEADLINE:-150}
  # A watchdog for the whole test: TERM to this shell runs the cleanup.
  ( sleep "$deadline" && echo "${IT_NAME}: ERROR: whole-test deadline of ${deadline}s reached" >&2 \
      && kill -TERM $$ ) 2>/dev/null &
  IT_WATCHDOG_PID=$!
  it_log "namespace $IT_NS, temp $IT_TMP"
}

# it_ns CMD...: runs CMD inside the test's namespace.
it_ns() { ip netns exec "$IT_NS" "$@"; }

# it_netns_up: the namespace, lo up, the TAP (inside it) with the peer
# address 198.51.100.1/24 on it.
it_netns_up() {
  ip netns add "$IT_NS" || it_die "ip netns add $IT_NS failed"
  it_ns ip link set lo up || it_die "lo up failed"
  it_ns ip tuntap add dev "$IT_TAP" mode tap || it_die "creating TAP $IT_TAP failed"
  it_ns ip addr add "$IT_PEER_IP/$IT_PREFIX" dev "$IT_TAP" || it_die "address on $IT_TAP failed"
  it_ns ip link set "$IT_TAP" up || it_die "$IT_TAP up failed"
}

# it_start_gw [ARGS]: starts host-sim in the namespace, stdin from a fifo
# that this shell holds open (write console lines with it_console; closing
# it is EOF, which stops host-sim: --exit-on-eof), output in $IT_LOG.
it_start_gw() {
  local fifo=$IT_TMP/console
  rm -f "$fifo"  # a restart in the same test makes a new one
  mkfifo "$fifo"
  exec {IT_FIFO_FD}<>"$fifo"
  ip netns exec "$IT_NS" "$IT_BIN" --tap "$IT_TAP" --ip "$IT_GW_IP" \
    --netmask 255.255.255.0 --gw "$IT_PEER_IP" --state "$IT_STATE" \
    --exit-on-eof "$@" <"$fifo" >"$IT_LOG" 2>&1 {IT_FIFO_FD}>&- {IT_OUT}>&- {IT_ERR}>&- &
  IT_GW_PID=$!
  it_log "host-sim pid $IT_GW_PID: $IT_BIN --tap $IT_TAP --ip $IT_GW_IP --state $IT_STATE $*"
}

# it_running PID: alive and not a zombie (kill -0 succeeds on a zombie until
# it is waited for).
it_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat%% *} != Z ]]
}

it_gw_alive() { [[ -n $IT_GW_PID ]] && it_running "$IT_GW_PID"; }

# it_console LINE: one line to host-sim's console (stdin).
it_console() { printf '%s\n' "$*" >&"$IT_FIFO_FD"; }

# it_wait_ready [TIMEOUT_S]: until the gateway answers ICMP echo from the
# namespace (its ARP and IP work), failing early if host-sim exits.
it_wait_ready() {
  local limit=${1:-10} start=$SECONDS
  while (( SECONDS - start < limit )); do
    it_gw_alive || it_fail "host-sim is running" "it exited during start-up"
    if it_ns timeout 3 "$IT_PY" "$IT_ROOT/tests/integration/ping.py" "$IT_GW_IP" 1 \
        >"$IT_TMP/ping.log" 2>&1; then
      it_pass "host-sim answers ping on $IT_GW_IP ($(head -1 "$IT_TMP/ping.log"))"
      return 0
    fi
  done
  it_fail "host-sim answers ping on $IT_GW_IP within ${limit}s" "$(cat "$IT_TMP/ping.log")"
}

it_pass() {
  IT_STEPS=$((IT_STEPS + 1))
  printf '%s: PASS %d: %s\n' "$IT_NAME" "$IT_STEPS" "$1" >&"$IT_OUT"
}

# it_fail WHAT [DETAILS]: reports the failed step with the tail of the
# host-sim log and exits 1 (the trap cleans up).
it_fail() {
  IT_STEPS=$((IT_STEPS + 1))
  IT_FAILED=1
  exec >&"$IT_OUT" 2>&"$IT_ERR"
  printf '%s: FAIL %d: %s\n' "$IT_NAME" "$IT_STEPS" "$1" >&2
  [[ -n ${2:-} ]] && printf '%s\n' "$2" | sed 's/^/    | /' >&2
  if [[ -n ${IT_LOG:-} && -s $IT_LOG ]]; then
    printf '    host-sim log (last 20 lines of %s):\n' "$IT_LOG" >&2
    tail -n 20 "$IT_LOG" | sed 's/^/    > /' >&2
  fi
  exit 1
}

# it_step WHAT CMD...: runs CMD (the caller bounds it, e.g. with timeout),
# PASS if it exits 0, FAIL with its output otherwise.
it_step() {
  local what=$1
  shift
  local out=$IT_TMP/step-$((IT_STEPS + 1)).log
  if "$@" >"$out" 2>&1; then
    [[ ${IT_VERBOSE:-0} == 1 ]] && sed 's/^/    | /' "$out"
    it_pass "$what"
  else
    local rc=$?
    it_fail "$what (exit $rc)" "$(tail -n 40 "$out")"
  fi
}

# it_sipp SCENARIO [ARGS]: one sipp client run from the namespace against
# the gateway's SIP port; exits non-zero unless every call succeeded.
it_sipp() {
  local scenario=$1
  shift
  command -v sipp >/dev/null || { echo "sipp is not installed (apt-get install sip-tester)"; return 1; }
  local dir=$IT_TMP/sipp
  mkdir -p "$dir"
  # sipp writes its logs next to the scenario: copy it into the temp dir.
  cp "$scenario" "$dir/"
  (cd "$dir" && it_ns timeout 30 sipp "$IT_GW_IP:5060" -sf "$(basename "$scenario")" \
      -i "$IT_PEER_IP" -p 5070 -nostdin -m 1 -timeout 10s -timeout_error \
      -trace_err -trace_msg "$@" </dev/null)
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    local f
    for f in "$dir"/*_messages.log "$dir"/*_errors.log; do
      [[ -f $f ]] && { echo "--- $f"; tail -n 40 "$f"; }
    done
  fi
  rm -f "$dir"/*_messages.log "$dir"/*_errors.log
  return $rc
}

# it_uas_start SCENARIO PORT NAME: a callee sipp (tests/sipp/SCENARIO) for
# one call on PORT in the background, its logs in $IT_TMP/NAME; sets
# IT_UAS_PID. Pair it with it_uas_wait.
it_uas_start() {
  local scenario=$1 port=$2 dir=$IT_TMP/$3
  mkdir -p "$dir"
  cp "$IT_ROOT/tests/sipp/$scenario" "$dir/"
  (cd "$dir" && it_ns timeout 30 sipp -sf "$scenario" -i "$IT_PEER_IP" -p "$port" -nostdin \
      -m 1 -timeout 20s -timeout_error -trace_err -trace_msg </dev/null >"$dir/out.log" 2>&1) &
  IT_UAS_PID=$!
}

# it_uas_wait PID NAME: waits for the callee sipp; on failure prints its
# logs. Exit status: the sipp's.
it_uas_wait() {
  local dir=$IT_TMP/$2 rc
  wait "$1"
  rc=$?
  if [[ $rc -ne 0 ]]; then
    echo "callee sipp $2 failed (exit $rc)"
    local f
    for f in "$dir"/*_messages.log "$dir"/*_errors.log; do
      [[ -f $f ]] && { echo "--- $f"; tail -n 60 "$f"; }
    done
  fi
  rm -f "$dir"/*_messages.log "$dir"/*_errors.log
  return $rc
}

# it_call_with CALLEE-SCENARIO CALLER-SCENARIO [CALLER ARGS]: one call from
# 1001 (sipp on 5061, with credentials) to the callee sipp on 5070 (registered
# as 1002); both must pass. sipp puts "sip:GW:PORT" in the digest uri unless
# told; phones use the Request-URI, which the proxy checks it against.
it_call_with() {
  local uas=$1 uac=$2
  shift 2
  it_uas_start "$uas" 5070 uas
  local uas_pid=$IT_UAS_PID
  sleep 0.5
  it_sipp "$IT_ROOT/tests/sipp/$uac" -p 5061 -au 1001 -ap 1001 \
    -auth_uri "1002@$IT_GW_IP:5060" "$@"
  local rc=$?
  it_uas_wait "$uas_pid" uas
  local uas_rc=$?
  [[ $rc -eq 0 && $uas_rc -eq 0 ]]
}

# The MML login prompts, and it_telnet STEP...: tests/integration/
# telnet_client.py against the gateway's telnet port from inside the
# namespace, bounded twice (per expect and as a whole).
IT_USER_PROMPT='(login|user ?name|user)\s*:\s*$'
IT_PASS_PROMPT='password\s*:\s*$'
it_telnet() {
  it_ns timeout 30 "$IT_PY" "$IT_ROOT/tests/integration/telnet_client.py" "$IT_GW_IP" 23 \
    --timeout 5 "$@"
}

# it_console_shows REGEX COMMAND: sends COMMAND on the console and waits up
# to 3 s for a line matching REGEX in the output that follows it.
it_console_shows() {
  local mark i
  mark=$(wc -l <"$IT_LOG")
  it_console "$2"
  for i in $(seq 30); do
    tail -n +"$((mark + 1))" "$IT_LOG" | grep -Eq "$1" && return 0
    sleep 0.1
  done
  echo "no line matching /$1/ after \"$2\""; tail -n +"$((mark + 1))" "$IT_LOG" | tail -n 20
  return 1
}

# it_report COMMAND: sends an MML command on the console and prints
# the report that follows it (up to its "---    END" line, within 3 s).
it_report() {
  local mark
  mark=$(wc -l <"$IT_LOG")
  it_console "$1"
  for _ in $(seq 30); do
    if tail -n +"$((mark + 1))" "$IT_LOG" | grep -q -- '^---    END'; then
      tail -n +"$((mark + 1))" "$IT_LOG" | sed '/^---    END/q'
      return 0
    fi
    sleep 0.1
  done
  echo "no complete report after \"$1\" within 3 s:"
  tail -n +"$((mark + 1))" "$IT_LOG" | tail -n 20
  return 1
}

# it_no_rows COMMAND [REGEX]: COMMAND's whole report (it_report) says
# "Number of results = 0", or, with REGEX, has no line matching it. Fails
# when the report did not arrive: silence is no proof of absence.
it_no_rows() {
  local report
  report=$(it_report "$1") || { echo "$report"; return 1; }
  if [[ -n ${2:-} ]]; then
    grep -Eq "$2" <<<"$report" && { echo "$report"; return 1; }
    return 0
  fi
  grep -q '(Number of results = 0)' <<<"$report" || { echo "$report"; return 1; }
}

# it_pools_empty [LIMIT_S]: DSP PERF every 2 s until the TRANSACTIONS,
# CALLS, PROXY_CONTEXTS and HELD_RESPONSES pools show 0 used (answered requests wait out
# Timer J, 32 s), at most LIMIT_S seconds (default 45).
it_pools_empty() {
  local start=$SECONDS rows
  while (( SECONDS - start < ${1:-45} )); do
    rows=$(it_report "DSP PERF" | grep -E '^(TRANSACTIONS|CALLS|PROXY_CONTEXTS|HELD_RESPONSES) +[0-9]+')
    if [[ $(grep -Ec '^[A-Z_]+ +0 ' <<<"$rows") -eq 4 ]]; then
      echo "after $((SECONDS - start)) s:"
      echo "$rows"
      return 0
    fi
    sleep 1.5
  done
  echo "pools not back to 0 used after ${1:-45} s:"
  echo "$rows"
  return 1
}

# it_stop_gw: EOF on the console; host-sim must exit 0 within 5 s.
it_stop_gw() {
  [[ -n $IT_GW_PID ]] || return 0
  if [[ -n $IT_FIFO_FD ]]; then
    exec {IT_FIFO_FD}>&-
    IT_FIFO_FD=
  fi
  local i
  for i in $(seq 50); do
    it_running "$IT_GW_PID" || break
    sleep 0.1
  done
  if it_running "$IT_GW_PID"; then
    kill -TERM "$IT_GW_PID" 2>/dev/null
    sleep 1
    kill -KILL "$IT_GW_PID" 2>/dev/null
    wait "$IT_GW_PID" 2>/dev/null
    IT_GW_PID=
    return 1
  fi
  wait "$IT_GW_PID"
  local rc=$?
  IT_GW_PID=
  return $rc
}

it_cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  exec >&"$IT_OUT" 2>&"$IT_ERR"
  [[ $IT_FAILED == 1 && $rc == 0 ]] && rc=1
  if [[ -n $IT_WATCHDOG_PID ]]; then
    pkill -P "$IT_WATCHDOG_PID" 2>/dev/null  # its sleep
    kill "$IT_WATCHDOG_PID" 2>/dev/null
    wait "$IT_WATCHDOG_PID" 2>/dev/null
  fi
  if [[ -n $IT_GW_PID ]]; then
    it_stop_gw >/dev/null 2>&1
  fi
  if [[ -n $IT_NS ]] && ip netns list | grep -qw "^$IT_NS"; then
    # Whatever still runs in our own namespace was started by this test.
    local pid
    for pid in $(ip netns pids "$IT_NS" 2>/dev/null); do
      kill -KILL "$pid" 2>/dev/null
    done
    ip netns del "$IT_NS" 2>/dev/null || echo "${IT_NAME}: warning: could not delete namespace $IT_NS" >&2
  fi
  if [[ -n $IT_TMP && -d $IT_TMP ]]; then
    if [[ $rc -ne 0 || ${IT_KEEP:-0} == 1 ]]; then
      echo "${IT_NAME}: logs kept in $IT_TMP" >&2
    else
      rm -rf "$IT_TMP"
    fi
  fi
  exit $rc
}

it_done() {
  printf '%s: OK (%d steps passed)\n' "$IT_NAME" "$IT_STEPS"
  exit 0
}
