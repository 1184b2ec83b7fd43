"""A test host of our own: a network namespace joined to this machine by a veth pair.

A server that must listen on an address that is not loopback (to be reached as an outside visitor
would reach it) listens inside the namespace at 10.213.N.2; the browser, on this machine, reaches it
through the pair's other end, 10.213.N.1. No packet leaves the machine. Needs root and iproute2.

Chromium aborts every request in flight when this machine's addresses change (ERR_NETWORK_CHANGED),
so the pair gets no IPv6 address of its own (whose duplicate check would change it a second later),
is up before `namespace_host()` returns, and lives for the whole test session. Under pytest-xdist the
controller makes one host per worker before any worker starts (`tests/conftest.py`) and hands them over in
KAFO_TEST_HOSTS, so no address changes while any browser runs; in one process the `test_host` fixture makes
its own before the browser starts.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


class NoTestHost(RuntimeError):
    """The namespace could not be made here (no iproute2, or not allowed); the message says why."""


@dataclass(frozen=True)
class NamespaceHost:
    netns: str
    address: str  # where the server listens, inside the namespace


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=10)
    if done.returncode != 0:
        raise NoTestHost(f"ip {' '.join(args)}: {done.stderr.strip()}")


def _wait_up(link: str, timeout_s: float = 10) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        shown = subprocess.run(["ip", "-o", "link", "show", link], capture_output=True, text=True, timeout=10)
        if "state UP" in shown.stdout:
            return
        time.sleep(0.05)
    raise NoTestHost(f"the link {link} did not come up within {timeout_s:.0f} s")


HANDED_OVER = "KAFO_TEST_HOSTS"


@contextmanager
def namespace_host(tag: int | None = None) -> Iterator[NamespaceHost]:
    tag = tag or os.getpid() % 250 + 1
    netns, outer, inner = f"kafo{tag}", f"kv{tag}o", f"kv{tag}i"
    subnet = f"10.213.{tag}"
    try:
        _ip("netns", "add", netns)
    except (NoTestHost, FileNotFoundError) as exc:
        raise NoTestHost(str(exc)) from exc
    try:
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", inner, "netns", netns)
        _ip("link", "set", outer, "addrgenmode", "none")
        _ip("netns", "exec", netns, "ip", "link", "set", inner, "addrgenmode", "none")
        _ip("addr", "add", f"{subnet}.1/24", "dev", outer)
        _ip("link", "set", outer, "up")
        _ip("netns", "exec", netns, "ip", "addr", "add", f"{subnet}.2/24", "dev", inner)
        _ip("netns", "exec", netns, "ip", "link", "set", inner, "up")
        _ip("netns", "exec", netns, "ip", "link", "set", "lo", "up")
        _wait_up(outer)
        yield NamespaceHost(netns, f"{subnet}.2")
    finally:
        subprocess.run(["ip", "link", "del", outer], capture_output=True, timeout=10)
        subprocess.run(["ip", "netns", "del", netns], capture_output=True, timeout=10)


@contextmanager
def hosts_for_workers(workers: list[str]) -> Iterator[dict[str, NamespaceHost | None]]:
    """One host per xdist worker, all made now; a machine where none can be made gives None to each."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        base = os.getpid() % 200 + 1
        try:
            made = {w: stack.enter_context(namespace_host(base + i)) for i, w in enumerate(workers)}
        except NoTestHost:
            stack.close()
            made = dict.fromkeys(workers)
        yield made


def encode(hosts: dict[str, NamespaceHost | None]) -> str:
    return json.dumps({w: h and [h.netns, h.address] for w, h in hosts.items()})


def handed_over(worker: str) -> tuple[bool, NamespaceHost | None]:
    """(True, the host) when the controller made this worker's host; (False, None) when it made none."""
    text = os.environ.get(HANDED_OVER)
    if text is None:
        return False, None
    entry = json.loads(text).get(worker)
    return True, entry and NamespaceHost(*entry)
