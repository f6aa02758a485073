#!/usr/bin/env python3
"""A sim2real policy snapshot written from the contract alone (docs/CONTRACTS.md 3.3, docs/schemas/
PolicySnapshot.v1.schema.json), in plain Python 3 (no numpy, no Java): what a team replacing policy-service
publishes on sim2real.policies, and how env-service turns it into actions.

  # a snapshot of a small random network (a stand-in for a trained one) as JSON, the record's value
  python3 publish_policy.py build --run-id my-run --version 1 --env-step 0 --hidden 16,16 --seed 1 --out snapshot.json
  # ... and publish it, keyed by the run id, where a Kafka client for Python is installed (kafka-python or
  # confluent-kafka); without one, publish the file's bytes with any producer, e.g.
  # `bin/sim2real publish-policy --file snapshot.json --run-id my-run --bootstrap 127.0.0.1:9092`
  python3 publish_policy.py build ... --out snapshot.json --bootstrap 127.0.0.1:9092
  # the deterministic action (tanh of the mean), the pre-squash mean and the std for observations (a JSON list of
  # 17-number lists), decoded from the snapshot exactly as env-service decodes it
  python3 publish_policy.py act --snapshot snapshot.json --obs obs.json

The architecture "tanh-gaussian-relu-mlp:17-H1-...-Hk-6" (the only one consumers accept) is an MLP with layer sizes
17, H1, ..., Hk, 12: each hidden layer relu(x W + b), the last layer x W + b with no activation. Its 12 outputs are
the 6 means m, then 6 raw log-stds s; log_std = -5 + 3.5 (tanh(s) + 1), in [-5, 2]. Collections act with
tanh(m + exp(log_std) eps), eps ~ N(0, 1) from env-service's own random stream; evaluations and policy-service's
/act with tanh(m). Observations go in raw (no standardisation). `weights` holds every layer's W (in x out, row-major:
W[i][j] at i * out + j) and then its b (out), layer after layer, as little-endian float32, base64 with padding, and
`sha256` the hex SHA-256 of those bytes.
"""
import argparse
import base64
import hashlib
import json
import math
import random
import re
import struct
import sys

PREFIX = "tanh-gaussian-relu-mlp:"
OBS_DIM, ACT_DIM = 17, 6  # HalfCheetah (CONTRACTS.md 1, "Dimensions")
LOG_STD_MIN, LOG_STD_MAX = -5.0, 2.0
RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
TOPIC = "sim2real.policies"


def layer_sizes(hidden):
    return [OBS_DIM] + list(hidden) + [2 * ACT_DIM]


def architecture(hidden):
    # The name carries actDim (6), the network has 2 * actDim outputs (means, then raw log-stds).
    return PREFIX + "-".join(str(n) for n in [OBS_DIM] + list(hidden) + [ACT_DIM])


def random_layers(hidden, seed, stds):
    """[(W as rows, b)] of a small random network whose actions have roughly the given stds (one per action)."""
    rng = random.Random(seed)
    sizes = layer_sizes(hidden)
    layers = []
    for l in range(len(sizes) - 1):
        n_in, n_out = sizes[l], sizes[l + 1]
        last = l == len(sizes) - 2
        w = [[0.0] * n_out for _ in range(n_in)]
        b = [0.0] * n_out
        for j in range(n_out):
            # means: moderate, so that tanh does not saturate; log-std inputs: nearly constant, at the wanted std
            scale = (0.3 if j < ACT_DIM else 0.02) if last else 0.5
            for i in range(n_in):
                w[i][j] = rng.gauss(0.0, scale / math.sqrt(n_in))
            if last and j >= ACT_DIM:
                log_std = math.log(stds[j - ACT_DIM])
                b[j] = math.atanh((log_std - LOG_STD_MIN) / (0.5 * (LOG_STD_MAX - LOG_STD_MIN)) - 1.0)
            else:
                b[j] = rng.gauss(0.0, 0.1)
        layers.append((w, b))
    return layers


def pack(layers):
    """The weights' bytes: per layer, W row by row (in x out), then b; little-endian float32."""
    values = []
    for w, b in layers:
        for row in w:
            values.extend(row)
        values.extend(b)
    return struct.pack("<%df" % len(values), *values)


def snapshot(run_id, version, env_step, hidden, layers):
    if not RUN_ID.fullmatch(run_id):
        raise SystemExit("--run-id must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}")
    weights = pack(layers)
    return {
        "schemaVersion": 1,
        "runId": run_id,
        "version": int(version),    # integers must be JSON integers (CONTRACTS.md 2)
        "envStep": int(env_step),
        "architecture": architecture(hidden),
        "obsDim": OBS_DIM,
        "actDim": ACT_DIM,
        "weights": base64.b64encode(weights).decode("ascii"),
        "sha256": hashlib.sha256(weights).hexdigest(),
    }


def unpack(snap):
    """The layers of a snapshot, checked as consumers check them (a refusal names what is wrong)."""
    arch = snap["architecture"]
    if not arch.startswith(PREFIX):
        raise ValueError("unknown architecture %r (consumers accept only %s...)" % (arch, PREFIX))
    sizes = [int(n) for n in arch[len(PREFIX):].split("-")]
    if len(sizes) < 3 or sizes[0] != snap["obsDim"] or sizes[-1] != snap["actDim"]:
        raise ValueError("architecture %r does not match obsDim %d and actDim %d" % (arch, snap["obsDim"], snap["actDim"]))
    sizes[-1] = 2 * sizes[-1]
    raw = base64.b64decode(snap["weights"], validate=True)
    if hashlib.sha256(raw).hexdigest() != snap["sha256"].lower():
        raise ValueError("sha256 does not match the weights")
    expected = sum(sizes[l] * sizes[l + 1] + sizes[l + 1] for l in range(len(sizes) - 1))
    if len(raw) != 4 * expected:
        raise ValueError("architecture %r has %d parameters, the snapshot carries %d" % (arch, expected, len(raw) // 4))
    values = struct.unpack("<%df" % expected, raw)
    layers, at = [], 0
    for l in range(len(sizes) - 1):
        n_in, n_out = sizes[l], sizes[l + 1]
        w = [list(values[at + i * n_out: at + (i + 1) * n_out]) for i in range(n_in)]
        at += n_in * n_out
        b = list(values[at: at + n_out])
        at += n_out
        layers.append((w, b))
    return layers


def forward(layers, obs):
    """The 12 outputs for one observation: relu after every layer but the last."""
    x = list(obs)
    for l, (w, b) in enumerate(layers):
        y = list(b)
        for i, xi in enumerate(x):
            if xi != 0.0:
                row = w[i]
                for j in range(len(y)):
                    y[j] += xi * row[j]
        x = y if l == len(layers) - 1 else [max(0.0, v) for v in y]
    return x


def act(layers, obs):
    """(action tanh(m), pre-squash mean m, std) for one observation."""
    out = forward(layers, obs)
    mean = out[:ACT_DIM]
    log_std = [LOG_STD_MIN + 0.5 * (LOG_STD_MAX - LOG_STD_MIN) * (math.tanh(s) + 1.0) for s in out[ACT_DIM:]]
    return [math.tanh(m) for m in mean], mean, [math.exp(s) for s in log_std]


def publish(value, run_id, bootstrap):
    """The record: key = runId (UTF-8), value = the JSON; with whichever Kafka client for Python is installed."""
    data = json.dumps(value, allow_nan=False, separators=(",", ":")).encode("utf-8")
    try:
        from confluent_kafka import Producer
        producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "message.max.bytes": 16 << 20})
        producer.produce(TOPIC, key=run_id.encode("utf-8"), value=data)
        if producer.flush(30) != 0:
            raise SystemExit("the snapshot was not delivered within 30 s")
        return
    except ImportError:
        pass
    try:
        from kafka import KafkaProducer
    except ImportError:
        raise SystemExit("no Kafka client for Python (pip install confluent-kafka, or kafka-python); publish the --out "
                         "file's bytes with any producer instead, e.g. bin/sim2real publish-policy --file FILE --run-id RUN")
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=16 << 20)
    producer.send(TOPIC, key=run_id.encode("utf-8"), value=data).get(timeout=30)
    producer.flush()


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write (and optionally publish) a snapshot of a small random network")
    build.add_argument("--run-id", required=True)
    build.add_argument("--version", type=int, default=1, help="newer snapshots of a run have higher versions (>= 0)")
    build.add_argument("--env-step", type=int, default=0, help="the run's transitions the policy trained on (>= 0)")
    build.add_argument("--hidden", default="16,16", help="hidden layer widths, e.g. 256,256")
    build.add_argument("--seed", type=int, default=1)
    build.add_argument("--stds", default="0.05,0.08,0.12,0.18,0.25,0.35",
                       help="the std of each of the 6 actions' Gaussian before tanh, within [exp(-5), exp(2)]")
    build.add_argument("--out", required=True, help="the record's value, as JSON")
    build.add_argument("--bootstrap", help="also publish it on sim2real.policies (needs a Kafka client for Python)")
    run = commands.add_parser("act", help="actions for observations, decoded from a snapshot as env-service decodes it")
    run.add_argument("--snapshot", required=True)
    run.add_argument("--obs", required=True, help="a JSON list of observations, each 17 numbers")
    args = parser.parse_args(argv)

    if args.command == "build":
        hidden = [int(h) for h in args.hidden.split(",") if h.strip()]
        stds = [float(s) for s in args.stds.split(",")]
        if not hidden or min(hidden) < 1:
            raise SystemExit("--hidden takes positive widths, e.g. 16,16")
        if len(stds) != ACT_DIM or not all(math.exp(LOG_STD_MIN) < s < math.exp(LOG_STD_MAX) for s in stds):
            raise SystemExit("--stds takes 6 values strictly between exp(-5) and exp(2)")
        if args.version < 0 or args.env_step < 0:
            raise SystemExit("--version and --env-step must be >= 0")
        value = snapshot(args.run_id, args.version, args.env_step, hidden, random_layers(hidden, args.seed, stds))
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(value, f, allow_nan=False, separators=(",", ":"))
        if args.bootstrap:
            publish(value, args.run_id, args.bootstrap)
        print("%s v%d (%s, %d bytes of weights) -> %s%s" % (args.run_id, args.version, value["architecture"],
              len(base64.b64decode(value["weights"])), args.out, (" and " + TOPIC) if args.bootstrap else ""))
    else:
        with open(args.snapshot, encoding="utf-8") as f:
            layers = unpack(json.load(f))
        with open(args.obs, encoding="utf-8") as f:
            observations = json.load(f)
        actions, means, stds = [], [], []
        for o in observations:
            if len(o) != OBS_DIM:
                raise SystemExit("every observation has %d numbers, got %d" % (OBS_DIM, len(o)))
            a, m, s = act(layers, o)
            actions.append(a)
            means.append(m)
            stds.append(s)
        json.dump({"action": actions, "mean": means, "std": stds}, sys.stdout, separators=(",", ":"))
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
