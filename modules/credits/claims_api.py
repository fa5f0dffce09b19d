"""The self-study claims API (自主研修, issue 17):

- ``POST /api/v1/teachers/me/credit-claims`` multipart: title, start, end, hours, description, file
- ``GET  /api/v1/teachers/me/credit-claims`` the teacher's own claims
- ``POST /api/v1/teachers/me/credit-claims/{id}`` multipart: a returned claim corrected (fields given
  replace, the file is kept unless a new one is sent) and resubmitted
- ``GET  /api/v1/credit-claims?state=waiting|submitted|returned|approved|confirmed`` claims of the
  schools in the caller's review scope
- ``POST /api/v1/credit-claims/{id}/review`` {"approve": bool, "reason": str} (the school)
- ``POST /api/v1/credit-claims/{id}/confirm`` (the school's authority) → the ledger entry
- ``POST /api/v1/credit-claims/{id}/revoke`` {"reason": str} (the authority) → a revoking entry; the record goes
- ``GET  /api/v1/credit-claims/{id}/evidence`` the evidence file (readers of the teacher; audited)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.response import Response
from sqlalchemy.orm import Session

from modules.credits import claims as K
from web.context import AppContext
from web.principal import Principal

BODY_LIMIT = K.MAX_BYTES + 256 * 1024  # the file's own limit is checked by the service (W653)


@dataclass
class ClaimForm:
    title: str | None = None
    start: str | None = None
    end: str | None = None
    hours: str | None = None
    description: str | None = None
    file: UploadFile | None = None


@dataclass
class ReviewIn:
    approve: bool
    reason: str = ""


@dataclass
class RevokeIn:
    reason: str = ""


def _file(form: ClaimForm) -> tuple[str, bytes | None]:
    if not isinstance(form.file, UploadFile):
        return "", None
    return form.file.filename or "", form.file.file.read(K.MAX_BYTES + 1)


def _data(form: ClaimForm) -> dict[str, Any]:
    return {k: getattr(form, k) for k in ("title", "start", "end", "hours", "description")}


Multipart = Annotated[ClaimForm, Body(media_type=RequestEncodingType.MULTI_PART)]


class MyClaimsController(Controller):
    path = "/api/v1/teachers/me/credit-claims"
    tags = ["training credits"]

    @post("/", sync_to_thread=True, status_code=201, request_max_body_size=BODY_LIMIT,
          summary="File a self-study claim (自主研修) with its evidence file (PDF/JPG/PNG, at most 5 MB)")
    def create(self, data: Multipart, db: Session, me: Principal) -> dict[str, Any]:
        name, content = _file(data)
        return K.claim_json(K.submit(db, me, _data(data), name, content))

    @get("/", sync_to_thread=True, summary="Your own self-study claims")
    def index(self, db: Session, me: Principal) -> dict[str, Any]:
        return {"claims": K.mine(db, me)}

    @post("/{claim_id:int}", sync_to_thread=True, status_code=200, request_max_body_size=BODY_LIMIT,
          summary="Correct and resubmit a returned claim (the evidence is kept unless a new file is sent)")
    def resubmit(self, claim_id: int, data: Multipart, db: Session, me: Principal) -> dict[str, Any]:
        name, content = _file(data)
        return K.claim_json(K.resubmit(db, me, claim_id, _data(data), name, content))


class ClaimsController(Controller):
    path = "/api/v1/credit-claims"
    tags = ["training credits"]

    @get("/", sync_to_thread=True, summary="Self-study claims of the schools you review (state=waiting: yours to act on)")
    def index(self, db: Session, me: Principal,
              claim_state: Annotated[str | None, Parameter(query="state")] = None) -> dict[str, Any]:
        return {"claims": K.staff_list(db, me, claim_state)}

    @post("/{claim_id:int}/review", sync_to_thread=True, status_code=200,
          summary="The school approves a claim or returns it with a reason")
    def review(self, claim_id: int, data: ReviewIn, db: Session, me: Principal) -> dict[str, Any]:
        return K.claim_json(K.review(db, me, claim_id, data.approve, data.reason))

    @post("/{claim_id:int}/confirm", sync_to_thread=True, status_code=200,
          summary="The school's authority confirms an approved claim into the credit bank")
    def confirm(self, claim_id: int, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return K.claim_json(K.confirm(db, me, claim_id, root=ctx.settings.repo_root, cat=ctx.catalogue))

    @post("/{claim_id:int}/return", sync_to_thread=True, status_code=200,
          summary="The school's authority returns an approved claim to the teacher with a reason, instead of confirming it")
    def send_back(self, claim_id: int, data: RevokeIn, db: Session, me: Principal) -> dict[str, Any]:
        return K.claim_json(K.send_back(db, me, claim_id, data.reason))

    @post("/{claim_id:int}/revoke", sync_to_thread=True, status_code=200,
          summary="The confirming authority revokes a claim's credits (with a reason); its 国内培训 record goes")
    def revoke(self, claim_id: int, data: RevokeIn, db: Session, ctx: AppContext, me: Principal) -> dict[str, Any]:
        return K.claim_json(K.revoke(db, me, claim_id, data.reason, cat=ctx.catalogue))

    @get("/{claim_id:int}/evidence", sync_to_thread=True, summary="A claim's evidence file (readers of the teacher; audited)")
    def evidence(self, claim_id: int, db: Session, me: Principal) -> Response[bytes]:
        claim = K.evidence(db, me, claim_id)
        return Response(claim.evidence, media_type=claim.evidence_type,
                        headers={"content-disposition": f'attachment; filename="claim-{claim.id}.{claim.evidence_name.rsplit(".", 1)[-1]}"',
                                 "x-content-type-options": "nosniff", "cache-control": "private, no-store"})
