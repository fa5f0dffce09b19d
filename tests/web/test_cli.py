"""The commands: tmis db upgrade, units import, accounts create-admin, serve (real processes)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
from openpyxl import Workbook


def tmis(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "web.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def test_upgrade_import_and_first_admin(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    r = tmis("db", "upgrade", "--database-url", url)
    assert r.returncode == 0 and "数据库已升级" in r.stdout, r.stdout + r.stderr
    wb = Workbook()
    ws = wb.active
    ws.append(["代码", "名称", "层级", "上级代码", "办学类型"])
    ws.append(["36", "江西省", "省", "", ""])
    ws.append(["3601", "南昌市", "市", "36", ""])
    ws.append(["360102", "东湖区", "县", "3601", ""])
    ws.append(["3601020001", "东湖区第一小学", "学校", "360102", "小学"])
    wb.save(tmp_path / "units.xlsx")
    r = tmis("units", "import", str(tmp_path / "units.xlsx"), "--database-url", url)
    assert r.returncode == 0 and "新增 4" in r.stdout, r.stderr
    ws.append(["3601020002", "坏学校", "学校", "999999", "小学"])
    wb.save(tmp_path / "bad.xlsx")
    r = tmis("units", "import", str(tmp_path / "bad.xlsx"), "--database-url", url)
    assert r.returncode == 1 and "第 6 行" in r.stderr
    r = tmis("accounts", "create-admin", "--unit", "36", "--username", "root", "--real-name", "管理员",
             "--database-url", url)
    assert r.returncode == 0 and "初始密码" in r.stdout
    r = tmis("accounts", "create-admin", "--unit", "36", "--username", "root2", "--real-name", "管理员",
             "--database-url", url)
    assert r.returncode == 1
    r = tmis("audit", "verify", "--database-url", url)
    assert r.returncode == 0, r.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_on_the_port(tmp_path):
    url = f"sqlite:///{tmp_path / 'serve.sqlite3'}"
    assert tmis("db", "upgrade", "--database-url", url).returncode == 0
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "serve", "--port", str(port)],
                            env={**os.environ, "TMIS_DATABASE_URL": url, "TMIS_SECRET_KEY": "x" * 32},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/admin/login", timeout=2)
                break
            except httpx.TransportError:
                assert time.time() < deadline, "server did not start"
                time.sleep(0.3)
        assert r.status_code == 200 and "管理端登录" in r.text
        assert httpx.get(f"http://127.0.0.1:{port}/schema/openapi.json").status_code == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)
