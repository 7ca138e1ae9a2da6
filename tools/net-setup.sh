#!/usr/bin/env bash
# Creates (or removes) the TAP interface host-sim attaches to, like Zephyr's
# net-tools net-setup.sh. Run once as root; host-sim then opens the TAP as
# the user it belongs to.
#
#   sudo tools/net-setup.sh up   [--tap NAME] [--user USER] [--host-ip A.B.C.D/N] [--netns NS]
#   sudo tools/net-setup.sh down [--tap NAME] [--netns NS]
#   tools/net-setup.sh status    [--tap NAME] [--netns NS]
#
# up: TAP NAME (default imsgw0) owned by USER (default $SUDO_USER, else the
# caller), the host side gets --host-ip (default 198.51.100.1/24, the peer of
# host-sim's default 198.51.100.2), link up. With --netns the TAP and the
# address go into that network namespace (created if missing) instead of the
# machine's own. Before putting an address in the machine's own namespace the
# script checks `ip route` and refuses a subnet that overlaps an existing
# route (on these machines 192.0.2.0/24 is the machine's own network).
# Idempotent: running up twice, or down on a missing TAP, is fine.
set -euo pipefail

prog=$(basename "$0")
die() { echo "$prog: $*" >&2; exit 1; }
usage() { sed -n '6,8p' "$0" | sed 's/^#   /usage: /; s/^usage:  *sudo /usage: sudo /'; exit "${1:-2}"; }

action=${1:-}
[[ -n $action ]] || usage 2
shift
tap=imsgw0
user=${SUDO_USER:-$(id -un)}
host_ip=198.51.100.1/24
netns=
while [[ $# -gt 0 ]]; do
  case $1 in
    --tap) tap=${2:?--tap needs a name}; shift 2 ;;
    --tap=*) tap=${1#*=}; shift ;;
    --user) user=${2:?--user needs a name}; shift 2 ;;
    --user=*) user=${1#*=}; shift ;;
    --host-ip) host_ip=${2:?--host-ip needs A.B.C.D/N}; shift 2 ;;
    --host-ip=*) host_ip=${1#*=}; shift ;;
    --netns) netns=${2:?--netns needs a name}; shift 2 ;;
    --netns=*) netns=${1#*=}; shift ;;
    -h|--help) usage 0 ;;
    *) echo "$prog: unknown option $1" >&2; usage 2 ;;
  esac
done
case $action in up|down|status) ;; -h|--help|help) usage 0 ;; *) echo "$prog: unknown action $action" >&2; usage 2 ;; esac

[[ $tap =~ ^[A-Za-z0-9_.-]{1,15}$ ]] || die "bad TAP name '$tap' (1-15 of A-Z a-z 0-9 _ . -)"
[[ -z $netns || $netns =~ ^[A-Za-z0-9_.-]+$ ]] || die "bad namespace name '$netns'"
command -v ip >/dev/null || die "the ip command is missing: apt-get install iproute2"

# in_ns CMD...: CMD in the target namespace (the machine's own without --netns).
in_ns() {
  if [[ -n $netns ]]; then ip netns exec "$netns" "$@"; else "$@"; fi
}

tap_exists() { in_ns ip link show dev "$tap" >/dev/null 2>&1; }

if [[ $action == status ]]; then
  if tap_exists; then
    in_ns ip -br addr show dev "$tap"
    owner=$(in_ns cat "/sys/class/net/$tap/owner" 2>/dev/null || echo "?")
    [[ $owner == -1 ]] && owner="(any)"
    echo "owner uid: $owner"
    exit 0
  fi
  echo "$tap: not present${netns:+ in namespace $netns}"
  exit 1
fi

[[ $(id -u) -eq 0 ]] || die "needs root to $action a TAP: run sudo $0 $action${tap:+ --tap $tap} --user $(id -un)"

# ip_to_int A.B.C.D -> integer
ip_to_int() {
  local IFS=. a b c d
  read -r a b c d <<<"$1"
  echo $(( (a << 24) | (b << 16) | (c << 8) | d ))
}
valid_cidr() {
  [[ $1 =~ ^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$ ]] || return 1
  local i
  for i in 1 2 3 4; do (( BASH_REMATCH[i] <= 255 )) || return 1; done
  (( BASH_REMATCH[5] >= 1 && BASH_REMATCH[5] <= 32 ))
}
# overlaps A.B.C.D/N E.F.G.H/M: the two prefixes share addresses
overlaps() {
  local a=${1%/*} n=${1#*/} b=${2%/*} m=${2#*/}
  local p=$(( n < m ? n : m ))
  local mask=$(( p == 0 ? 0 : (0xFFFFFFFF << (32 - p)) & 0xFFFFFFFF ))
  (( ($(ip_to_int "$a") & mask) == ($(ip_to_int "$b") & mask) ))
}

# check_routes: refuse host_ip when it overlaps a route the namespace has on
# another interface (routes via our own TAP, from an earlier up, are fine).
check_routes() {
  local line dst dev
  while read -r line; do
    [[ -z $line ]] && continue
    dst=${line%% *}
    dev=$(sed -n 's/.* dev \([^ ]*\).*/\1/p' <<<"$line")
    [[ $dev == "$tap" ]] && continue
    case $dst in
      default) continue ;;  # the default route covers everything by design
      */*) ;;
      *) dst=$dst/32 ;;
    esac
    valid_cidr "$dst" || continue
    if overlaps "$host_ip" "$dst"; then
      die "refusing $host_ip: it overlaps the route '$line'${netns:+ in namespace $netns}; pick another subnet with --host-ip (host-sim needs --ip/--gw to match)"
    fi
  done < <(in_ns ip -4 route show table all 2>/dev/null | grep -v '^\(broadcast\|local\|multicast\|unreachable\) ' || true)
}

case $action in
  up)
    valid_cidr "$host_ip" || die "bad --host-ip '$host_ip' (want A.B.C.D/N)"
    id -u "$user" >/dev/null 2>&1 || die "no such user '$user'"
    if [[ -n $netns ]] && ! ip netns list | grep -qw "^$netns"; then
      ip netns add "$netns"
      ip netns exec "$netns" ip link set lo up
      echo "$prog: created namespace $netns"
    fi
    check_routes
    if tap_exists; then
      in_ns test -e "/sys/class/net/$tap/tun_flags" || die "$tap exists and is not a TAP device"
      owner=$(in_ns cat "/sys/class/net/$tap/owner")
      want=$(id -u "$user")
      if [[ $owner != "$want" ]]; then
        die "TAP $tap exists owned by uid $owner, not $user ($want): run sudo $0 down --tap $tap first"
      fi
      echo "$prog: TAP $tap already exists (owner $user)"
    else
      in_ns ip tuntap add dev "$tap" mode tap user "$user"
      echo "$prog: created TAP $tap owned by $user"
    fi
    if ! in_ns ip -4 addr show dev "$tap" | grep -q "inet $host_ip "; then
      in_ns ip addr add "$host_ip" dev "$tap"
    fi
    in_ns ip link set dev "$tap" up
    mode=$(stat -c %a /dev/net/tun 2>/dev/null || echo "?")
    if [[ $user != root && $mode != 666 ]]; then
      echo "$prog: note: /dev/net/tun is mode $mode; $user can open the TAP only if it is 0666 (Debian's default)" >&2
    fi
    echo "$prog: $tap up with $host_ip${netns:+ in namespace $netns}; start host-sim with --tap $tap (default --ip 198.51.100.2 --gw ${host_ip%/*})"
    ;;
  down)
    if [[ -n $netns ]] && ! ip netns list | grep -qw "^$netns"; then
      echo "$prog: namespace $netns does not exist: nothing to do"
      exit 0
    fi
    if tap_exists; then
      in_ns test -e "/sys/class/net/$tap/tun_flags" || die "$tap is not a TAP device: not touching it"
      in_ns ip tuntap del dev "$tap" mode tap
      echo "$prog: removed TAP $tap"
    else
      echo "$prog: TAP $tap not present: nothing to do"
    fi
    ;;
esac
