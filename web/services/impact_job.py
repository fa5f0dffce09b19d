"""影响评估 in the web app (issue 18, point 12): a province's staff upload a proposed definition file
(the overlay, a rules, codes or set file of the province); it is checked like ``tmis check`` and, when
it compiles, ``web.services.impact`` runs as a background job (the jobs table of web/excel, with
progress) against the records of the province. The deployed definitions are not touched: the upload is
laid over a temporary copy of them. Writes nothing but the job row.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from sqlalchemy.orm import sessionmaker

from engine.catalogue import Catalogue, check_repo, warnings_of
from engine.errors import Problem
from engine.source import DuplicateKey, parse_yaml
from web.db.models import Unit
from web.errors import W_IMPACT_FILE, W_IMPACT_PROVINCE, Refusal
from web.excel import jobs
from web.principal import Principal

KIND = "catalogue.impact"
MAX_BYTES = 2_000_000
_PLACES = {"province": "", "rules": "rules", "tables": "codes", "set": "sets"}  # first key → folder


def require_province(db: Any, principal: Principal) -> Unit:
    unit = db.get(Unit, principal.unit_id)
    if principal.kind != "staff" or unit is None or unit.level != "province" \
            or not principal.holds_at("teacher.read", unit.id):
        raise Refusal(W_IMPACT_PROVINCE)
    return unit


def _destination(province: str, name: str, data: bytes) -> str:
    try:
        raw = parse_yaml(data.decode("utf-8"), name)
    except (UnicodeDecodeError, DuplicateKey, Exception) as exc:  # the check below reports YAML errors with lines
        if isinstance(exc, UnicodeDecodeError):
            raise Refusal(W_IMPACT_FILE, file=name, detail="不是 UTF-8 文本", detail_en="not UTF-8 text") from None
        return f"provinces/{province}/rules/{Path(name).stem or 'upload'}.yaml"
    first = next(iter(raw), None) if isinstance(raw, dict) else None
    folder = _PLACES.get(str(first))
    if folder is None:
        raise Refusal(W_IMPACT_FILE, file=name, detail=f"第一个键是「{first}」", detail_en=f"its first key is '{first}'")
    stem = "".join(c for c in Path(name).stem if c.isalnum() or c in "-_") or "upload"
    return f"provinces/{province}/overlay.yaml" if folder == "" else f"provinces/{province}/{folder}/{stem}.yaml"


def compile_upload(repo_root: Path, province: str, name: str, data: bytes) -> tuple[Catalogue | None, list[Problem], list[Problem]]:
    """The province's catalogue with the upload in place: (catalogue, problems, warnings)."""
    if len(data) > MAX_BYTES:
        raise Refusal(W_IMPACT_FILE, file=name, detail="文件过大", detail_en="the file is too large")
    rel = _destination(province, name, data)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for top in ("schemas", "rules", "provinces", "modules"):
            if (repo_root / top).is_dir():
                shutil.copytree(repo_root / top, root / top)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
        catalogues, problems = check_repo(root, [province])
        warnings = warnings_of(catalogues)
    cat = catalogues.get(province) if not problems else None
    return cat, problems, warnings


def start(sessions: sessionmaker, old: Catalogue, new: Catalogue, principal: Principal, unit_id: int,
          file_name: str, *, wait: bool = False) -> str:
    """Run the assessment in a thread; ``jobs.get`` shows its progress, ``result`` the report."""
    from web.services.impact import impact

    job_id = jobs.create(sessions, KIND, unit_id=unit_id, actor_id=principal.account_id, file_name=file_name,
                         options={"old": old.version, "new": new.version})

    def work() -> None:
        try:
            with sessions() as db:
                report = impact(db, old, new, progress=jobs.JobProgress(sessions, job_id))
                db.rollback()
            jobs.finish(sessions, job_id, result=report.as_json())
        except Exception as exc:  # a job ends in a state whatever happened (no personal data in it)
            jobs.finish(sessions, job_id, error=type(exc).__name__)

    thread = threading.Thread(target=work, name=f"impact-{job_id[:8]}", daemon=True)
    thread.start()
    if wait:
        thread.join()
    return job_id


def job_of(db: Any, principal: Principal, job_id: str) -> Any:
    job = jobs.get(db, job_id)
    if job is None or job.kind != KIND or job.created_by_id != principal.account_id:
        raise Refusal(W_IMPACT_PROVINCE)
    return job


__all__ = ["require_province", "compile_upload", "start", "job_of", "KIND"]
