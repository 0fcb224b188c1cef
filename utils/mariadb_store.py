"""A private MariaDB server for ML Metadata, as a team shares one store (chapter 09).

    with MariaDBServer(paths.scratch_dir("mariadb")) as server:
        config = server.connection_config("penguins_mlmd")   # metadata_store_pb2.ConnectionConfig (mysql)

A notebook's SQLite file is one user's store; a team runs ML Metadata on a database server, so that every
pipeline run and every notebook sees the same lineage. ML Metadata 1.16 speaks MySQL's protocol, which
MariaDB serves. This module starts a server of its own, for this process only: a fresh data folder, a
socket in it, 127.0.0.1 and a free port, never the system's server or port 3306, and stops it on ``stop()``
(the ``with`` block, or at exit).

The binaries: ``mariadbd`` and ``mariadb-install-db`` from ``PATH`` or ``/usr/sbin`` when MariaDB is
installed (Debian/Ubuntu: ``apt-get install mariadb-server``; macOS: ``brew install mariadb``). Otherwise,
on Debian, the packages are downloaded with ``apt-get download`` and unpacked with ``dpkg -x`` into
``build/mariadb`` (12 MB of packages, 112 MB unpacked; no root needed, nothing installed system-wide, no
service started).
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from ml_metadata.proto import metadata_store_pb2

from utils import paths

PACKAGES = ("mariadb-server", "mariadb-server-core", "mariadb-client-core", "mariadb-common", "libaio1",
            "liburing2")
UNPACKED = paths.REPO_ROOT / "build" / "mariadb"


class MariaDBError(RuntimeError):
    """MariaDB could not be found, fetched or started; the message says why and what to do."""


def _installed() -> tuple[Path, Path, Path | None] | None:
    for folder in (None, "/usr/sbin", "/usr/bin"):
        server = shutil.which("mariadbd", path=folder)
        install = shutil.which("mariadb-install-db", path=folder) or shutil.which("mariadb-install-db")
        if server and install:
            return Path(server), Path(install), None
    return None


def _unpacked() -> tuple[Path, Path, Path] | None:
    root = UNPACKED / "root"
    server, install = root / "usr" / "sbin" / "mariadbd", root / "usr" / "bin" / "mariadb-install-db"
    return (server, install, root) if server.is_file() and install.is_file() else None


def fetch() -> tuple[Path, Path, Path]:
    """Download MariaDB's Debian packages and unpack them into ``build/mariadb`` (see the module)."""
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise MariaDBError("no MariaDB found and no apt-get to fetch one: install MariaDB (Debian/Ubuntu: "
                           "apt-get install mariadb-server; macOS: brew install mariadb) and run again.")
    debs = UNPACKED / "debs"
    debs.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["apt-get", "download", *PACKAGES], cwd=debs, capture_output=True, text=True)
    if done.returncode != 0:
        raise MariaDBError(f"apt-get download {' '.join(PACKAGES)} failed:\n{done.stderr[-2000:]}\n"
                           "Check the connection to the Debian mirror (or run apt-get update), or install "
                           "MariaDB yourself.")
    root = UNPACKED / "root.partial"
    shutil.rmtree(root, ignore_errors=True)
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, capture_output=True)
    shutil.rmtree(UNPACKED / "root", ignore_errors=True)
    root.rename(UNPACKED / "root")
    found = _unpacked()
    if found is None:
        raise MariaDBError(f"the packages in {debs} hold no mariadbd: delete {UNPACKED} and run again.")
    return found


def binaries() -> tuple[Path, Path, Path | None]:
    """(mariadbd, mariadb-install-db, basedir or None): installed, unpacked before, or fetched now."""
    return _installed() or _unpacked() or fetch()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MariaDBServer:
    """One private ``mariadbd`` on a fresh data folder, 127.0.0.1 and a free port (see the module)."""

    def __init__(self, folder: str | Path, startup_timeout: float = 60.0):
        self.folder = Path(folder)
        self.datadir = self.folder / "data"
        self.socket = self.folder / "mysqld.sock"
        self.log = self.folder / "mariadbd.log"
        self.startup_timeout = startup_timeout
        self.port: int | None = None
        self.process: subprocess.Popen | None = None

    def _env(self, basedir: Path | None) -> dict[str, str]:
        env = dict(os.environ)
        if basedir is not None:
            libs = str(basedir / "usr" / "lib" / "x86_64-linux-gnu")
            env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (libs, env.get("LD_LIBRARY_PATH")) if p)
        return env

    def start(self) -> MariaDBServer:
        server, install, basedir = binaries()
        base = ["--no-defaults", f"--basedir={basedir / 'usr' if basedir else '/usr'}"]
        shutil.rmtree(self.datadir, ignore_errors=True)
        self.datadir.mkdir(parents=True)
        env = self._env(basedir)
        done = subprocess.run([str(install), *base, f"--datadir={self.datadir}", f"--user={_user()}",
                               "--auth-root-authentication-method=normal", "--skip-test-db"],
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            raise MariaDBError(f"mariadb-install-db failed:\n{done.stdout[-1500:]}{done.stderr[-1500:]}")
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(server), *base, f"--datadir={self.datadir}", f"--user={_user()}", f"--socket={self.socket}",
             f"--port={self.port}", "--bind-address=127.0.0.1", f"--pid-file={self.folder / 'mariadbd.pid'}",
             "--innodb-buffer-pool-size=64M", f"--log-error={self.log}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        atexit.register(self.stop)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            if self.socket.exists() and _accepts(self.port):
                return self
            time.sleep(0.2)
        self.stop()
        log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
        raise MariaDBError(f"mariadbd did not start within {self.startup_timeout} s; its log ends "
                           f"with:\n{log}")

    def connection_config(self, database: str) -> metadata_store_pb2.ConnectionConfig:
        """ML Metadata's connection to ``database`` (created on first use) as root over 127.0.0.1."""
        config = metadata_store_pb2.ConnectionConfig()
        config.mysql.host = "127.0.0.1"
        config.mysql.port = self.port
        config.mysql.database = database
        config.mysql.user = "root"
        return config

    def stop(self, timeout: float = 30.0) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        atexit.unregister(self.stop)

    def __enter__(self) -> MariaDBServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def _user() -> str:
    import getpass

    return getpass.getuser()


def _accepts(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0
