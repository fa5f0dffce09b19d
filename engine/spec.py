"""Strict typed models of the YAML language (the output of the *load* stage).

Every model forbids unknown keys; the loader turns pydantic's complaints into
catalogue errors with file, line and a "did you mean". Each model that a person
writes carries ``loc`` (file:line), filled in by the loader, so later stages can
cite where a definition came from without re-reading files.

The language itself is documented in ``docs/rule-language.md``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from engine.source import SourceLoc

KEY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$"
Key = Annotated[str, Field(pattern=KEY_PATTERN)]
Cel = str  # a CEL expression; checked by the compile stage


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)
    loc: SourceLoc = Field(default_factory=SourceLoc.unknown, exclude=True, repr=False)
    _raw: Any = PrivateAttr(default=None)  # the parsed YAML mapping (engine.source.LocDict), for where()

    def where(self, *path: Any) -> SourceLoc:
        """file:line:column of the key (or list item) at ``path`` inside this definition, e.g.
        ``field.where("codes")`` or ``overlay.where("routes", "first_submission")``; the
        definition's own place when the path was not written."""
        if self._raw is None or not path:
            return self.loc
        node, best = self._raw, None
        for part in path:
            if isinstance(node, dict) and part in node:
                best = node.key_locs.get(part) if hasattr(node, "key_locs") else None
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node) and hasattr(node, "item_locs"):
                best = node.item_locs[part]
                node = node[part]
            else:
                break
        return best or self.loc


class Text(Strict):
    """A label in both languages; Chinese is required, English falls back to Chinese."""

    zh: str
    en: str | None = None

    def get(self, lang: str) -> str:
        return (self.en or self.zh) if lang == "en" else self.zh


FieldTypeName = Literal[
    "text", "integer", "decimal", "date", "year_month", "year", "boolean",
    "code", "codes", "photo", "attachment", "derived",
]
Severity = Literal["error", "warning"]
Cardinality = Literal["one", "many"]
FilledBy = Literal["teacher", "school", "authority"]
Level = Literal["school", "county", "city", "province"]
LEVEL_ORDER: tuple[Level, ...] = ("school", "county", "city", "province")


class Cascade(Strict):
    """A code field whose options depend on another field's value.

    ``by: parent``: options are the descendants of the chosen value in the table's tree.
    ``by: when``: options are items whose ``when`` list contains the chosen value
    (items without ``when`` are always offered).
    """

    field: Key
    by: Literal["parent", "when"] = "when"


class Derived(Strict):
    """A value copied from another set of the same teacher (read-only in forms).

    Picks one record of ``from_set`` (skipping "无" records and records whose ``by`` value is
    empty or listed in ``skip``): the one with the smallest (``choose: min``) or largest
    (``choose: max``) value of ``by``, and reads ``field``.
    """

    from_set: Key
    field: Key
    by: Key
    choose: Literal["min", "max"] = "min"
    skip: list[str] = []


class Variant(Strict):
    """What changes in a field for one school-type family (e.g. 进本园年月 for kindergartens)."""

    label: Text | None = None
    help: Text | None = None
    required: bool | Cel | None = None
    codes: Key | None = None


class Default(Strict):
    cel: Cel


class PhotoRule(Strict):
    """What a ``photo`` field stores: a picture ``width_mm`` × ``height_mm`` when printed at
    ``dpi`` (so exactly ``pixels`` in size), as a JPG of at most ``max_kb`` KB. The one place
    the rule is stated: the cropper makes it, the forms accept only it, the help shows it."""

    width_mm: float = Field(gt=0, le=200)
    height_mm: float = Field(gt=0, le=200)
    dpi: int = Field(ge=72, le=1200)
    max_kb: int = Field(ge=10, le=10_240)

    @property
    def pixels(self) -> tuple[int, int]:
        return round(self.width_mm / 25.4 * self.dpi), round(self.height_mm / 25.4 * self.dpi)

    def describe(self, lang: str = "zh") -> str:
        """The rule in words: 2.5cm×3.1cm（197×244 像素，200dpi），JPG，不超过 60KB."""
        w, h = self.pixels
        cm, cm_h = f"{self.width_mm / 10:g}", f"{self.height_mm / 10:g}"
        if lang == "en":
            return f"{cm} cm × {cm_h} cm ({w}×{h} px at {self.dpi} dpi), JPG, at most {self.max_kb} KB"
        return f"{cm}cm×{cm_h}cm（{w}×{h} 像素，{self.dpi}dpi），JPG，不超过 {self.max_kb}KB"


class FieldSpec(Strict):
    key: Key
    label: Text
    help: Text | None = None
    type: FieldTypeName
    required: bool | Cel = False
    shown: Cel | None = None
    default: str | int | float | bool | list[str] | Default | None = None
    # constraints (each applies only to the types where it makes sense; see engine.fieldtypes)
    max_length: int | None = Field(default=None, ge=1)
    min_length: int | None = Field(default=None, ge=0)
    pattern: str | None = None
    example: str | None = None  # a value that is right, shown when one does not match ``pattern``
    min: float | None = None
    max: float | None = None
    places: int | None = Field(default=None, ge=0, le=6)
    codes: Key | None = None
    exclusive: list[str] = []
    cascade: Cascade | None = None
    derived: Derived | None = None
    photo: PhotoRule | None = None  # type photo: the photo rule (engine.spec.PhotoRule)
    personal: bool = False
    readonly: bool = False
    # a read-only field whose value says a business wrote the whole record (国内培训 from the credit
    # bank): such a record is neither changed nor deleted by people (web.services.records, W659)
    owns_record: bool = False
    # who fills this field when it is not the set's filler (a province's ``fields_filled_by``): a field
    # given to the teacher is the teacher's alone (the school's form shows it read-only); None: the set's
    filled_by: Literal["teacher", "school"] | None = None
    school_types: list[str] | None = None  # families or school types; None = all
    variants: dict[str, Variant] = {}
    note: str | None = None  # for definers: uncertainty, source; never shown to users

    @model_validator(mode="before")
    @classmethod
    def _required_when(cls, data: Any) -> Any:
        """``required_when: <expression>`` is ``required: <expression>`` said plainly."""
        if isinstance(data, dict) and "required_when" in data:
            if data.get("required") not in (None, False):
                raise ValueError("write either 'required' or 'required_when', not both")
            data = {k: v for k, v in data.items() if k != "required_when"} | {"required": data["required_when"]}
            if not isinstance(data["required"], str):
                raise ValueError("'required_when' takes an expression, e.g. required_when: record.x == \"1\"")
        return data

    @model_validator(mode="after")
    def _type_needs(self) -> "FieldSpec":
        if self.type in ("code", "codes") and not self.codes:
            raise ValueError(f"field '{self.key}' of type {self.type} needs 'codes: <table>'")
        if self.type == "derived" and not self.derived:
            raise ValueError(f"field '{self.key}' of type derived needs 'derived: {{from_set, field, by}}'")
        if self.exclusive and self.type != "codes":
            raise ValueError(f"'exclusive' is for type codes, not {self.type}")
        if self.type == "photo" and self.photo is None:
            raise ValueError(f"field '{self.key}' of type photo needs 'photo: {{width_mm, height_mm, dpi, max_kb}}'")
        if self.photo is not None and self.type != "photo":
            raise ValueError(f"'photo' is for type photo, not {self.type}")
        return self


class Section(Strict):
    key: Key
    label: Text
    fields: list[FieldSpec]


class NoneConvention(Strict):
    """The 无 convention: choosing ``code`` in ``field`` clears and locks the other fields."""

    field: Key
    code: str = "0"


class RuleSpec(Strict):
    """A CEL assertion. Variables: record, records, file, today, this_year, school_type, unit.

    The rule passes when any ``record.<field>`` it reads is empty (``required`` covers
    emptiness), unless ``on_empty: check``.
    """

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")]
    set: Key | None = None  # implied for rules written inside a set file
    assert_: Cel = Field(alias="assert")
    when: Cel | None = None
    fields: list[Key] = []
    severity: Severity = "error"
    message: Text
    school_types: list[str] | None = None
    on_empty: Literal["pass", "check"] = "pass"

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True
    )


class SetSpec(Strict):
    set: Key
    label: Text
    cardinality: Cardinality
    filled_by: FilledBy
    order: int
    school_types: list[str] | None = None
    help: Text | None = None
    none: NoneConvention | None = None
    fields: list[FieldSpec] = []
    sections: list[Section] = []
    rules: list[RuleSpec] = []
    note: str | None = None

    @model_validator(mode="after")
    def _fields_or_sections(self) -> "SetSpec":
        if bool(self.fields) == bool(self.sections):
            raise ValueError("a set has either 'fields' or 'sections' (with fields inside), exactly one of them")
        return self

    def all_fields(self) -> list[FieldSpec]:
        if self.fields:
            return list(self.fields)
        return [f for s in self.sections for f in s.fields]

    def filler(self, f: FieldSpec) -> str:
        """Who fills field ``f``: its own ``filled_by`` (given field by field), else the set's."""
        return f.filled_by or self.filled_by

    def teacher_fills_any(self) -> bool:
        """Does the teacher fill anything here: the whole set, or fields given to the teacher?"""
        return self.filled_by == "teacher" or any(f.filled_by == "teacher" for f in self.all_fields())

    def not_fillable_by(self, side: str) -> frozenset[str]:
        """Keys of the fields ``side`` ("teacher", or "school" for the school's staff) may not fill: a
        teacher fills only what is the teacher's; the school fills everything but the fields given to
        the teacher one by one (a set the teacher fills as a whole, the school may fill too: it files
        teachers who have no account)."""
        if side == "teacher":
            return frozenset(f.key for f in self.all_fields() if self.filler(f) != "teacher")
        return frozenset(f.key for f in self.all_fields() if f.filled_by == "teacher")


class CodeItem(Strict):
    code: str
    zh: str
    en: str | None = None
    aliases: list[str] = []
    parent: str | None = None
    selectable: bool = True
    when: list[str] | None = None
    note: str | None = None

    @field_validator("code", "parent", mode="before")
    @classmethod
    def _as_text(cls, v: Any) -> Any:
        # YAML reads 01 as 1 and 10 as an int; codes are always text.
        return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


class CodeTable(Strict):
    table: Key
    label: Text
    standard: str | None = None
    hierarchical: bool = False
    parent_selectable: bool = True
    note: str | None = None
    items: list[CodeItem]


class CodeFile(Strict):
    tables: list[CodeTable]


class RuleFile(Strict):
    rules: list[RuleSpec]


class RouteStep(Strict):
    level: Level
    roles: list[Key]


class Route(Strict):
    steps: list[RouteStep]


RouteKind = Literal["first_submission", "addition", "change"]


class RoutesFile(Strict):
    routes: dict[RouteKind, Route]


class SchoolType(Strict):
    key: Key
    label: Text
    family: Key
    code: str | None = None  # JY/T 1001 办学类型 code, for reference


class Family(Strict):
    key: Key
    label: Text


class SchoolTypesFile(Strict):
    families: list[Family]
    school_types: list[SchoolType]


class Permission(Strict):
    key: Key
    label: Text


class RoleSpec(Strict):
    """A role a unit's account may hold; ``levels`` are the unit levels where it exists."""

    key: Key
    label: Text
    levels: list[Literal["ministry", "province", "city", "county", "school"]]
    permissions: list[Key]
    # Separation of duties: an account holds roles of one duty only (system: accounts and
    # permissions; data: teachers' files; self: a teacher's own file; audit: reading the audit log).
    duty: Literal["system", "data", "self", "audit", "institution"]
    single_per_unit: bool = False


class RolesFile(Strict):
    permissions: list[Permission] = []
    roles: list[RoleSpec]


# ---------------------------------------------------------------- overlays


class FieldPatch(Strict):
    """Tightening of one existing field: constraints may only get stricter."""

    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None
    min: float | None = None
    max: float | None = None
    help: Text | None = None
    example: str | None = None
    required_when: Cel | None = None  # an optional national field becomes required when this holds


class AddedField(FieldSpec):
    after: Key | None = None  # None: at the end of the set


class SetOverlay(Strict):
    filled_by: Literal["teacher", "school"] | None = None  # who fills the set in this province (seed 003)
    # who fills single fields, by key: ``fields_filled_by: {email: teacher}`` (the others: the set's filler)
    fields_filled_by: dict[Key, Literal["teacher", "school"]] = {}
    add_fields: list[AddedField] = []
    relabel: dict[Key, Text] = {}
    hide: list[Key] = []
    require: list[Key] = []
    tighten_fields: dict[Key, FieldPatch] = {}


class RuleTightening(Strict):
    """Makes a national rule stricter: a warning may become an error; ``also`` adds a conjunct."""

    id: str
    severity: Severity | None = None
    also: Cel | None = None
    message: Text | None = None


class TeacherNumber(Strict):
    """Format with parts {region}, {unit}, {seq}, each with a width: "{region:6}{unit:8}{seq:4}"."""

    format: str
    label: Text | None = None


class ModuleSwitch(Strict):
    """A province's choice about one business module (``modules: {transfer: {enabled: false}}``)."""

    enabled: bool = True


class Overlay(Strict):
    """``provinces/<code>/overlay.yaml`` (and a module's ``module.yaml``).

    A module's file also says its ``version``; its ``name`` is the module's label. A province's
    file may switch modules on or off with ``modules`` (a module it does not name is enabled)."""

    province: str | None = None
    module: Key | None = None
    name: Text
    version: str | None = None
    modules: dict[Key, ModuleSwitch] = {}
    extends: Literal["national"] = "national"
    namespace: Key
    sets: dict[Key, SetOverlay] = {}
    add_codes: dict[Key, list[CodeItem]] = {}
    tighten_rules: list[RuleTightening] = []
    routes: dict[RouteKind, Route | list[Level]] = {}
    teacher_number: TeacherNumber | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _one_owner(self) -> "Overlay":
        if bool(self.province) == bool(self.module):
            raise ValueError("an overlay names exactly one of 'province' or 'module'")
        if self.module and self.modules:
            raise ValueError("'modules' (which modules are enabled) belongs in a province's overlay")
        if self.module and not self.version:
            raise ValueError("a module's module.yaml names its 'version' (e.g. version: \"1.0\")")
        return self
