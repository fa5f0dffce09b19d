"""The generated forms over real HTTP (Litestar test client, real database, real engine)."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image
from sqlalchemy import select

from tests.forms.conftest import csrf_of, four_items, post_form
from web.db.models import AuditEntry, Record
from web.forms import photo as photos

SCHOOL = "3601020001"


def teacher_client(as_user, world, i=0):
    tid = world.teachers[SCHOOL][i]
    return tid, as_user(world.teacher_usernames[tid])


def manager_client(as_user, world, i=0):
    """The school's 信息管理员 on a teacher's file: every field of 基本信息 is an input (a teacher
    account gets the identity items as text: test_ui_teacher_file)."""
    return world.teachers[SCHOOL][i], as_user(f"info_manager@{SCHOOL}")


def valid_basic(world, tid, db) -> dict:
    """The stored four items plus every other required field, as a form would post them."""
    doc = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic")).document
    return {**{k: str(v) for k, v in doc.items()}, "former_name": "无", "nationality": "156", "id_type": "1",
            "ethnic_group": "01", "political_status": "13", "work_start_month": "2008-09",
            "entry_month": "2012-09", "staff_source": "11", "staff_category": "11", "on_establishment": "true",
            "contract": "1", "normal_major": "true", "special_ed_trained": "false",
            "special_ed_certificate": "false", "it_ability": "2", "free_normal_student": "0",
            "grassroots_service": "0", "special_grade_teacher": "false", "backbone_teacher": "false",
            "psych_teacher": "0", "person_status": "100", "staff_number": "0"}


def test_basic_form_has_every_label_from_the_yaml_with_required_marks_and_help(as_user, world, ctx):
    tid, c = manager_client(as_user, world)
    html = c.get(f"/forms/teachers/{tid}/sets/basic").text
    view = ctx.catalogue.view("basic", "primary")
    for f in view.fields:
        if f.spec.shown is None:  # conditional fields appear when their condition holds (see below)
            assert f.label("zh") in html, f.key
    assert "参加基层服务项目起始年月" not in html  # shown only when 是否参加基层服务项目 ≠ 否
    assert re.search(r'class="flabel required" for="f-id_number"', html)
    assert "港澳台居民居住证号（810000、820000、830000开头）都是18位" in html  # help text from the YAML
    assert 'name="political_status"' in html and 'type="checkbox"' in html  # multiple codes
    assert 'hx-get="/forms/options/region' in html  # 3,000+ regions: search as you type
    assert "引自「学习经历」" in html  # derived field with its source
    en = c.get(f"/forms/teachers/{tid}/sets/basic?lang=en").text
    assert "Identity document number" in en and "Save" in en


def test_invalid_id_number_is_refused_at_the_field_and_everything_typed_comes_back(as_user, world, ctx):
    tid, c = manager_client(as_user, world)
    with ctx.sessions() as db:
        data = valid_basic(world, tid, db)
    data.update(id_number="360102198503140000", remark="我写的备注", entry_month="2012-13")
    url = f"/forms/teachers/{tid}/sets/basic"
    r = post_form(c, url, url, {**data, "_fields": ",".join(data)})
    assert r.status_code == 422
    html = r.text
    assert "未保存" in html
    field = html[html.index('data-key="id_number"'):]
    field = field[:field.index('data-key="birth_date"')]
    assert "msg-error" in field and "basic.id_valid" in field
    assert 'value="360102198503140000"' in html and "我写的备注" in html
    assert 'value="2012-13"' in html  # an unreadable month is drawn back exactly as typed
    with ctx.sessions() as db:  # nothing saved
        doc = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic")).document
        assert doc.get("remark") != "我写的备注"


def test_valid_basic_is_saved_with_audit_and_a_new_version(as_user, world, ctx):
    tid, c = teacher_client(as_user, world, 1)
    with ctx.sessions() as db:
        data = valid_basic(world, tid, db)
        before = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic")).version
    url = f"/forms/teachers/{tid}/sets/basic"
    r = post_form(c, url, url, {**data, "_fields": ",".join(data), "_version": str(before)})
    assert r.status_code == 303, r.text[-2000:]
    assert "saved=1" in r.headers["location"]
    with ctx.sessions() as db:
        rec = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic"))
        assert rec.version == before + 1 and rec.document["entry_month"] == "2012-09"
        entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "record.update",
                                                    AuditEntry.target_id == str(rec.id))).all()[-1]
        assert entry.detail["set"] == "basic"
        assert world.teacher_usernames[tid] not in str(entry.detail)  # personal values never in the log
    # the same stale version again: refused, typed values kept
    r = post_form(c, url, url, {**data, "remark": "第二次", "_fields": ",".join(data) + ",remark",
                                "_version": str(before)})
    assert r.status_code == 422 and "已被他人修改" in r.text and "第二次" in r.text


def test_validate_on_leaving_a_field_returns_that_fields_messages(as_user, world):
    tid, c = teacher_client(as_user, world)
    page = c.get(f"/forms/teachers/{tid}/sets/basic").text
    r = c.post(f"/forms/teachers/{tid}/sets/basic/validate?field=id_number",
               data={"id_number": "12345", "_fields": "id_number"}, headers={"x-csrftoken": csrf_of(page)})
    assert r.status_code == 200
    assert 'id="msg-f-id_number"' in r.text and "msg-error" in r.text
    ok = c.post(f"/forms/teachers/{tid}/sets/basic/validate?field=id_number",
                data={"id_number": world.teacher_usernames[tid], "_fields": "id_number"},
                headers={"x-csrftoken": csrf_of(page)})
    assert "msg-error" not in ok.text


def test_refresh_applies_shown_when_none_convention_and_defaults(as_user, world):
    tid, c = manager_client(as_user, world)
    page = c.get(f"/forms/teachers/{tid}/sets/basic").text
    h = {"x-csrftoken": csrf_of(page)}
    # 国籍 ≠ 中国: 民族 and 政治面貌 disappear
    r = c.post(f"/forms/teachers/{tid}/sets/basic/refresh",
               data={"nationality": "840", "ethnic_group": "01", "_fields": "nationality,ethnic_group"}, headers=h)
    assert r.status_code == 200 and 'id="set-form"' in r.text
    assert 'data-key="ethnic_group"' not in r.text
    # 出生日期 follows the ID number as it is typed
    idn = four_items()["id_number"]
    r = c.post(f"/forms/teachers/{tid}/sets/basic/refresh",
               data={"id_type": "1", "id_number": idn, "birth_date": "", "_fields": "id_type,id_number,birth_date"},
               headers=h)
    assert f'value="{idn[6:10]}-{idn[10:12]}-{idn[12:14]}"' in r.text
    # 学习经历 with 学历 "无": the other fields are cleared and locked
    new = c.get(f"/forms/teachers/{tid}/sets/education/new").text
    r = c.post(f"/forms/teachers/{tid}/sets/education/refresh",
               data={"edu_level": "0", "institution": "某大学", "_fields": "edu_level,institution"},
               headers={"x-csrftoken": csrf_of(new)})
    inst = r.text[r.text.index('data-key="institution"'):][:800]
    assert "locked" in r.text[r.text.index('data-key="institution"') - 60:r.text.index('data-key="institution"')]
    assert "disabled" in inst and "某大学" not in inst


def test_exclusive_code_clears_the_others_when_ticked(as_user, world):
    tid, c = teacher_client(as_user, world)
    page = c.get(f"/forms/teachers/{tid}/sets/basic").text
    r = c.post(f"/forms/teachers/{tid}/sets/basic/refresh",
               data={"nationality": "156", "political_status": ["01", "13"], "_fields": "nationality,political_status"},
               headers={"x-csrftoken": csrf_of(page), "HX-Trigger": "f-political_status-13"})
    assert re.search(r'id="f-political_status-13" value="13" checked', r.text)
    assert not re.search(r'id="f-political_status-01" value="01" checked', r.text)


def test_teacher_cannot_edit_school_sets_nor_other_teachers(as_user, world):
    tid, c = teacher_client(as_user, world)
    page = c.get(f"/forms/teachers/{tid}/sets/assessment")
    assert page.status_code == 200 and "此信息由学校填写" in page.text and 'id="add-record"' not in page.text
    r = c.get(f"/forms/teachers/{tid}/sets/assessment/new")
    assert r.status_code == 403
    other = world.teachers[SCHOOL][1]
    assert c.get(f"/forms/teachers/{other}/sets/basic").status_code == 404
    assert ">报送<" not in c.get(f"/forms/teachers/{tid}/sets/basic").text  # teachers only 保存


def test_manager_adds_assessment_and_completeness_lists_problems_with_links(as_user, world):
    c = as_user("info_manager@3601020001")
    tid = world.teachers[SCHOOL][2]
    url = f"/forms/teachers/{tid}/sets/assessment/new"
    r = post_form(c, url, url, {"year": "2023", "result": "1", "unit_name": "东湖区第一小学",
                                "_fields": "year,result,unit_name"})
    assert r.status_code == 303, r.text[-1500:]
    table = c.get(f"/forms/teachers/{tid}/sets/assessment").text
    assert "优秀" in table and "2023" in table
    report = c.get(f"/forms/teachers/{tid}/completeness").text
    assert "完整性检测结果" in report
    assert f'href="/forms/teachers/{tid}/sets/education"' in report  # no 学习经历 record yet
    assert f"/forms/teachers/{tid}/sets/basic#f-work_start_month" in report  # a required field left empty
    many = post_form(c, "/forms/teachers", "/forms/completeness",
                     {"teacher": [str(t) for t in world.teachers[SCHOOL]]})
    assert many.status_code == 200 and many.text.count('class="card checkcard') == 3
    listing = c.get("/forms/teachers?complete=no").text
    assert "处错误" in listing


def test_manager_of_another_county_sees_nothing(as_user, world):
    c = as_user("info_manager@360103")
    tid = world.teachers[SCHOOL][0]
    assert c.get(f"/forms/teachers/{tid}/sets/basic").status_code == 404
    assert c.get(f"/api/v1/teachers/{tid}/sets/basic").status_code == 404
    assert f'href="/forms/teachers/{tid}/sets/basic"' not in c.get("/forms/teachers").text


def test_viewer_sees_masked_personal_data_read_only(as_user, world):
    c = as_user("info_viewer@360102")
    tid = world.teachers[SCHOOL][0]
    html = c.get(f"/forms/teachers/{tid}/sets/basic").text
    assert world.teacher_usernames[tid] not in html and 'id="save"' not in html


def test_api_create_update_delete_with_structured_errors_and_optimistic_locking(as_user, world):
    c = as_user("info_manager@360102")
    tid = world.teachers[SCHOOL][1]
    base = f"/api/v1/teachers/{tid}/sets/assessment"
    bad = c.post(base, json={"values": {"year": "1800", "result": "优秀"}})
    assert bad.status_code == 422
    body = bad.json()
    assert body["code"] == "V000" and {"field", "rule", "severity", "message", "message_en"} <= set(body["errors"][0])
    made = c.post(base, json={"values": {"year": 2022, "result": "优秀", "unit_name": "东湖区第一小学"}})
    assert made.status_code == 201, made.text
    rec = made.json()
    assert rec["values"]["result"] == "1"  # a label became its code
    upd = c.http.put(f"{base}/records/{rec['id']}", json={"values": {"result": "2"}, "version": rec["version"]})
    assert upd.status_code == 200 and upd.json()["version"] == rec["version"] + 1
    stale = c.http.put(f"{base}/records/{rec['id']}", json={"values": {"result": "3"}, "version": rec["version"]})
    assert stale.status_code == 409 and stale.json()["current_version"] == rec["version"] + 1
    listed = c.get(base).json()
    assert any(r["id"] == rec["id"] and r["values"]["result"] == "2" for r in listed["records"])
    gone = c.delete(f"{base}/records/{rec['id']}", headers={"If-Match": str(rec["version"] + 1)})
    assert gone.status_code == 200
    assert all(r["id"] != rec["id"] for r in c.get(base).json()["records"])


def test_api_teacher_may_not_write_school_sets(as_user, world):
    tid, c = teacher_client(as_user, world)
    r = c.post(f"/api/v1/teachers/{tid}/sets/assessment", json={"values": {"year": 2022, "result": "1"}})
    assert r.status_code == 403


def test_option_search_finds_regions_by_name_and_code(as_user, world):
    c = as_user("info_manager@360102")
    r = c.get("/forms/options/region", params={"q": "东湖", "field": "f-birth_place"})
    assert "江西省 / 南昌市 / 东湖区" in r.text and 'data-code="360102"' in r.text
    r = c.get("/forms/options/region", params={"q": "3601", "field": "f-birth_place"})
    assert r.text.index('data-code="360100"') < r.text.index('data-code="360102"')
    assert "还有" in c.get("/forms/options/region", params={"q": "", "field": "x"}).text


def test_the_photo_rule_is_the_seeds_and_stated_once(ctx):
    """Issue 20.16: seed 003's 2.5 cm × 3.1 cm at 200 dpi (197×244 px), JPG, ≤ 60 KB, in one place:
    the photo field's ``photo:`` in the YAML; its help does not restate it."""
    field = next(f for f in ctx.catalogue.view("basic", "primary").fields if f.spec.type == "photo")
    rule = field.spec.photo
    assert (rule.width_mm, rule.height_mm, rule.dpi, rule.max_kb) == (25, 31, 200, 60)
    assert rule.pixels == (197, 244)
    assert rule.describe("zh") == "2.5cm×3.1cm（197×244 像素，200dpi），JPG，不超过 60KB"
    assert not any(x in field.spec.help.get(lang) for lang in ("zh", "en") for x in ("mm", "dpi", "KB", "cm"))


def test_photo_upload_is_cropped_resized_and_compressed_to_the_national_rule(as_user, world, ctx):
    tid, c = teacher_client(as_user, world)
    page = c.get(f"/forms/teachers/{tid}/sets/basic").text
    # the rule is shown beside the upload, as the catalogue states it (no other numbers)
    assert "照片规格：2.5cm×3.1cm（197×244 像素，200dpi），JPG，不超过 60KB" in page
    assert "154×189" not in page and "26mm" not in page
    img = Image.effect_noise((1800, 1200), 60).convert("RGB")  # a big, wide, noisy picture
    buf = io.BytesIO()
    img.save(buf, "PNG")
    r = c.post(f"/forms/teachers/{tid}/sets/basic/photo", files={"upload": ("me.png", buf.getvalue(), "image/png")},
               headers={"x-csrftoken": csrf_of(page)})
    assert r.status_code == 200 and "照片已按标准处理" in r.text
    url = re.search(r'src="(data:image/jpeg;base64,[^"]+)"', r.text).group(1)
    stored = photos.describe(url)
    assert stored is not None and len(stored.jpeg) <= 60 * 1024
    assert (stored.width, stored.height, stored.dpi) == (197, 244, 200)
    assert "照片规格：2.5cm×3.1cm" in r.text
    bad = c.post(f"/forms/teachers/{tid}/sets/basic/photo", files={"upload": ("x.txt", b"hello", "text/plain")},
                 headers={"x-csrftoken": csrf_of(page)})
    assert "无法识别的图片" in bad.text


@pytest.mark.parametrize("size", [(4000, 3000), (300, 400), (120, 150)])
def test_photo_rule_for_any_size(size, ctx):
    rule = next(f.spec.photo for f in ctx.catalogue.view("basic", "primary").fields if f.spec.type == "photo")
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 180, 160)).save(buf, "JPEG")
    p = photos.process(buf.getvalue(), rule)
    assert len(p.jpeg) <= rule.max_kb * 1024 and (p.width, p.height) == rule.pixels == (197, 244)
    assert photos.conforms(p.data_url, rule)


def test_a_saved_photo_must_be_one_made_to_the_rule(as_user, world, ctx):
    """The validation side of the rule: a photo of another size sent with the form is not stored
    (what is on record stays); one the cropper made is."""
    from web.services import teachers as teacher_service
    from web.services import units as unit_service

    with ctx.sessions() as db:  # a teacher of its own: the world's are checked as they were made
        items = teacher_service.FourItems.parse(**four_items(SCHOOL[:6], "照片教师"))
        tid = teacher_service.create_raw(db, unit_service.by_code(db, SCHOOL), items,
                                         catalogue_version=ctx.catalogue.version).id
        db.commit()
        data = valid_basic(world, tid, db)
    c = as_user(f"info_manager@{SCHOOL}")
    rule = next(f.spec.photo for f in ctx.catalogue.view("basic", "primary").fields if f.spec.type == "photo")
    buf = io.BytesIO()
    Image.new("RGB", (154, 189), (200, 180, 160)).save(buf, "JPEG")  # the old 150-dpi size
    wrong = photos.DATA_PREFIX + __import__("base64").b64encode(buf.getvalue()).decode()
    assert not photos.conforms(wrong, rule)
    url = f"/forms/teachers/{tid}/sets/basic"
    r = post_form(c, url, url, {**data, "photo": wrong, "_fields": ",".join([*data, "photo"])})
    assert r.status_code in (200, 303), r.text[:500]
    with ctx.sessions() as db:
        doc = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic")).document
    assert doc.get("photo") in (None, "")
    buf = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 180, 160)).save(buf, "JPEG")
    right = photos.process(buf.getvalue(), rule).data_url
    r = post_form(c, url, url, {**data, "photo": right, "_fields": ",".join([*data, "photo"])})
    assert r.status_code in (200, 303), r.text[:500]
    with ctx.sessions() as db:
        doc = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic")).document
    assert doc.get("photo") == right


def test_teacher_cannot_change_the_four_items_the_account_was_made_from(as_user, world, ctx):
    """The ID number is the teacher's login name: only the school corrects it (seed 003)."""
    from engine import idnumber

    tid, c = teacher_client(as_user, world, 0)
    with ctx.sessions() as db:
        data = valid_basic(world, tid, db)
    other = idnumber.make("360102", "1980-01-01", "001")
    data.update(id_number=other, birth_date="1980-01-01")
    url = f"/forms/teachers/{tid}/sets/basic"
    r = post_form(c, url, url, {**data, "_fields": ",".join(data)})
    assert r.status_code == 422
    assert "W411" in r.text and "「身份证件号」由学校信息管理员修改" in r.text
    assert other not in r.text  # the locked item is drawn as it stands, not as forged
    with ctx.sessions() as db:
        doc = db.scalar(select(Record).where(Record.teacher_id == tid, Record.set_key == "basic")).document
        assert doc["id_number"] == world.teacher_usernames[tid]


def test_a_corrected_id_number_becomes_the_teachers_login_name(as_user, world, ctx, app):
    from engine import idnumber
    from tests.web.conftest import PASSWORD, Client

    tid = world.teachers[SCHOOL][-1]
    old = world.teacher_usernames[tid]
    manager = as_user("info_manager@3601020001")
    with ctx.sessions() as db:
        data = valid_basic(world, tid, db)
    new = idnumber.make("360102", data["birth_date"], "997")
    data.update(id_number=new, gender="1" if int(new[16]) % 2 else "2")
    url = f"/forms/teachers/{tid}/sets/basic"
    r = post_form(manager, url, url, {**data, "_fields": ",".join(data)})
    assert r.status_code == 303, r.text[-1500:]
    signed_in = Client(app, new, PASSWORD)  # signs in with the corrected number
    assert signed_in.get("/api/v1/auth/me").json()["username"] == new
    world.teacher_usernames[tid] = new
    with pytest.raises(AssertionError):
        Client(app, old, PASSWORD)


def test_english_switch_reaches_the_widgets(as_user, world):
    """Labels come from the YAML's English; the widgets' own words follow the switch too."""
    c = as_user("info_manager@3601020001")
    tid = world.teachers[SCHOOL][1]
    html = c.get(f"/forms/teachers/{tid}/sets/basic?lang=en").text
    assert "Name" in html and "Yes" in html and "Choose" in html
    for chinese in ("请选择", "尚未上传照片", "输入代码或名称搜索", "> 是</label>"):
        assert chinese not in html, chinese
