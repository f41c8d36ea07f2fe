"""Public verification of result documents: anyone with the code (or the QR) checks that
a document is genuine and unchanged since the office signed it. No login.

The page shows what a third party needs to match the paper in front of them: the document,
its number, issuer, date and signer, and the names on it with their personal IDs masked;
never addresses or other personal data (services.results.content_rows, public=True). A
document its office revoked says so first ("Đã thu hồi", the date and the reason): it is
genuine, but no longer stands."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from portal.db import db
from portal.services import results

bp = Blueprint("verify", __name__)
TEMPLATE = "portal/verify.html"


@bp.get("/tra-cuu-ket-qua")
def search():
    raw = request.args.get("ma")
    if raw is None:
        return render_template(TEMPLATE, state="form")
    code = raw.strip()
    if results.CODE_PATTERN.match(code):
        return redirect(url_for(".document", code=code))
    error = "Nhập mã tra cứu in trên văn bản" if not code else "Mã tra cứu không đúng định dạng"
    return render_template(TEMPLATE, state="form", error=error, value=raw)


@bp.get("/tra-cuu-ket-qua/<code>")
def document(code: str):
    doc = results.find_by_code(db.session, code)
    if doc is None:
        return render_template(TEMPLATE, state="unknown"), 404
    valid = results.verify(doc, results.key_folder(current_app.instance_path))
    state = "invalid" if not valid else "revoked" if results.is_revoked(doc) else "valid"
    resp = current_app.make_response(
        render_template(
            TEMPLATE,
            state=state,
            doc=doc,
            revoked=results.status_label(doc) if state == "revoked" else "",
            rows=results.document_rows(doc),
            content=results.content_rows(doc, public=True) if valid else [],
        )
    )
    resp.headers["Cache-Control"] = "no-store"
    return resp
