"""The shape of a procedure file (one TOML file per procedure) and of a province's
online zero-fee policy. Validated with pydantic on load; no Flask here.

Every fact carries how sure we are (`confidence`: law | secondary | unverified), as in
REFERENCE-VN.md, so an uncertain figure is visible in the data, not hidden in code.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from procedures.base import Confidence, Strict
from procedures.fee_schema import Fees
from procedures.link_schema import Link, check_links
from procedures.result_schema import Result

FieldType = Literal["text", "textarea", "date", "select", "personal_id", "number", "checkbox"]
ComponentSource = Literal["population", "data_store", "form", "upload"]
# What the other person a dossier names is to the applicant, as the registry can prove it.
Relation = Literal["spouse", "parent", "child", "sibling", "grandparent", "grandchild"]
# When the portal may show the other person's registry data to the applicant: once that
# person has consented (marriage), or once the registry proves the applicant is a relative.
PartnerDetails = Literal["after_consent", "relatives"]
# What one dossier of a procedure is about: at most one open dossier per procedure and
# subject, whoever files it. "request": every dossier is its own event (a certification).
SubjectKind = Literal["birth_notice", "deceased", "couple", "child", "applicant", "request"]
# Who the law makes competent (portal/services/routing.py has one function per rule):
# party_residence: the UBND xã where the applicant or a party (parent, spouse) has permanent
#   or temporary residence; deceased_residence: the deceased's last residence;
# address_field: the commune of an address the form gives (new permanent or temporary
#   residence); temporary_residence: the Công an xã of the applicant's registered temporary
#   residence (gia hạn, xóa đăng ký tạm trú: "cơ quan đã đăng ký tạm trú", Luật Cư trú 2020);
# province_of_residence: the province body of the applicant's residence;
# any_commune: any commune (chứng thực), the citizen's choice, residence by default.
RoutingRule = Literal[
    "party_residence",
    "deceased_residence",
    "address_field",
    "temporary_residence",
    "province_of_residence",
    "any_commune",
]

# Steps the portal adds itself (attachments, choice of commune, summary): not for fields.
RESERVED_STEPS = ("tep-dinh-kem", "noi-nop", "xem-lai")

# Paths a form field may be prefilled from; a path names registry data, locked in the form.
PREFILL_ROOTS = (
    "applicant",
    "spouse",
    "partner",
    "birth_notice",
    "death_notice",
    "father",
    "mother",
)


class FormField(Strict):
    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    type: FieldType = "text"
    required: bool = True
    hint: str | None = None
    prefill: str | None = None  # e.g. "applicant.full_name": locked, from the registry
    # With `prefill`: where the registry has no value (no electronic notice from the health
    # system, say), the citizen types it instead; whenever the registry has it, it is locked
    # (portal/services/prefill.py, `is_typed`). Not for partner.* paths: a withheld record
    # cannot be told from an absent one.
    typed_when_absent: bool = False
    default: str | None = None  # preset in a new draft (e.g. 1 copy); the citizen may change it
    options: list[str] = []
    max_length: int = 200
    max_value: int = Field(default=1000, ge=1)  # for type = "number": accepted 1..max_value
    step: str = Field(default="thong-tin", pattern=r"^[a-z][a-z0-9-]*$")  # its page (URL slug)

    @field_validator("step")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_STEPS or value == "nop":
            raise ValueError(f"step {value!r} is reserved by the portal")
        return value

    @field_validator("prefill")
    @classmethod
    def _known_root(cls, value: str | None) -> str | None:
        if value is not None and value.split(".")[0] not in PREFILL_ROOTS:
            raise ValueError(f"must start with one of {', '.join(PREFILL_ROOTS)}")
        return value

    @model_validator(mode="after")
    def _select_has_options(self) -> FormField:
        if self.type == "select" and not self.options:
            raise ValueError("a select field needs options")
        if self.default is not None and self.prefill:
            raise ValueError("a prefilled field takes its value from the registry, not a default")
        if self.typed_when_absent and not self.prefill:
            raise ValueError("typed_when_absent is for prefilled fields")
        if self.typed_when_absent and self.prefill and self.prefill.startswith("partner."):
            raise ValueError("typed_when_absent cannot be used on partner.* paths")
        return self


class Component(Strict):
    """A paper of the dossier (thành phần hồ sơ) and where the portal gets it."""

    name: str
    source: ComponentSource
    copies: int = 1
    replaces: str | None = None  # the paper the citizen no longer brings
    kind: str | None = None  # data-store document kind, for source = "data_store"
    # For source = "data_store" (portal/services/reuse.py): how many months from its day of
    # issue a document stays usable (None: no limit), and label → value its signed content
    # must state (e.g. the purpose written on a marital-status confirmation).
    valid_months: int | None = Field(default=None, ge=1, le=120)
    must_state: dict[str, str] = {}
    # For source = "upload": the paper an electronic notice of the health system stands in
    # for (the giấy báo tử, the giấy chứng sinh). Not asked when the registry gives the
    # applicant such a notice (the form is filled from it); asked otherwise.
    unless_notice: Literal["birth_notice", "death_notice"] | None = None

    @model_validator(mode="after")
    def _reuse_settings(self) -> Component:
        if self.source == "data_store" and not self.kind:
            raise ValueError("a data_store component needs kind: the result kind it reuses")
        if self.source != "data_store" and (self.kind or self.valid_months or self.must_state):
            raise ValueError("kind, valid_months and must_state are for data_store components")
        if self.unless_notice and self.source != "upload":
            raise ValueError("unless_notice is for upload components")
        return self


class Subject(Strict):
    """The life event a dossier is about and the form fields whose values name it (sorted,
    so the couple is the same whichever spouse files); no fields: the applicant."""

    kind: SubjectKind
    fields: list[str] = []


class Party(Strict):
    """People the dossier names besides the applicant (DESIGN.md "Parties"): each value of
    `fields` that is not the applicant's own number is a party."""

    role: str = Field(pattern=r"^[a-z_]{1,16}$")
    label: str  # what they are, for people: "Bên kết hôn còn lại"
    fields: list[str] = Field(min_length=1)  # personal-ID fields naming them
    name_fields: list[str] = []  # the matching full-name fields, same order
    # "required": confirms with their own VNeID before the office sees the dossier;
    # "informed": told, and follows the dossier from their dashboard.
    consent: Literal["required", "informed"]
    answer_within_working_days: int = Field(default=5, ge=1, le=30)


class InPerson(Strict):
    """A step the parties take at the office (marriage: both sign the register)."""

    what: str  # "Hai bên cùng có mặt ký Sổ hộ tịch và Giấy chứng nhận kết hôn"
    originals: list[str] = []  # papers to show there


class Eligibility(Strict):
    rule: str = Field(pattern=r"^[a-z_]+$")  # a named rule in portal/services/eligibility.py
    params: dict[str, int | str] = {}


class Processing(Strict):
    days: int = Field(ge=0)  # 0 = given immediately once the dossier is complete
    # Working days (Saturdays, Sundays and public holidays not counted) or calendar days
    # (LLTP: 10 days; a deadline falling on a day off moves to the next working day).
    counting: Literal["working", "calendar"] = "working"
    note: str | None = None
    confidence: Confidence = "secondary"

    @property
    def label(self) -> str:
        """ "7 ngày làm việc", "10 ngày", "Trong ngày"."""
        if self.days == 0:
            return "Trong ngày"
        return f"{self.days} ngày làm việc" if self.counting == "working" else f"{self.days} ngày"


class Routing(Strict):
    """How the law decides the competent body's office (portal/services/routing.py)."""

    rule: RoutingRule
    # address_field: the form field holding the ward code of the new (or temporary) address.
    field: str | None = None

    @model_validator(mode="after")
    def _field(self) -> Routing:
        if (self.rule == "address_field") != (self.field is not None):
            raise ValueError("field is required for rule address_field, and only there")
        return self


class Procedure(Strict):
    code: str = Field(pattern=r"^\d\.\d{6}$")
    version: int = Field(ge=1)
    name: str
    field: str  # lĩnh vực
    # The competent body, a key of procedures/authorities.toml (checked by the loader): it
    # processes, decides and signs.
    authority: str = Field(pattern=r"^[a-z_]+$")
    _level: Literal["commune", "province"] = PrivateAttr(default="commune")  # set on load
    routing: Routing
    processing: Processing
    legal_basis: list[str] = Field(min_length=1)
    service_level: Literal["toan_trinh", "mot_phan"]
    min_vneid_level: Literal[1, 2] = 2
    steps: list[str] = Field(min_length=1)
    conditions: list[str] = []  # yêu cầu, điều kiện, as text for the procedure page
    fields: list[FormField] = []
    components: list[Component] = Field(min_length=1)
    eligibility: list[Eligibility] = []
    fees: Fees
    result: Result
    # The typed personal-ID field naming the other person the dossier is about (the future
    # spouse, the deceased): their registry record is the `partner.*` prefill root.
    partner_field: str | None = None
    # Naming another person takes their full name too (and their birth date where the
    # procedure asks it): typed fields on the same step, checked against the registry by a
    # match check that answers only yes or no.
    partner_name_field: str | None = None
    partner_birth_date_field: str | None = None
    partner_details: PartnerDetails = "after_consent"
    partner_relations: list[Relation] = []  # for "relatives": [] = any relative listed above
    # Procedures done together (liên thông), each a part dossier of its own body
    # (procedures/link_schema.py).
    linked: list[Link] = []
    subject: Subject = Subject(kind="applicant")
    parties: list[Party] = []
    # Hộ tịch results: the draft goes to the parties before signing (silence for one
    # working day is consent).
    draft_confirmation: bool = False
    in_person: InPerson | None = None
    write_backs: list[str] = []  # registry changes the result triggers

    @model_validator(mode="after")
    def _coherent(self) -> Procedure:
        field = self.routing.field
        if field is not None and not any(f.name == field and not f.prefill for f in self.fields):
            raise ValueError(f"routing.field {field!r} must name a typed field of the form")
        names = [f.name for f in self.fields]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"duplicate field names: {sorted(duplicates)}")
        self._check_partner_field()
        self._check_parties(set(names))
        problems = self.routing_problems()
        if problems:
            raise ValueError("; ".join(problems))
        self.result.check_fields(set(names))
        problems = self.fees.form_problems({f.name: f.type for f in self.fields})
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _check_partner_field(self) -> None:
        uses_partner = any(f.prefill and f.prefill.startswith("partner.") for f in self.fields)
        if uses_partner and not self.partner_field:
            raise ValueError("fields use partner.* but partner_field is not set")
        named = (self.partner_name_field, self.partner_birth_date_field, self.partner_relations)
        if not self.partner_field:
            if any(named):
                raise ValueError("partner_name_field and the like need partner_field")
            return
        field = self._typed(self.partner_field)
        if field is None or field.type != "personal_id":
            raise ValueError("partner_field must name a typed personal_id field")
        name = self._typed(self.partner_name_field)
        if name is None or name.type != "text" or not name.name.endswith("full_name"):
            raise ValueError("partner_name_field must name a typed text field *_full_name")
        wanted = [name]
        if self.partner_birth_date_field:
            birth = self._typed(self.partner_birth_date_field)
            if birth is None or birth.type != "date":
                raise ValueError("partner_birth_date_field must name a typed date field")
            wanted.append(birth)
        if any(f.step != field.step or not f.required for f in wanted):
            raise ValueError(
                "the other person's name and birth date are required on the step "
                "that asks for their number"
            )
        if self.partner_relations and self.partner_details != "relatives":
            raise ValueError("partner_relations are for partner_details = 'relatives'")

    def _check_parties(self, names: set[str]) -> None:
        if self.subject.kind in ("applicant", "request") and self.subject.fields:
            raise ValueError(f"subject {self.subject.kind!r} takes no fields")
        if self.subject.kind not in ("applicant", "request") and not self.subject.fields:
            raise ValueError(f"subject {self.subject.kind!r} needs the fields that name it")
        named = set(self.subject.fields)
        for party in self.parties:
            if party.name_fields and len(party.name_fields) != len(party.fields):
                raise ValueError(f"party {party.role!r}: one name field per personal-ID field")
            named |= set(party.fields) | set(party.name_fields)
        if named - names:
            raise ValueError(f"subject and parties name unknown fields: {sorted(named - names)}")
        roles = [p.role for p in self.parties]
        if "applicant" in roles or len(set(roles)) != len(roles):
            raise ValueError("party roles must be distinct and not 'applicant'")

    def routing_problems(self, level: str | None = None) -> list[str]:
        """What keeps the routing rule from resolving (portal/services/routing.py reads what
        is checked here): deceased_residence reads the deceased's registry record, so the
        subject must be the deceased, named by personal-ID fields; province_of_residence
        needs a province body (`level`, the competent body's, known to the loader).
        address_field's field is checked with the form (_coherent)."""
        problems = []
        rule = self.routing.rule
        if rule == "deceased_residence":
            ids = {f.name for f in self.fields if f.type == "personal_id"}
            if self.subject.kind != "deceased" or not self.subject.fields:
                problems.append(
                    "routing.rule: deceased_residence needs subject kind 'deceased' named by "
                    f"a personal_id field (subject is {self.subject.kind!r})"
                )
            elif not set(self.subject.fields) <= ids:
                others = sorted(set(self.subject.fields) - ids)
                problems.append(
                    "routing.rule: deceased_residence needs the subject named by personal_id "
                    f"fields; subject.fields {others} are not"
                )
        if rule == "province_of_residence" and level not in (None, "province"):
            problems.append(
                f"routing.rule: province_of_residence needs a province body; "
                f"authority {self.authority!r} is a {level} body"
            )
        return problems

    def _typed(self, name: str | None) -> FormField | None:
        """The field `name` if the citizen may type it (typed_when_absent: when the registry
        has no value for it)."""
        found = next((f for f in self.fields if f.name == name), None)
        if found is None or (found.prefill and not found.typed_when_absent):
            return None
        return found

    @property
    def level(self) -> Literal["commune", "province"]:
        """The competent body's level (the loader sets it from authorities.toml)."""
        return self._level

    def steps_in_order(self) -> list[str]:
        """The filing steps (pages), in the order their first field appears."""
        return list(dict.fromkeys(f.step for f in self.fields))

    @field_validator("linked")
    @classmethod
    def _links(cls, value: list[Link], info: ValidationInfo) -> list[Link]:
        check_links(str(info.data.get("code", "")), value)
        return value
