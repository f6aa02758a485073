# Helpers shared by bin/run-local and bin/train-services: ports and stopping the processes they start.

port_in_use() { ss -ltn "sport = :$1" | grep -q LISTEN; }

stop_processes() { # SIGTERM, up to 15 s to exit, then SIGKILL
  local pid
  for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "$@"; do
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
