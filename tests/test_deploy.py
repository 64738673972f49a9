"""The deployment files (deploy/), checked offline: the Kubernetes manifests against the API's schemas
(kubernetes-validate carries them) and against what the gateway expects of them, the container file
against the package it must build. No image is built here (no container engine on these machines)."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from gateway.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]
KUBERNETES = ROOT / "deploy" / "kubernetes"
CONTAINERFILE = ROOT / "deploy" / "Containerfile"
# The oldest Kubernetes release still supported upstream when this was written, and the newest known.
VERSIONS = ("1.32.0", kubernetes_validate.latest_version())


def _resources() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    return [doc for name in kustomization["resources"] for doc in yaml.safe_load_all((KUBERNETES / name).read_text())]


def _one(kind: str, name: str = "health-gateway") -> dict[str, Any]:
    (found,) = [r for r in _resources() if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def test_the_kustomization_lists_every_manifest() -> None:
    listed = set(yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())["resources"])
    assert listed == {p.name for p in KUBERNETES.glob("*.yaml")} - {"kustomization.yaml"}


@pytest.mark.parametrize("version", VERSIONS)
def test_every_manifest_is_valid_for_the_kubernetes_api(version: str) -> None:
    for resource in _resources():
        kubernetes_validate.validate(resource, version, strict=True)  # raises, naming the field


def test_the_configuration_names_only_settings_the_gateway_reads() -> None:
    known = {Settings.variable(field) for field in Settings.model_fields}
    config = _one("ConfigMap")["data"]
    assert set(config) - known <= {"OTEL_SERVICE_NAME"}, set(config) - known
    fields = {field: Settings.variable(field) for field in Settings.model_fields}
    Settings.model_validate({field: config[name] for field, name in fields.items() if name in config})  # they parse
    secret = _one("Secret")["stringData"]
    assert set(secret) == {"REDIS_URL"}  # the one secret setting, never in the ConfigMap
    assert "REDIS_URL" not in config


def test_the_deployment_probes_drains_and_runs_unprivileged() -> None:
    deployment = _one("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    (port,) = container["ports"]
    assert port["containerPort"] == int(env["GATEWAY_PORT"]) and port["name"] == "http"
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["resources"]["requests"]["cpu"] and container["resources"]["limits"]["memory"]
    config = _one("ConfigMap")["data"]
    draining = float(config["GATEWAY_SHUTDOWN_DELAY_S"]) + float(config["GATEWAY_SHUTDOWN_TIMEOUT_S"])
    assert pod["terminationGracePeriodSeconds"] > draining  # SIGKILL never cuts a drain short
    assert pod["securityContext"]["runAsNonRoot"] and pod["securityContext"]["runAsUser"] == _containerfile_user()
    assert {c["configMapRef"]["name"] for c in container["envFrom"] if "configMapRef" in c} == {"health-gateway"}
    assert {c["secretRef"]["name"] for c in container["envFrom"] if "secretRef" in c} == {"health-gateway"}
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    for selecting in (
        _one("Service")["spec"]["selector"],
        _one("PodDisruptionBudget")["spec"]["selector"]["matchLabels"],
    ):
        assert selecting.items() <= labels.items()
    assert _one("Service")["spec"]["ports"][0]["targetPort"] == "http"
    scaled = _one("HorizontalPodAutoscaler")["spec"]["scaleTargetRef"]
    assert (scaled["kind"], scaled["name"]) == ("Deployment", "health-gateway")
    mounted = {m["mountPath"] for m in container["volumeMounts"]}
    assert str(Path(config["GATEWAY_TRUSTED_DOCUMENTS"]).parent) in mounted


def _containerfile_user() -> int:
    (user,) = re.findall(r"^USER (\S+)$", CONTAINERFILE.read_text(), re.MULTILINE)
    return int(user)


def test_the_container_file_is_multi_stage_unprivileged_and_checks_healthz() -> None:
    text = CONTAINERFILE.read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) == 2
    assert _containerfile_user() >= 1000
    assert re.search(r"^HEALTHCHECK .*/healthz", text, re.MULTILINE | re.DOTALL)
    assert re.search(r'^ENTRYPOINT \["health-gateway"\]', text, re.MULTILINE)


def test_what_the_container_file_copies_builds_the_package(tmp_path: Path) -> None:
    """The build stage's COPY lines, into an empty directory, make a wheel with the gateway, its static
    files and its command."""
    build = tmp_path / "src"
    for sources in re.findall(r"^COPY (?!--)(.+) /src/\S*$", CONTAINERFILE.read_text(), re.MULTILINE):
        for source in sources.split():
            target = build / source
            target.parent.mkdir(parents=True, exist_ok=True)
            if (ROOT / source).is_dir():
                subprocess.run(["cp", "-r", str(ROOT / source), str(target)], check=True)
            else:
                target.write_bytes((ROOT / source).read_bytes())
    made = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(build)],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    (wheel,) = tmp_path.glob("health_gateway-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "gateway/__main__.py" in names and "sandbox/__init__.py" in names
    assert any(n.startswith("gateway/static/graphiql/") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "health-gateway = gateway.__main__:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
