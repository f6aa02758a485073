#!/bin/bash
# Kafka's bin/kafka-broker-api-versions.sh, at the path apache/kafka has it (docker-compose.yml's healthcheck runs it).
exec java -Xmx128m -XX:TieredStopAtLevel=1 -cp '/opt/kafka/libs/*' org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
