"""Azurite, Microsoft's Azure Storage emulator (npm, pinned 3.35.0: the last release for Node 20), on loopback.

    with azurite() as connection_string: ...      # a fresh emulator with an "evidence" container, stopped after

bin/setup test installs it under .tools/azurite; AZURITE may name another azurite-blob executable.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTALLED = ROOT / ".tools" / "azurite" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's one well-known development account (published in Microsoft's documentation; not a secret).
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
CONTAINER = "evidence"


def executable():
    found = os.environ.get("AZURITE") or (str(INSTALLED) if INSTALLED.exists() else shutil.which("azurite-blob"))
    return found if found and (os.path.exists(found) or shutil.which(found)) else None


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def connection_string(port):
    return f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={KEY};BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"


@contextmanager
def azurite():
    command = executable()
    if command is None:
        raise RuntimeError("Azurite is not installed: run bin/setup test (it needs npm).")
    from azure.storage.blob import BlobServiceClient

    port, folder = free_port(), tempfile.mkdtemp(prefix="nps-azurite-")
    process = subprocess.Popen(
        [command, "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", folder, "--silent", "--skipApiVersionCheck", "--loose"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        ready_by = time.monotonic() + 120  # a busy machine starts Node slowly
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > ready_by:
                    raise RuntimeError(f"Azurite did not start: {process.stderr.read().decode()[-2000:] if process.poll() is not None else 'timed out'}") from None
                time.sleep(0.2)
        connection = connection_string(port)
        BlobServiceClient.from_connection_string(connection).create_container(CONTAINER)  # private: no public access
        yield connection
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(folder, ignore_errors=True)
