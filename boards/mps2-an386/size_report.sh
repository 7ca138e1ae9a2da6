#!/usr/bin/env bash
# size_report.sh MAP ELF: text/data/bss per static library (and per loose
# object group) as linked, i.e. after --gc-sections, from the linker map;
# then the image totals from arm-none-eabi-size.
set -euo pipefail
map=${1:?usage: size_report.sh MAP ELF}
elf=${2:?usage: size_report.sh MAP ELF}
size_tool=${SIZE:-arm-none-eabi-size}

awk '
  function hex(s,    i, c, v) {
    v = 0; s = tolower(s); sub(/^0x/, "", s)
    for (i = 1; i <= length(s); i++) v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
    return v
  }
  /^Linker script and memory map/ { in_map = 1; next }
  !in_map { next }
  # Output sections start in column 0.
  /^\.[A-Za-z_]/ {
    out = $1
    if (out ~ /^\.(isr_vector|text|rodata|ARM\.extab|ARM\.exidx|preinit_array|init_array|fini_array)$/) kind = "text"
    else if (out == ".data") kind = "data"
    else if (out == ".bss") kind = "bss"
    else kind = ""
    next
  }
  /^[^ ]/ { kind = "" }
  kind == "" { next }
  # Input section lines: " .name  0xADDR  0xSIZE  file"; a long name sits
  # alone on the line before the numbers.
  /^ [^ ]+$/ { pending = 1; next }
  {
    n = split($0, f, /[ \t]+/)
    file = ""
    if (pending && f[2] ~ /^0x/ && f[3] ~ /^0x/ && n >= 4) { sz = f[3]; file = f[4] }
    else if (f[2] ~ /^[.*A-Za-z_]/ && f[2] !~ /^\*\(/ && f[3] ~ /^0x/ && f[4] ~ /^0x/ && n >= 5) { sz = f[4]; file = f[5] }
    pending = 0
    if (file == "" || file ~ /^0x/) next
    size = hex(sz)
    if (size == 0) next
    if (file ~ /\.a\(/) {
      group = file; sub(/\(.*/, "", group); sub(/.*\//, "", group)
    } else {
      group = file
      if (group ~ /CMakeFiles\//) { sub(/.*CMakeFiles\//, "", group); sub(/\.dir\/.*/, "", group); group = group "(obj)" }
      else sub(/.*\//, "", group)
    }
    sizes[group, kind] += size
    groups[group] = 1
  }
  END {
    printf "%-36s %9s %9s %9s %9s\n", "library (as linked)", "text", "data", "bss", "total"
    cmd = "sort -k5,5nr"
    for (g in groups) {
      t = sizes[g, "text"] + 0; d = sizes[g, "data"] + 0; b = sizes[g, "bss"] + 0
      printf "%-36s %9d %9d %9d %9d\n", g, t, d, b, t + d + b | cmd
      tt += t; td += d; tb += b
    }
    close(cmd)
    printf "%-36s %9d %9d %9d %9d\n", "sum of input sections", tt, td, tb, tt + td + tb
  }
' "$map"
echo "image totals (text = code + rodata + vectors, data = .data, bss = .bss):"
"$size_tool" "$elf"
