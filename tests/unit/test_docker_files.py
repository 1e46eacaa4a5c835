"""Static checks of docker/: no Docker engine runs on dev machines or CI, so nothing else would
notice a compose file naming a missing path, an unpinned image or a command the CLI lacks."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from antt.settings import Settings
from pipelines.broker import Broker
from pipelines.broker.acl import ADMIN, PRINCIPALS, platform_grants

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
COMPOSE_FILE = DOCKER / "compose.yaml"
DOCKERFILE = DOCKER / "Dockerfile"
KAFKA_TEMPLATE = DOCKER / "kafka" / "server.properties"
KAFKA_START = DOCKER / "kafka" / "start.sh"

# Images a site pulls from a public registry; anything else must be built from this repo.
ALLOWED_IMAGES = {"apache/kafka:3.9.1"}
ALLOWED_BASE_IMAGES = {"python:3.11-slim"}
ANTT_SUBCOMMANDS = {"broker", "topics", "simulate", "worker", "reconcile", "demo", "compact"}
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}
_VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str) -> str:
    """The value as compose would see it with no variables set: defaults filled in."""

    def replace(match: re.Match[str]) -> str:
        return match["arg"] if match["op"] in (":-", "-") else ""

    return _VARIABLE.sub(replace, value)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    return [str(item) for item in value]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(key): str(value) for key, value in env.items()}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict)
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    result = compose["services"]
    assert isinstance(result, dict)
    return result


def test_the_expected_services_exist(services: dict[str, dict[str, Any]]) -> None:
    assert {"kafka", "kafka-setup", "topics", "worker", "jupyter"} <= set(services)


def test_every_image_is_pinned_public_or_built_here(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        build = service.get("build")
        if build is not None:
            spec = {"context": build} if isinstance(build, str) else build
            context = (DOCKER / spec["context"]).resolve()
            assert context.is_dir(), f"{name}: build context {context} does not exist"
            dockerfile = context / spec.get("dockerfile", "Dockerfile")
            assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"
        else:
            image = service.get("image")
            assert image in ALLOWED_IMAGES, f"{name}: image {image!r} is not an allowed image"
            assert ":" in image and not image.endswith(":latest"), f"{name}: unpinned {image}"


def test_kafka_image_matches_the_dev_broker_version(services: dict[str, dict[str, Any]]) -> None:
    version = Settings.model_fields["kafka_version"].default
    assert services["kafka"]["image"] == f"apache/kafka:{version}"


def test_kafka_runs_the_dev_brokers_secure_configuration(
    services: dict[str, dict[str, Any]], tmp_path: Path
) -> None:
    kafka = services["kafka"]
    assert _as_list(kafka["entrypoint"]) == ["/bin/bash", "/opt/antt/kafka/start.sh"]
    assert "./kafka:/opt/antt/kafka:ro" in kafka["volumes"]
    assert _interpolate(_environment(kafka)["CLUSTER_ID"])  # an empty volume needs one to format

    # What `antt broker start --secure` writes for one node, with the site's host and ports.
    settings = Settings(
        kafka_secure=True, kafka_host="kafka", kafka_port=9092, controller_port=9093,
        data_dir=tmp_path, partitions=3,
    )  # fmt: skip
    settings.kafka_secrets.mkdir(parents=True)
    (settings.kafka_secrets / f"{ADMIN}.password").write_text("@ADMIN_PASSWORD@\n")
    dev = Broker(settings).server_properties()
    site = _properties(KAFKA_TEMPLATE.read_text())
    # Only where the node binds and keeps its data differ.
    assert {k for k in dev.keys() | site.keys() if dev.get(k) != site.get(k)} == {
        "listeners",
        "log.dirs",
    }
    assert site["listeners"] == "SASL_PLAINTEXT://:9092,CONTROLLER://:9093"
    assert site["log.dirs"] == "/var/lib/kafka/data"
    assert site["allow.everyone.if.no.acl.found"] == "false"
    assert site["super.users"] == f"User:{ADMIN}"


def test_the_kafka_entrypoint_keeps_the_admin_password_off_command_lines() -> None:
    script = KAFKA_START.read_text()
    assert script.startswith("#!/bin/bash\n")
    assert "/run/secrets/admin.password" in script
    # Filled in by bash itself, never by a child process given the password as an argument.
    assert "sed " not in script and "echo $password" not in script
    assert 'kafka-run-class.sh "@$runtime/format.args"' in script
    assert "--add-scram" in script and "umask 077" in script
    assert "exec /opt/kafka/bin/kafka-server-start.sh" in script


def test_bind_mounts_exist_and_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    declared = set(compose.get("volumes") or {})
    for name, service in compose["services"].items():
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                kind, source = volume.get("type", "volume"), str(volume.get("source", ""))
            else:
                source = _interpolate(str(volume)).split(":", 1)[0]
                kind = "bind" if source.startswith((".", "/", "~")) else "volume"
            if kind == "bind":
                host_path = (DOCKER / source).resolve()
                assert host_path.exists(), f"{name}: bind mount {host_path} does not exist"
                assert host_path.is_relative_to(ROOT), f"{name}: {host_path} is outside the repo"
            else:
                assert source in declared, f"{name}: volume {source!r} is not declared"


def test_app_services_share_the_data_volume(services: dict[str, dict[str, Any]]) -> None:
    data_dir = "/data"
    for name in ("worker", "jupyter"):
        service = services[name]
        assert _environment(service)["ANTT_DATA_DIR"] == data_dir
        targets = {str(v).split(":")[1] for v in service["volumes"] if isinstance(v, str)}
        assert data_dir in targets, f"{name} does not mount the data volume at {data_dir}"


def test_antt_variables_are_settings_fields(services: dict[str, dict[str, Any]]) -> None:
    fields = set(Settings.model_fields)
    for name, service in services.items():
        for key in _environment(service):
            if key.startswith("ANTT_"):
                field = key.removeprefix("ANTT_").lower()
                assert field in fields, f"{name}: {key} matches no Settings field"


def test_only_the_worker_holds_the_pseudonym_key(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        env = _environment(service)
        holds_key = "pseudonym_key" in _secret_targets(service) or "ANTT_PSEUDONYM_KEY_FILE" in env
        assert holds_key == (name == "worker"), f"{name}: pseudonym key exposure"
        assert "ANTT_PSEUDONYM_KEY" not in env, f"{name}: key in plain environment"


def test_every_app_service_logs_in_to_kafka_as_its_own_principal(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    assert compose["x-antt-env"]["ANTT_KAFKA_SECURE"] == "true"
    expected = {"topics": ADMIN, "worker": "worker", "jupyter": "analyst"}
    for name, principal in expected.items():
        env = _environment(services[name])
        assert env["ANTT_KAFKA_USERNAME"] == principal, name
        assert env["ANTT_KAFKA_PASSWORD_FILE"] == f"/run/secrets/{principal}.password", name
        kafka_secrets = {t for t in _secret_targets(services[name]) if t.endswith(".password")}
        # Each service holds its own password and no other principal's.
        assert kafka_secrets == {f"{principal}.password"}, name
        assert "ANTT_KAFKA_PASSWORD" not in env, f"{name}: password in plain environment"
    # The notebooks' principal may not touch any topic.
    assert not [g for g in platform_grants("antt") if g.principal == "analyst"]


def test_kafka_setup_applies_every_principal_and_the_acls(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    setup = services["kafka-setup"]
    assert _as_list(setup["command"]) == ["broker", "acls"]
    assert _environment(setup)["ANTT_KAFKA_SECRETS_DIR"] == "/run/secrets"
    assert _secret_targets(setup) == {f"{p}.password" for p in PRINCIPALS}
    assert _secret_targets(services["kafka"]) == {f"{ADMIN}.password"}
    for name in ("topics", "worker"):
        assert services[name]["depends_on"]["kafka-setup"] == {
            "condition": "service_completed_successfully"
        }
    # Every password lives in a file under docker/secrets, which git and the image ignore.
    for name, secret in compose["secrets"].items():
        assert _interpolate(secret["file"]).startswith("./secrets/"), name


def test_commands_name_existing_cli_subcommands(services: dict[str, dict[str, Any]]) -> None:
    dockerfile_entrypoint = _dockerfile_instruction("ENTRYPOINT")
    assert dockerfile_entrypoint == '["antt"]'
    for name, service in services.items():
        if "build" not in service or "entrypoint" in service:
            continue
        command = _as_list(service.get("command"))
        assert command, f"{name}: no command for the antt entrypoint"
        assert command[0] in ANTT_SUBCOMMANDS, f"{name}: `antt {command[0]}` does not exist"
    assert _as_list(services["worker"]["command"])[0] == "worker"


def test_jupyter_serves_lab_on_loopback(services: dict[str, dict[str, Any]]) -> None:
    jupyter = services["jupyter"]
    argv = _as_list(jupyter["entrypoint"]) + _as_list(jupyter["command"])
    assert argv[:2] == ["jupyter", "lab"]
    assert {"--no-browser", "0.0.0.0"} <= set(argv)
    assert jupyter["ports"] == ["127.0.0.1:8888:8888"]


def test_dockerfile_base_image_is_pinned() -> None:
    base = _dockerfile_instruction("FROM").split()[0]
    assert base in ALLOWED_BASE_IMAGES
    tag = base.partition(":")[2]
    assert tag and tag != "latest"
    # The image's Python must be one the project supports.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f">={tag.split('-')[0]}" in project["requires-python"]
    assert project["scripts"]["antt"]


def test_dockerignore_keeps_data_and_keys_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".antt", ".venv", ".git", "docker/secrets"} <= ignored


def _secret_targets(service: dict[str, Any]) -> set[str]:
    """The names the service's secrets have under /run/secrets."""
    targets = set()
    for secret in service.get("secrets") or []:
        if isinstance(secret, str):
            targets.add(secret)
        else:
            targets.add(secret.get("target", secret["source"]))
    return targets


def _properties(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if line and line[0] != "#")
    return {key: value for key, value in pairs}


def _dockerfile_instruction(keyword: str) -> str:
    for line in DOCKERFILE.read_text().splitlines():
        word, _, rest = line.strip().partition(" ")
        if word.upper() == keyword:
            return rest.strip()
    raise AssertionError(f"no {keyword} in {DOCKERFILE}")
