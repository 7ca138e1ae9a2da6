#!/usr/bin/env bash
# tests/qemu/boot_test.sh ELF: boots the mps2-an386 image under QEMU (user
# networking, forwards on 127.0.0.1 high ports) and checks it end to end:
#   1. the console (QEMU serial on a local TCP socket) shows the banner;
#      DSP SYSINFO on the console: RETCODE = 0 and the board mps2-an386
#   2. a SIP OPTIONS from sipp (tests/sipp/options.xml) gets 200; REGISTER
#      1001 with digest auth gets 401 then 200; DSP REG shows the binding;
#      1002 (a sipp callee on 127.0.0.1, port +1) registers, 1001 (port +2)
#      calls it (407, 100/180/200, ACK, BYE) and sends it a MESSAGE (407, 200)
#   3. telnet login admin/admin, DSP SYSINFO: RETCODE = 0 and mps2-an386
# Then QEMU is stopped. Every wait is bounded; exit 0 = pass, 1 = fail.
#
# Ports (host side, 127.0.0.1 only): SIP udp 25060, telnet tcp 22323, TFTP
# udp 26969, console tcp 25023; override with BOOT_TEST_SIP_PORT,
# BOOT_TEST_TELNET_PORT, BOOT_TEST_TFTP_PORT, BOOT_TEST_CONSOLE_PORT. The RTP
# range is not forwarded unless BOOT_TEST_RTP=1.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
elf=${1:-$root/build/mps2-an386/boards/mps2-an386/imsgw-mps2-an386.elf}
sip_port=${BOOT_TEST_SIP_PORT:-25060}
telnet_port=${BOOT_TEST_TELNET_PORT:-22323}
tftp_port=${BOOT_TEST_TFTP_PORT:-26969}
console_port=${BOOT_TEST_CONSOLE_PORT:-25023}
sipp_local_port=${BOOT_TEST_SIPP_PORT:-25070}
callee_port=$((sipp_local_port + 1))   # sipp as 1002, answering
caller_port=$((sipp_local_port + 2))   # sipp as 1001, calling
step_timeout=${BOOT_TEST_TIMEOUT:-20}
driver=$root/tests/integration/telnet_client.py

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imsgw-boot-test.XXXXXX")
qemu_pid=""
failed=0

log() { echo "boot_test: $*"; }
fail_now() { log "FAIL: $*"; exit 1; }

cleanup() {
  if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill "$qemu_pid" 2>/dev/null
    # tools/qemu stops QEMU on TERM; give it 5 s, then force it.
    for _ in $(seq 50); do kill -0 "$qemu_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$qemu_pid" 2>/dev/null && kill -KILL "$qemu_pid" 2>/dev/null
    wait "$qemu_pid" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# step NAME COMMAND...: runs one check, prints ok/FAIL and the transcript on
# failure. Later steps still run so that one report shows everything.
step() {
  local name=$1
  shift
  local out=$tmp/step.out
  if "$@" >"$out" 2>&1; then
    log "ok   $name"
  else
    log "FAIL $name"
    sed 's/^/    | /' "$out" | tail -n 40
    failed=1
  fi
}

for tool in qemu-system-arm python3 socat ss; do
  command -v "$tool" >/dev/null || fail_now "$tool is not installed"
done
[[ -f $elf ]] || fail_now "no image at $elf (cmake --preset mps2-an386 && cmake --build --preset mps2-an386)"
[[ $(head -c 4 "$elf" | od -An -c | tr -d ' ') == 177ELF ]] || fail_now "$elf is not an ELF file"
[[ -f $driver ]] || fail_now "missing $driver"
for p in "$sip_port" "$telnet_port" "$tftp_port" "$console_port"; do
  if ss -Hlnut "sport = :$p" | grep -q .; then
    fail_now "host port $p is already in use (set BOOT_TEST_*_PORT)"
  fi
done

rtp=(--no-rtp)
[[ ${BOOT_TEST_RTP:-0} == 1 ]] && rtp=()
log "booting $elf"
# wait=on: QEMU holds the CPU until the console client connects, so the
# banner is not lost.
setsid "$root/tools/qemu" --elf "$elf" --no-build \
  --serial "tcp:127.0.0.1:${console_port},server=on,wait=on" \
  --sip-port "$sip_port" --telnet-port "$telnet_port" --tftp-port "$tftp_port" \
  "${rtp[@]}" </dev/null >"$tmp/qemu.log" 2>&1 &
qemu_pid=$!

listening=0
for _ in $(seq 100); do
  if ss -Hltn "sport = :$console_port" | grep -q .; then listening=1; break; fi
  kill -0 "$qemu_pid" 2>/dev/null || break
  sleep 0.1
done
if [[ $listening != 1 ]]; then
  sed 's/^/    | /' "$tmp/qemu.log"
  fail_now "QEMU did not open the console socket within 10 s"
fi

console() { python3 "$driver" 127.0.0.1 "$console_port" --timeout "$step_timeout" "$@"; }
telnet() { python3 "$driver" 127.0.0.1 "$telnet_port" --timeout "$step_timeout" "$@"; }

# run_sipp [SCENARIO [SIPP ARGS...]]: one call of a scenario in tests/sipp
# (default options.xml) against the forwarded SIP port.
run_sipp() {
  command -v sipp >/dev/null || { echo "sipp is not installed (apt-get install sip-tester)"; return 1; }
  local scenario=${1:-options.xml}
  shift || true
  local dir=$tmp/sipp
  mkdir -p "$dir"
  cp "$root/tests/sipp/$scenario" "$dir/"
  (cd "$dir" && timeout 30 sipp "127.0.0.1:${sip_port}" -sf "$scenario" \
    -i 127.0.0.1 -p "$sipp_local_port" -nostdin -m 1 -timeout 10s -timeout_error \
    -trace_err -trace_msg "$@" </dev/null)
  local rc=$?
  if [[ $rc -ne 0 ]]; then
    local f
    for f in "$dir"/*_messages.log "$dir"/*_errors.log; do
      [[ -f $f ]] && { echo "--- $f"; tail -n 30 "$f"; echo; }
    done
  fi
  return $rc
}

# two_phones CALLEE-SCENARIO CALLER-SCENARIO [CALLEE ARGS]: the callee sipp
# (registered as 1002 on 127.0.0.1:callee_port, Contact 10.0.2.2: inside the
# guest 127.0.0.1 is the guest itself) in the background, the caller 1001
# from caller_port with proxy auth; both must pass, within 30 s each.
two_phones() {
  local uas=$1 uac=$2
  shift 2
  local dir=$tmp/callee
  mkdir -p "$dir"
  cp "$root/tests/sipp/$uas" "$dir/"
  (cd "$dir" && timeout 30 sipp -sf "$uas" -i 127.0.0.1 -p "$callee_port" -nostdin -m 1 \
    -timeout 20s -timeout_error -trace_err -trace_msg "$@" </dev/null >"$dir/out.log" 2>&1) &
  local uas_pid=$!
  sleep 0.5
  run_sipp "$uac" -p "$caller_port" -s 1002 -au 1001 -ap 1001 -auth_uri "1002@127.0.0.1:${sip_port}"
  local rc=$?
  wait "$uas_pid"
  local uas_rc=$?
  if [[ $uas_rc -ne 0 ]]; then
    echo "callee sipp failed (exit $uas_rc)"
    local f
    for f in "$dir"/*_messages.log "$dir"/*_errors.log; do
      [[ -f $f ]] && { echo "--- $f"; tail -n 30 "$f"; echo; }
    done
  fi
  rm -f "$dir"/*_messages.log "$dir"/*_errors.log "$tmp"/sipp/*_messages.log "$tmp"/sipp/*_errors.log
  [[ $rc -eq 0 && $uas_rc -eq 0 ]]
}

user_prompt='(login|user ?name|user)\s*:\s*$'
pass_prompt='password\s*:\s*$'
advertise="SIP.ADVERTISE_ADDR=127.0.0.1 SIP.ADVERTISE_PORT=${sip_port}"

step "console: banner, DSP SYSINFO (RETCODE = 0, board mps2-an386)" \
  console "expect:imsgw" "send:" "send:DSP SYSINFO;" \
  "expect:RETCODE\s*=\s*0" "expect:mps2-an386" close
step "console: the advertised address came from tools/qemu's boot arguments" \
  console "send:" "send:DSP CFG KEY=SIP.ADVERTISE_ADDR" "expect:127\.0\.0\.1" close
step "console: a malformed line names the parameter and its values" \
  console "send:" "send:SET LOG LEVEL=LOUD" "expect:LEVEL" "expect:DEBUG" close
step "SIP OPTIONS to 127.0.0.1:${sip_port} gets 200 (sipp)" run_sipp
step "REGISTER 1001 with digest auth through the forward: 401, then 200 (sipp)" \
  run_sipp register_auth.xml -s 1001 -au 1001 -ap 1001
step "console: DSP REG shows 1001's binding" \
  console "send:" "send:DSP REG" "expect:1001 +sip:1001@127\.0\.0\.1" close
step "REGISTER 1002 from 127.0.0.1:${callee_port}, Contact 10.0.2.2 (the host as the guest sees it)" \
  run_sipp register_contact.xml -key contact_host 10.0.2.2 -s 1002 -au 1002 -ap 1002 -p "$callee_port"
step "a call 1001 -> 1002 through the forwards: 407, 100/180/200, ACK, BYE (sipp both sides)" \
  two_phones uas_answer_contact.xml uac_call.xml -key contact_host 10.0.2.2
step "MESSAGE 1001 -> 1002 through the forwards: 407, then 200 from the callee" \
  two_phones uas_message.xml uac_message.xml
step "telnet 127.0.0.1:${telnet_port}: login admin/admin, DSP SYSINFO" \
  telnet "expect:$user_prompt" "send:admin" "expect:$pass_prompt" "send:admin" \
  "send:DSP SYSINFO;" "expect:RETCODE\s*=\s*0" "expect:mps2-an386" close
if grep -q "PANIC" "$tmp/step.out" 2>/dev/null; then failed=1; fi
if [[ $failed == 0 ]]; then
  log "PASS"
  exit 0
fi
log "qemu log:"
sed 's/^/    | /' "$tmp/qemu.log" | tail -n 20
exit 1
