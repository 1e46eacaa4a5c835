#!/bin/bash
# Entrypoint of the site broker (apache/kafka image): SASL/SCRAM and ACLs as on dev machines.
#
# The admin password comes from the compose secret and goes only into files in a private
# runtime folder: bash builtins fill the template, so it is never in the environment or on a
# command line (ps), and the storage tool reads its arguments from a file through the java
# launcher's @argfile. The other principals and the ACLs are applied by the `kafka-setup`
# service (`antt broker acls`) once this broker answers.
set -euo pipefail

secret=/run/secrets/admin.password
template=/opt/antt/kafka/server.properties
runtime=/tmp/antt-kafka
data=/var/lib/kafka/data

umask 077
mkdir -p "$runtime"
password=$(<"$secret")
password=${password//[$'\r\n']/}
# Letters, digits and -._ only: the password sits inside JAAS quotes and the tool's [..] syntax.
if [[ ! $password =~ ^[A-Za-z0-9._-]{16,}$ ]]; then
    echo "kafka: $secret must hold at least 16 of A-Z a-z 0-9 . _ - (see docker/README.md)" >&2
    exit 1
fi

config=$(<"$template")
printf '%s\n' "${config//@ADMIN_PASSWORD@/$password}" >"$runtime/server.properties"
# For the healthcheck: an admin client, since the broker answers nobody else unauthenticated.
printf '%s\n' \
    "security.protocol=SASL_PLAINTEXT" \
    "sasl.mechanism=SCRAM-SHA-512" \
    "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"admin\" password=\"$password\";" \
    >"$runtime/admin-client.properties"

if [[ ! -f $data/meta.properties ]]; then
    printf '%s\n' kafka.tools.StorageTool format -t "$CLUSTER_ID" -c "$runtime/server.properties" \
        --add-scram "SCRAM-SHA-512=[name=admin,password=$password]" >"$runtime/format.args"
    /opt/kafka/bin/kafka-run-class.sh "@$runtime/format.args"
    rm -f "$runtime/format.args"
fi
unset password config
exec /opt/kafka/bin/kafka-server-start.sh "$runtime/server.properties"
