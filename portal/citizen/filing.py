"""Filing pages: /nop-ho-so/<code> and its steps, the summary, submit, withdraw."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from portal import access
from portal.auth.oidc import LoginRefused
from portal.auth.views import sign_in_again
from portal.db import db
from portal.models import Dossier, utcnow
from portal.services import (
    delivery,
    dossiers,
    eligibility,
    filing,
    parties,
    prefill,
    registry,
    results,
    reuse,
    uploads,
)
from portal.services import routing as routes
from portal.services.deadlines import due_date, today
from portal.services.fees import (
    ApplicantFacts,
    decide_fee,
    declared_from_form,
    event_date_from_form,
    units_from_form,
)
from portal.services.routing import RoutingError, offers_choice, route
from procedures import schema as procedures_schema

bp = Blueprint("filing", __name__)
bp.add_app_template_global(delivery.summary, "delivery_summary")  # the receipt, the clerk's page
bp.add_app_template_global(delivery.rules, "delivery_rules")  # the filing's last step
bp.add_app_template_test(filing.listed, "listed_dossier")  # "Hồ sơ của tôi" (the dashboard)
UPLOAD_STEP, CHOICE_STEP, SUMMARY_STEP = procedures_schema.RESERVED_STEPS


def _procedure(code: str):
    proc = current_app.extensions["catalogue"].get(code)
    if proc is None:
        abort(404)
    return proc


def _reuses(proc) -> list[reuse.Reuse]:
    """The procedure's data-store components, resolved for the signed-in citizen today."""
    return reuse.resolve(
        db.session,
        proc,
        current_user.personal_id,
        key_folder=results.key_folder(current_app.instance_path),
        today=today(),
    )


def _steps(proc, unmet: dict[int, reuse.Reuse], notices: frozenset[str] = frozenset()) -> list[str]:
    """The filing's pages; `notices`: the electronic notices the registry gives the
    applicant (a paper they stand in for is not asked: no attachments page if none is left)."""
    return (
        proc.steps_in_order()
        + ([UPLOAD_STEP] if uploads.upload_components(proc, unmet, notices) else [])
        + ([CHOICE_STEP] if offers_choice(proc) else [])
    )


def _upload_folder() -> Path:
    return Path(current_app.instance_path) / "uploads"


def _purpose(proc) -> str:
    return f"Nộp hồ sơ trực tuyến: {proc.name}"


def _service_token(fresh: bool) -> str:
    """The portal's client-credentials token for registry lookups (`fresh`: a new one)."""
    return current_app.extensions["vneid"].service_token(fresh=fresh)


def _lookup(proc, purpose: str | None = None):
    """Read another person's record for this filing (audited, with the citizen as actor)."""

    def lookup(personal_id: str) -> dict:
        return registry.with_service_token(
            _service_token,
            lambda token: registry.lookup(
                current_app.config["OIDC_ISSUER"],
                token,
                personal_id,
                purpose=purpose or _purpose(proc),
                actor=current_user.personal_id,
            ),
        )

    return lookup


def consent_records(proc, dossier: Dossier) -> parties.ConsentRecords:
    """For parties.answer(..., records=…) on the confirm page: reads, when called, the
    applicant's registry record (for the signed-in party, audited with the purpose) and
    the signed-in party's own. Raises registry.RegistryError (RegistryAuthExpired: sign in
    again) like every registry read; the caller shows it as the filing pages do."""
    purpose = f"Xác nhận hồ sơ {dossier.code} với tư cách bên liên quan: {proc.name}"

    def read() -> tuple[dict, dict]:
        own = registry.my_record(
            current_app.config["OIDC_ISSUER"], current_user.access_token, purpose=purpose
        )
        return _lookup(proc, purpose)(dossier.applicant_id), own

    return read


def _match(proc):
    """Ask the registry whether a typed number, name (and birth date) belong together: a
    yes or a no, audited there as a match check with the citizen as actor."""

    def match(personal_id: str, full_name: str, birth_date: str | None) -> bool:
        try:
            return registry.with_service_token(
                _service_token,
                lambda token: registry.match(
                    current_app.config["OIDC_ISSUER"],
                    token,
                    personal_id,
                    full_name,
                    birth_date,
                    purpose=f"Đối chiếu người được nêu trong hồ sơ: {proc.name}",
                    actor=current_user.personal_id,
                ),
            )
        except registry.TooManyMatchAttempts as exc:
            raise filing.FilingError(filing.TOO_MANY_TRIES) from exc

    return match


def _sources(proc, draft: Dossier, *, strict: bool = True, roots=None) -> prefill.Sources:
    applicant = registry.my_record(
        current_app.config["OIDC_ISSUER"], current_user.access_token, purpose=_purpose(proc)
    )
    return filing.gather_sources(
        proc,
        applicant,
        draft.data,
        _lookup(proc),
        match=_match(proc),
        strict=strict,
        roots=roots,
    )


def _guard(proc):
    """Level check before anything else: a level-1 account gets an explanation."""
    if current_user.level < proc.min_vneid_level:
        return render_template("portal/filing_level.html", proc=proc), 403
    return None


@bp.route("/nop-ho-so/<code>")
@login_required
def start(code: str):
    proc = _procedure(code)
    refused = _guard(proc)
    if refused:
        return refused
    draft = filing.get_or_create_draft(db.session, proc, current_user.personal_id)
    order = [*_steps(proc, reuse.unmet(_reuses(proc))), SUMMARY_STEP]
    return redirect(url_for("filing.step", code=code, step=filing.resume_step(draft, order)))


@bp.route("/nop-ho-so/<code>/<step>", methods=["GET", "POST"])
@login_required
def step(code: str, step: str):
    proc = _procedure(code)
    refused = _guard(proc)
    if refused:
        return refused
    if step == SUMMARY_STEP:
        return summary(proc)
    unmet = reuse.unmet(_reuses(proc))
    if step not in _steps(proc, unmet):
        abort(404)
    draft = filing.get_or_create_draft(db.session, proc, current_user.personal_id)
    sources, problem, errors = None, None, {}
    try:
        roots = None if step == CHOICE_STEP else prefill.roots_needed(proc, step)
        sources = _sources(proc, draft, strict=False, roots=roots)
    except (registry.RegistryError, LoginRefused) as exc:
        problem = exc
    notices = prefill.notices_present(sources)
    steps = _steps(proc, unmet, notices)
    if step not in steps:  # the attachments an electronic notice stands in for
        abort(404)
    locked = prefill.prefilled_values(proc, sources) if sources else {}
    if request.method == "POST":
        try:  # saved even when the registry is down: what was typed is never lost
            posted = request.form.to_dict()
            errors = _save(proc, draft, step, posted, locked, sources, unmet, notices)
        except (registry.RegistryError, LoginRefused) as exc:
            problem = exc
    if problem is not None:  # (what was posted is saved by now)
        return _registry_problem(proc, problem, url_for("filing.step", code=code, step=step))
    taken = _taken(proc, draft, step, sources, locked)
    if request.method == "POST" and not errors and not taken:
        after = steps.index(step) + 1
        target = steps[after] if after < len(steps) else SUMMARY_STEP
        filing.mark_reached(db.session, draft, target, [*steps, SUMMARY_STEP])
        return redirect(url_for("filing.step", code=code, step=target))
    return _step_page(proc, draft, step, steps, errors, sources, locked, unmet, taken, notices)


def _taken(proc, draft: Dossier, step: str, sources, locked: dict) -> str | None:
    """At the step that names the life event: the message when an open dossier has it."""
    if sources is None or step != parties.subject_step(proc):
        return None
    return filing.subject_problem(db.session, proc, draft, locked)


def _step_page(proc, draft, step, steps, errors, sources, locked, unmet, taken, notices):
    shown = dict(draft.data)
    if request.method == "POST":  # a value refused as it was typed is shown back as typed
        shown.update({k: v for k, v in request.form.items() if k in errors})
    page, status = _render_step(
        proc, draft, step, steps, errors, sources, locked, unmet, shown, taken, notices
    )
    return page, 409 if taken and request.method == "POST" and not errors else status


def _save(
    proc, draft: Dossier, step: str, posted: dict, locked: dict, sources, unmet, notices
) -> dict:
    if step == CHOICE_STEP:
        return _save_choice(proc, draft, posted, locked, sources)
    if step == UPLOAD_STEP:
        return _save_uploads(proc, draft, unmet, notices)
    errors = filing.save_step(db.session, draft, proc, step, posted, locked)
    errors.update(_address_errors(proc, draft, step, errors))
    named = [proc.partner_field, proc.partner_name_field, proc.partner_birth_date_field]
    asked = [name for name in named if name]
    if sources and asked and _step_of(proc, asked[0]) == step and not set(asked) & set(errors):
        # The registry must confirm who was named before the citizen goes on; a wrong name
        # changes nothing else and says nothing about the person behind the number.
        errors.update(  # the registry's values too: a notice may name the person
            filing.named_person_errors(
                proc, sources.applicant, {**draft.data, **locked}, _match(proc), _lookup(proc)
            )
        )
    if sources and not sources.birth_notice:  # a parent typed: the registry must confirm
        form = {**draft.data, **locked}
        errors.update(
            filing.typed_parent_errors(
                proc, sources.applicant, form, locked, step, _match(proc), frozenset(errors)
            )
        )
    return errors


def _step_of(proc, field_name: str) -> str | None:
    return next((f.step for f in proc.fields if f.name == field_name), None)


def _address_errors(proc, draft: Dossier, step: str, errors: dict) -> dict[str, str]:
    """The address that decides the competent body (address_field), checked where it is
    typed: a commune that does not exist is said next to the field."""
    name = proc.routing.field
    if not name or name in errors or _step_of(proc, name) != step:
        return {}
    problem = routes.ward_problem(str(draft.data.get(name) or ""))
    return {name: problem} if problem else {}


def _routing_facts(proc, draft: Dossier, sources, locked: dict) -> routes.Facts:
    """What routing reads: the applicant's record, the dossier's values, the records of the
    people it names that the filing has read (the other party, the parents, the deceased)."""
    others = [r for r in (sources.partner, sources.mother, sources.father) if r]
    records = {str(r["personal_id"]["value"]): r for r in others}
    hidden = {str(sources.partner["personal_id"]["value"])} if sources.partner else set()
    return routes.Facts(
        sources.applicant,
        {**draft.data, **locked},
        records,
        frozenset() if sources.partner_shown else frozenset(hidden),
    )


def _route(proc, draft: Dossier, sources, locked: dict, data: dict | None = None):
    """Both routing decisions for the draft, with the choices of the "noi-nop" step (those
    in `data`, else those saved)."""
    values = data if data is not None else draft.data
    return route(
        db.session,
        proc,
        current_app.extensions["catalogue"].authorities,
        _routing_facts(proc, draft, sources, locked),
        competent=str(values.get(routes.COMPETENT_FIELD) or ""),
        receiving=str(values.get(routes.RECEIVING_FIELD) or ""),
    )


CHOICE_LIMITS = {routes.COMPETENT_FIELD: 120, routes.RECEIVING_FIELD: 32}


def _save_choice(proc, draft: Dossier, posted: dict, locked: dict, sources) -> dict[str, str]:
    """Keep the citizen's choices of competent body and receiving point; a choice the law
    does not allow is refused next to its field."""
    chosen = {
        name: " ".join(str(posted.get(name) or "").split())[:limit]
        for name, limit in CHOICE_LIMITS.items()
    }
    draft.data = {**draft.data, **chosen}
    db.session.add(draft)
    db.session.commit()
    if sources is None:  # the registry is down: the page says so, the choice is kept
        return {}
    try:
        _route(proc, draft, sources, locked, chosen)
    except RoutingError as exc:
        if exc.field:  # else the dossier's own data must change: the summary says so
            return {exc.field: str(exc)}
    return {}


def _choices(proc, draft: Dossier, sources, locked: dict) -> dict:
    """The "noi-nop" step: the competent body (decided, or the bodies the law allows and why
    the citizen chooses) and the receiving points."""
    catalogue = current_app.extensions["catalogue"]
    facts = _routing_facts(proc, draft, sources, locked)
    competent, problem, decided = None, None, None
    try:
        competent = routes.competent_choice(db.session, proc, catalogue.authority(proc), facts)
    except RoutingError as exc:  # the dossier's own data first (an address): said, not asked
        problem = str(exc)
    if competent is not None:
        chosen = str(draft.data.get(routes.COMPETENT_FIELD) or "")
        decided = competent.decided or competent.candidate(chosen or competent.default)
    placeholder = routes.Candidate("", "", "cơ quan giải quyết", "")
    receiving = routes.receiving_choice(
        db.session, catalogue.authorities, facts, decided or placeholder
    )
    return {"competent": competent, "problem": problem, "receiving": receiving}


def _save_uploads(
    proc, draft: Dossier, unmet: dict[int, reuse.Reuse], notices: frozenset[str]
) -> dict[str, str]:
    """Keep each valid file; a component with neither a new nor an earlier file is an error."""
    errors: dict[str, str] = {}
    have = uploads.files_of(db.session, filing.stored_id(draft))
    for index, component in uploads.upload_components(proc, unmet, notices):
        name = f"upload_{index}"
        sent = request.files.get(name)
        if sent is None or not sent.filename:
            if index not in have:
                errors[name] = f"Vui lòng đính kèm {component.name[0].lower()}{component.name[1:]}."
            continue
        try:
            checked = uploads.check(sent.filename, sent.stream)
            uploads.store(db.session, _upload_folder(), filing.stored_id(draft), index, checked)
        except uploads.UploadError as exc:
            errors[name] = str(exc)
    return errors


def _render_step(
    proc, draft, step, steps, errors, sources, locked, unmet, values, taken=None, notices=()
):
    choices = _choices(proc, draft, sources, locked) if step == CHOICE_STEP else {}
    page = render_template(
        "portal/filing_step.html",
        proc=proc,
        step=step,
        steps=steps,
        fields=[f for f in proc.fields if f.step == step],
        values=values,
        locked=locked,
        withheld=prefill.withheld_fields(proc, sources),
        named=_named_rows(proc, draft),
        errors=errors,
        choices=choices,
        upload_components=(
            uploads.upload_components(proc, unmet, notices) if step == UPLOAD_STEP else ()
        ),
        files=uploads.files_of(db.session, filing.stored_id(draft)),
        unmet=unmet,
        producers=_producers(),
        taken=taken,
        back=filing.previous_step(step, steps),
        draft=draft,
    )
    return page, 400 if errors else 200


def _named_rows(proc, draft: Dossier) -> list[tuple[str, str]]:
    """What the citizen typed about the other person (label, value), shown where that
    person's registry data is withheld."""
    names = [proc.partner_field, proc.partner_name_field, proc.partner_birth_date_field]
    fields = {f.name: f for f in proc.fields}
    rows = []
    for name in filter(None, names):
        value = draft.data.get(name) or ""
        if fields[name].type == "date" and value:
            value = prefill.resolve_date(value)
        rows.append((fields[name].label, value or "—"))
    return rows


def _registry_problem(proc, exc, back_to: str):
    """The registry (or the login behind it) failed: the draft is kept. An expired access
    token sends the citizen through VNeID again and back to `back_to`; anything else asks
    them to try again later."""
    if isinstance(exc, registry.RegistryAuthExpired):
        current_app.logger.info("filing %s: access token expired, signing in again", proc.code)
        return sign_in_again(back_to)
    messages = [
        "Chưa lấy được dữ liệu từ CSDLQG về dân cư. Hồ sơ nháp của bạn vẫn được giữ; "
        "vui lòng thử lại sau ít phút."
    ]
    current_app.logger.warning("filing %s: %s", proc.code, exc)
    return render_template("portal/filing_problem.html", proc=proc, messages=messages), 503


def _producers() -> dict:
    return reuse.producers(current_app.extensions["catalogue"].procedures.values())


def _prepare(proc, draft: Dossier, reuses: list[reuse.Reuse]):
    """Everything the summary shows and submit records: values, checks, office, fee, due,
    and the documents reused from the data store (signed together with the locked values)."""
    sources = _sources(proc, draft)
    locked = prefill.prefilled_values(proc, sources)
    # The dossier's values as it will hold them: typed, locked (registry) and as typed.
    form = {**draft.data, **locked, **prefill.as_typed(proc, locked)}
    context = eligibility.FilingContext(
        applicant=sources.applicant,
        partner=sources.partner,
        birth_notice=sources.birth_notice,
        form=form,
        today=today(),
    )
    problems = eligibility.check(proc.eligibility, context)
    # The permanent residence; a citizen without one on record (routed by the temporary one,
    # or by the commune they chose) gets the province of whatever residence they have.
    residence = (sources.applicant.get("permanent_residence") or {}).get("value") or {
        "province_code": routes.citizen_province(sources.applicant) or 0
    }
    routing = _route(proc, draft, sources, locked)
    household = (sources.applicant.get("household") or {}).get("value") or {}
    facts = ApplicantFacts(
        # The council of the office's province (its online policy); residence as a fallback.
        province_code=_office_province(routing.office_code, residence["province_code"]),
        meritorious_family=bool(sources.applicant["meritorious_family"]["value"]),
        poor_household=bool(household.get("poor_household")),
        disability=bool(sources.applicant["disability"]["value"]),
        birth_date=_registry_date(sources.applicant.get("birth_date")),
        birth_date_of_child=_notice_birth(sources)
        or event_date_from_form(proc, form, "on_time_birth"),
        death_date=event_date_from_form(proc, form, "on_time_death"),
        vneid_level=current_user.level,
        declared=declared_from_form(proc, form),
    )
    fee = decide_fee(
        proc,
        current_app.extensions["catalogue"].policies,
        facts,
        online=True,
        on=today(),
        **units_from_form(proc, form),
    )
    now = utcnow()
    submission = filing.Submission(
        routing=routing,
        fee=fee,
        locked=locked,
        locked_hash=prefill.locked_hash(
            {**locked, **reuse.fingerprint(reuses)}, current_app.config["SECRET_KEY"]
        ),
        working_days=proc.processing.days,
        due=due_date(now, proc.processing.days, calendar=proc.processing.counting == "calendar"),
        reuses=tuple(reuses),
        delivery=delivery.decide(
            db.session,
            proc.code,
            draft.data,
            applicant=sources.applicant,
            office_code=routing.receiving_office_code or routing.office_code,
        ),
    )
    return sources, submission, problems


def _office_province(office_code: str, fallback: int) -> int:
    head = office_code.split(".", 1)[0]
    return int(head) if head.isdigit() else fallback


def _registry_date(field) -> date | None:
    value = (field or {}).get("value") if isinstance(field, dict) else field
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _notice_birth(sources) -> date | None:
    if sources.birth_notice:
        return date.fromisoformat(sources.birth_notice["birth_date"])
    return None


def _summary_url(code: str) -> str:
    return url_for("filing.step", code=code, step=SUMMARY_STEP)


def summary(proc):
    draft = filing.find_draft(db.session, current_user.personal_id, proc.code)
    if draft is None:
        return redirect(url_for("filing.start", code=proc.code))
    reuses = _reuses(proc)
    unmet = reuse.unmet(reuses)
    sources = None
    try:
        sources, submission, problems = _prepare(proc, draft, reuses)
    except (registry.RegistryError, LoginRefused) as exc:
        return _registry_problem(proc, exc, _summary_url(proc.code))
    except filing.FilingError as exc:
        problems, submission = exc.messages, None
    except RoutingError as exc:
        problems, submission = [str(exc)], None
    if submission is not None:  # the check ran: a refused draft leaves "Hồ sơ của tôi"
        filing.mark_eligibility(db.session, draft, bool(problems))
    if sources is not None:
        taken = filing.subject_problem(
            db.session, proc, draft, prefill.prefilled_values(proc, sources)
        )
        problems = [taken, *problems] if taken else problems
    files = uploads.files_of(db.session, filing.stored_id(draft))
    notices = prefill.notices_present(sources)
    return render_template(
        "portal/filing_summary.html",
        proc=proc,
        draft=draft,
        submission=submission,
        withheld=prefill.withheld_fields(proc, sources),
        problems=problems,
        missing=filing.missing_fields(draft, proc, submission.locked if submission else None),
        missing_uploads=uploads.missing(proc, files, unmet, notices),
        waived=uploads.waived_by_notice(proc, notices),
        files=files,
        steps=_steps(proc, unmet, notices),
        reused=[r for r in reuses if r.document],
        unmet=unmet,
        producers=_producers(),
    )


@bp.route("/nop-ho-so/<code>/nop", methods=["POST"])
@login_required
def submit(code: str):
    proc = _procedure(code)
    refused = _guard(proc)
    if refused:
        return refused
    draft = filing.find_draft(db.session, current_user.personal_id, proc.code)
    if draft is None:  # a replayed POST after the dossier was filed
        latest = _latest_filed(proc.code)
        return redirect(url_for("citizen.dossier", code=latest.code)) if latest else abort(404)
    changed = delivery.keep(db.session, draft, request.form)  # kept, whatever happens next
    try:
        reuses = _reuses(proc)  # checked again now: owner, signature, validity
        sources, submission, problems = _prepare(proc, draft, reuses)
        files = uploads.files_of(db.session, filing.stored_id(draft))
        unmet = reuse.unmet(reuses)
        notices = prefill.notices_present(sources)
        if (
            problems
            or filing.missing_fields(draft, proc, submission.locked)
            or uploads.missing(proc, files, unmet, notices)
        ):
            return redirect(url_for("filing.step", code=code, step=SUMMARY_STEP))
        if review := delivery.review_message(submission.delivery, changed):
            flash(review)  # an address to correct, or a postal charge not yet shown
            return redirect(url_for("filing.step", code=code, step=SUMMARY_STEP))
        dossier = filing.submit(
            db.session,
            draft,
            submission,
            procedure=proc,
            expected_hash=request.form.get("locked_hash", ""),
            now=utcnow(),
        )
    except (registry.RegistryError, LoginRefused) as exc:
        return _registry_problem(proc, exc, _summary_url(code))
    except filing.FilingError as exc:  # the registry data changed, the life event is taken…
        flash(exc.messages[0])
        return redirect(url_for("filing.step", code=code, step=SUMMARY_STEP))
    except RoutingError:  # the summary explains it
        return redirect(url_for("filing.step", code=code, step=SUMMARY_STEP))
    return redirect(url_for("citizen.dossier", code=dossier.code))


@bp.route("/ho-so-nhap/<int:draft_id>/xoa", methods=["GET", "POST"])
@login_required
def delete_draft(draft_id: int):
    """Ask, then delete the citizen's own draft and its files; anyone else's is a 404 and
    a submitted dossier is explained, never deleted."""
    try:
        draft = filing.own_draft(db.session, draft_id, current_user.personal_id)
        proc = current_app.extensions["catalogue"].get(draft.procedure_code)
        name = proc.name if proc else draft.procedure_code
        if request.method == "POST":
            filing.delete_draft(db.session, draft_id, current_user.personal_id, _upload_folder())
            flash(f"Đã xóa hồ sơ nháp: {name}.", "info")
            return redirect(url_for("citizen.dashboard") + "#ho-so-cua-toi")
    except filing.DraftNotFound:
        abort(404)
    except filing.FilingError as exc:
        found = db.session.get(Dossier, draft_id)
        page = render_template("portal/filing_delete.html", draft=found, refused=exc.messages[0])
        return page, 409
    return render_template("portal/filing_delete.html", draft=draft, name=name, refused=None)


def _latest_filed(code: str) -> Dossier | None:
    return dossiers.latest_filed(db.session, current_user.personal_id, code)


@bp.route("/tep/<token>")
@login_required
def attached_file(token: str):
    """A file of a dossier the signed-in citizen filed or is a party to; else a 404."""
    stored = access.party_file_or_404(token)  # the applicant and the parties see it all
    path = uploads.path_of(_upload_folder(), stored)
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=uploads.download_name(stored),
    )
