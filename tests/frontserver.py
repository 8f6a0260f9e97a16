"""Debian's nginx on loopback with the documented configuration (deploy/nginx-chaton.conf),
for the tests and the viral-day benchmark: the same file, only its addresses and folders
replaced (listen on 127.0.0.1:PORT, the upstream's port, the cache in a temporary folder)."""

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "deploy" / "nginx-chaton.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def site_config(listen_port, upstream_port, cache_dir, static_dir=None):
    """The documented site, pointed at loopback ports and a cache folder of the test's."""
    text = SITE.read_text()
    for old, new in (("listen 80;", f"listen 127.0.0.1:{listen_port};"),
                     ("listen [::]:80;\n", ""), ("127.0.0.1:8000", f"127.0.0.1:{upstream_port}"),
                     ("/var/cache/nginx/chaton", str(cache_dir)),
                     ("server_name petitions.example.org;", "server_name 127.0.0.1 localhost;")):
        assert old in text, f"{SITE} no longer holds {old!r}"
        text = text.replace(old, new)
    if static_dir is not None:  # the benchmark's reference: the page's bytes as a static file
        text = text.replace("    location / {", f"    location /reference/ {{\n        alias {static_dir}/;\n"
                                                  "    }\n\n    location / {", 1)
    return text


class Nginx:
    def __init__(self, folder, upstream_port, workers=1, static_dir=None):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        user = "user root;\n" if os.geteuid() == 0 else ""
        temp = "".join(f"    {kind}_temp_path {self.folder / kind};\n"
                       for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        (self.folder / "site.conf").write_text(
            site_config(self.port, upstream_port, self.folder / "cache", static_dir))
        (self.folder / "nginx.conf").write_text(
            f"{user}worker_processes {workers};\npid {self.folder / 'nginx.pid'};\n"
            f"error_log {self.folder / 'error.log'} warn;\n"
            "events { worker_connections 4096; }\n"
            f"http {{\n    access_log off;\n{temp}"
            "    default_type text/html;\n"
            f"    include {self.folder / 'site.conf'};\n}}\n")
        self.proc = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        subprocess.run([NGINX, "-t", "-c", str(self.folder / "nginx.conf")], check=True,
                       capture_output=True)
        self.proc = subprocess.Popen([NGINX, "-c", str(self.folder / "nginx.conf"),
                                      "-g", "daemon off;"], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise AssertionError("nginx did not start:\n" + self.log())

    def log(self):
        path = self.folder / "error.log"
        return path.read_text()[-3000:] if path.exists() else ""

    def stop(self):
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGQUIT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc = None
