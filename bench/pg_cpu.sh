#!/usr/bin/env bash
# Prints the CPU seconds (user + system) a PostgreSQL cluster has used so far: the postmaster,
# every process it runs now, and the ones that ended (reaped into the postmaster's children's
# times). Two readings around a piece of work give the server's CPU for it.
#   bench/pg_cpu.sh DATADIR
set -euo pipefail
pm=$(head -n 1 "$1/postmaster.pid")
ticks=$(getconf CLK_TCK)
# /proc/PID/stat fields after the command name: 14 utime 15 stime 16 cutime 17 cstime (1-based).
total=0
for pid in "$pm" $(pgrep -P "$pm"); do
  [ -r "/proc/$pid/stat" ] || continue
  fields=$(sed 's/^.*) //' "/proc/$pid/stat")
  read -r -a f <<<"$fields"
  # f[0] is field 3 (state): utime is field 14 → f[11].
  t=$(( f[11] + f[12] ))
  [ "$pid" = "$pm" ] && t=$(( t + f[13] + f[14] ))
  total=$(( total + t ))
done
echo "scale=2; $total / $ticks" | bc
