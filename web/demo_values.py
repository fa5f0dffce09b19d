"""What a demo value looks like, field by field (``tmis demo``: web/demo.py).

A trainer shows the demo to people who know the real forms, so every value must be one a school
would enter: no placeholder (示例, 良好 in 籍贯), no salary of 0, a 教师资格 and a 专业技术职务 for
every teacher. Tables, not branches:
- ``TEXT``: a text field's key (or ``set.key`` where one key means different things in two sets)
  → the values to choose from, or a function of the random source;
- ``UNITS``: the words of a key that name a unit (任职单位名称, 考核单位名称 …);
- ``CODE``: a code field → a function choosing among the options the catalogue offers;
- ``SET_VALUES``: a set whose values hang together (基本待遇: the monthly amounts and the year's
  income) → a function filling them.
A text field in no table is left empty (it is optional; a required one the catalogue adds later
makes its record fail the catalogue's check, and the demo leaves that record out).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Sequence


@dataclass
class Draw:
    """What a value may depend on: the random source, faker, the person and the school."""

    rng: random.Random
    fake: Any
    birth: date
    school_type: str | None
    rural: bool = False

    def pick(self, values: Sequence[Any]) -> Any:
        return self.rng.choice(list(values))

    def digits(self, n: int) -> str:
        return "".join(str(self.rng.randrange(10)) for _ in range(n))


UNIVERSITIES = ("江西师范大学", "南昌大学", "赣南师范大学", "九江学院", "上饶师范学院", "宜春学院", "井冈山大学")
UNITS = ("南昌市东湖区第一小学", "南昌市育新学校", "九江市第一中学", "南昌市教育局", "九江市濂溪区教育体育局")
SUBJECT_FIELDS = ("教育学", "学科教学（语文）", "学科教学（数学）", "学科教学（英语）", "心理学", "课程与教学论")
RESEARCH_TITLES = ("小学数学核心素养的课堂落实研究", "农村小学阅读教学实践研究", "双减背景下作业设计研究",
                   "信息技术与学科教学融合的实践", "初中英语分层教学研究", "幼儿园游戏化课程建设研究")

TEXT: dict[str, Sequence[str] | Callable[[Draw], str]] = {
    "native_place": ("江西南昌", "江西九江", "江西赣州", "江西上饶", "江西吉安", "江西宜春", "湖南长沙", "安徽安庆"),
    "position": ("语文教师", "数学教师", "英语教师", "科学教师", "班主任", "教研组长", "音乐教师", "体育教师"),
    "institution": UNIVERSITIES,
    "degree_institution": UNIVERSITIES,
    "institution_name": ("江西省教育厅", "江西师范大学继续教育学院", "南昌市教师进修学院", "国家中小学智慧教育平台"),
    "major": ("汉语言文学", "数学与应用数学", "英语", "学前教育", "物理学", "体育教育", "小学教育", "音乐学"),
    "training.project_name": ("国培计划", "省级骨干教师培训", "校本研修", "信息技术应用能力提升工程2.0",
                              "新课标解读专题培训"),
    "overseas.project_name": ("国家公派访问学者项目", "中外教师交流项目"),
    "organizer_name": ("国家留学基金管理委员会", "江西省教育厅"),
    "research.project_name": RESEARCH_TITLES,
    "paper_title": RESEARCH_TITLES,
    "report_title": RESEARCH_TITLES,
    "book_name": ("小学语文阅读教学案例集", "初中数学解题方法研究", "幼儿园主题活动设计"),
    "award_name": ("江西省基础教育优秀教学成果奖", "南昌市优质课比赛", "全国中小学信息技术创新与实践活动"),
    "guidance_award_name": ("全国青少年科技创新大赛", "江西省中小学生作文大赛"),
    "art_name": ("校园合唱《我和我的祖国》", "书法作品《春江花月夜》"),
    "patent_name": ("一种教学用几何演示装置", "小学作业管理系统V1.0"),
    "journal_name": ("中小学数学", "语文建设", "江西教育", "中国教育学刊", "教育研究与评论"),
    "publisher": ("江西教育出版社", "人民教育出版社", "北京师范大学出版社"),
    "project_field": SUBJECT_FIELDS,
    "book_field": SUBJECT_FIELDS,
    "paper_field": SUBJECT_FIELDS,
    "patent_field": ("教育技术学", "计算机应用技术"),
    "project_number": lambda d: f"JXJG-{d.rng.randint(2015, 2024)}-{d.digits(3)}",
    "book_number": lambda d: f"ISBN 978-7-5392-{d.digits(4)}-{d.digits(1)}",
    "patent_number": lambda d: f"ZL{d.rng.randint(2015, 2024)}2{d.digits(7)}.{d.digits(1)}",
    "volume": lambda d: str(d.rng.randint(10, 45)),
    "issue": lambda d: str(d.rng.randint(1, 12)),
    "project_client": ("江西省教育科学规划领导小组办公室", "南昌市教育科学研究所"),
    "report_client": ("南昌市教育局", "江西省教育科学研究所"),
    "award_issuer": ("江西省教育厅", "南昌市教育局", "中国教育学会"),
    "standard_issuer": ("江西省市场监督管理局",),
    "standard_number": lambda d: f"DB36/T {d.rng.randint(1000, 1999)}-{d.rng.randint(2018, 2024)}",
    "medicine_cert_name": ("新药证书",),
    "rural_school_name": ("榆中县甘草店镇中心小学", "永登县红城镇中心小学", "九江市濂溪区乡村幼儿园"),
    "honour_description": ("年度考核优秀，被评为优秀教师", "教书育人成绩突出，被评为师德标兵"),
    "qualification.certificate_number": lambda d: f"{d.birth.year + 22}36{d.digits(13)}",
    "qualification.issuer": ("南昌市东湖区教育体育局", "九江市濂溪区教育体育局", "南昌市教育局"),
    "skills.certificate_number": lambda d: f"36{d.rng.randint(2008, 2023)}{d.digits(10)}",
    "skills.issuer": ("江西省语言文字工作委员会", "教育部教育考试院", "江西省人力资源和社会保障厅"),
    "certificate_name": ("全国计算机等级考试二级证书", "心理健康教育C证", "教师资格证书"),
    "jx.ce_certificate_number": lambda d: f"JXJX{d.rng.randint(2019, 2024)}{d.digits(8)}",
    "address": lambda d: d.fake.address()[:40],
    "phone": lambda d: "0791-" + d.digits(8),
    "mobile": lambda d: "1" + d.pick("3589") + d.digits(9),
    "email": lambda d: d.fake.user_name() + "@example.cn",
}
UNIT_WORDS = ("unit_name", "_unit")  # 任职单位名称, 考核单位名称, 原单位名称, 交流轮岗单位名称 …


def text(set_key: str, key: str, draw: Draw, required: bool = False) -> str | None:
    """A text value for a field, or None (left empty). A required field no table knows whose key
    ends in ``_name`` (a province's set, say) gets a unit's name: most such fields name one."""
    gen = TEXT.get(f"{set_key}.{key}") or TEXT.get(key)
    if gen is None and (any(w in key for w in UNIT_WORDS) or (required and key.endswith("_name"))):
        gen = UNITS
    if gen is None:
        return None
    return gen(draw) if callable(gen) else draw.pick(gen)


# ------------------------------------------------------------------ codes

# the 教师资格 a school's teachers hold (code table qualification_kind)
QUALIFICATION_BY_SCHOOL = {"kindergarten": "1", "primary": "2", "special": "2", "nine_year": "3", "junior": "3",
                           "senior": "4", "complete_secondary": "4", "vocational": "5"}


def _title(options: Sequence[str], label: Callable[[str], str], draw: Draw) -> str | None:
    """A 专业技术职务 of the school's kind (中小学/幼儿园: the 教师 titles of 2015, 中职: 讲师 ones),
    higher for older teachers."""
    word = "讲师" if draw.school_type == "vocational" else "教师"
    fitting = [o for o in options if label(o).endswith(word) and not label(o).startswith(("中学", "小学", "幼儿园"))]
    if not fitting:
        return None
    age = date.today().year - draw.birth.year
    rank = 0 if age >= 50 else 1 if age >= 40 else 2 if age >= 30 else 3
    return fitting[min(rank + 1, len(fitting) - 1)] if draw.rng.random() < 0.8 else draw.pick(fitting)


def _qualification(options: Sequence[str], label: Callable[[str], str], draw: Draw) -> str | None:
    kind = QUALIFICATION_BY_SCHOOL.get(draw.school_type or "")
    return kind if kind in options else None


def _birth_place(options: Sequence[str], label: Callable[[str], str], draw: Draw) -> str | None:
    """A county of 江西 (the demo province), never a code marked abolished."""
    here = [o for o in options if o.startswith("36") and not o.endswith("00") and "已撤销" not in label(o)]
    return draw.pick(here) if here else None


CODE: dict[str, Callable[[Sequence[str], Callable[[str], str], Draw], str | None]] = {
    "title.title": _title,
    "qualification.kind": _qualification,
    "birth_place": _birth_place,
}


def code(set_key: str, key: str, options: Sequence[str], label: Callable[[str], str], draw: Draw) -> str | None:
    """A code from ``CODE``, or None when the field is not listed there (the caller picks at random)."""
    choose = CODE.get(f"{set_key}.{key}") or CODE.get(key)
    return choose(options, label, draw) if choose is not None else None


# ------------------------------------------------------------------ sets whose values hang together


def _salary(record: dict[str, Any], draw: Draw) -> None:
    """基本待遇: a teacher's monthly pay in 江西 (元), and the year's income as twelve months of it."""
    monthly = {"basic_pay": draw.rng.randint(28, 48) * 100, "performance_pay": draw.rng.randint(15, 35) * 100,
               "rural_allowance": draw.rng.randint(3, 8) * 100 if draw.rural else 0,
               "other_allowance": draw.rng.randint(3, 12) * 100, "other_pay": draw.rng.randint(0, 3) * 100}
    for key, amount in monthly.items():
        record[key] = float(amount)
    record["annual_income"] = float(sum(monthly.values()) * 12 + draw.rng.randint(0, 10) * 1000)


SET_VALUES: dict[str, Callable[[dict[str, Any], Draw], None]] = {"salary": _salary}

# sets every demo teacher has real records of (not a 无 record): the ones a trainer shows first
ALWAYS_FILLED = frozenset({"education", "title", "qualification"})
# sets of which a demo teacher has one record (a second 教师资格 of the same kind reads as a mistake)
ONE_RECORD = frozenset({"qualification", "salary"})
