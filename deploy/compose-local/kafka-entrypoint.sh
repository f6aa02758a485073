#!/bin/bash
# apache/kafka's configuration convention, for the local stand-in image (kafka.Dockerfile): each environment variable
# KAFKA_<NAME> becomes the server property <name> (lower case, '_' -> '.', '__' -> '_', '___' -> '-'), except the
# JVM's own (KAFKA_HEAP_OPTS, KAFKA_OPTS, ...). Then the log directories are formatted (once: a volume that already
# holds a formatted log dir is kept) and the broker runs in the foreground.
set -euo pipefail
CONFIG=/opt/kafka/config/server.properties
: >"$CONFIG"
while IFS='=' read -r name value; do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JMX_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_GC_LOG_OPTS|KAFKA_LOG4J_OPTS|KAFKA_VERSION) continue ;;
    KAFKA_*) ;;
    *) continue ;;
  esac
  key=$(echo "${name#KAFKA_}" | tr 'A-Z' 'a-z' | sed -e 's/___/-/g' -e 's/__/@/g' -e 's/_/./g' -e 's/@/_/g')
  printf '%s=%s\n' "$key" "$value" >>"$CONFIG"
done < <(env)
grep -q '^log\.dirs=' "$CONFIG" || echo "log.dirs=/tmp/kraft-combined-logs" >>"$CONFIG"   # apache/kafka's default
echo "[kafka-entrypoint] server properties:" >&2
sed 's/^/  /' "$CONFIG" >&2
CP='/opt/kafka/libs/*'
# apache/kafka's default cluster id when CLUSTER_ID is not given.
java -Xmx256m -cp "$CP" kafka.tools.StorageTool format --cluster-id "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" \
  --config "$CONFIG" --ignore-formatted >&2
# shellcheck disable=SC2086
exec java $KAFKA_HEAP_OPTS ${KAFKA_OPTS:-} -cp "$CP" kafka.Kafka "$CONFIG"
