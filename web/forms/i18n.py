"""The words of the form pages that do not come from the YAML (buttons, headings, notices).

Labels of sets, sections, fields and codes always come from the catalogue; this table holds only
the page chrome. Button and state words follow the national system (保存, 报送, 未报送 …).
"""

from __future__ import annotations

WORDS: dict[str, tuple[str, str]] = {
    "save": ("保存", "Save"),
    "submit": ("报送", "Submit"),
    "add": ("增加", "Add"),
    "edit": ("编辑", "Edit"),
    "delete": ("删除", "Delete"),
    "cancel": ("返回", "Back"),
    "confirm_delete": ("确认要删除记录吗？", "Delete this record?"),
    "saved": ("保存成功", "Saved"),
    "saved_with_warnings": ("已保存，但有 {n} 条提示，请核对", "Saved with {n} warning(s); please check"),
    "not_saved": ("未保存：有 {n} 处错误，请按提示修改后再保存（已填写的内容都保留着）",
                  "Not saved: {n} error(s). Fix them and save again (everything you typed is kept)"),
    "conflict": ("未保存：此信息已被他人修改（版本 {theirs}），请核对后重新保存",
                 "Not saved: someone else changed this record meanwhile (version {theirs}); check and save again"),
    "deleted": ("已删除", "Deleted"),
    "required_mark": ("必填", "required"),
    "derived_from": ("引自「{set}」的「{field}」", "From '{field}' in '{set}'"),
    "derived_empty": ("（尚无，请先填写「{set}」）", "(none yet: fill in '{set}' first)"),
    "no_records": ("暂无记录", "No records yet"),
    "none_record": ("无", "None"),
    "none_hint": ("选择“{code_label}”表示没有此类经历，其他项将被清空并锁定",
                  "Choosing '{code_label}' means there is nothing to record; the other fields are cleared and locked"),
    "records": ("条记录", "record(s)"),
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "choose": ("请选择", "Choose"),
    "search_placeholder": ("输入代码或名称搜索", "Type a code or name to search"),
    "no_match": ("没有匹配的选项", "No matching option"),
    "more_matches": ("还有 {n} 项，请输入更多文字缩小范围", "{n} more: type more to narrow the list"),
    "clear": ("清除", "Clear"),
    "pick_date": ("选择日期", "Pick a date"),
    "pick_month": ("选择年月", "Pick a month"),
    "photo_choose": ("选择照片", "Choose a photo"),
    "photo_done": ("照片已按标准处理：{w}×{h} 像素，{kb} KB，JPG", "Photo processed to the standard: {w}×{h} px, {kb} KB, JPG"),
    "photo_rule": ("照片将自动裁剪为 26mm×32mm（{w}×{h} 像素，{dpi}dpi）、JPG、小于 60KB",
                   "The photo is cropped to 26 mm × 32 mm ({w}×{h} px at {dpi} dpi), JPG, under 60 KB"),
    "photo_none": ("尚未上传照片", "No photo yet"),
    "attachment_later": ("附件上传暂未开放", "Attachment upload is not available yet"),
    "read_only_set": ("此信息由学校填写，教师只能查看", "The school fills in this set; teachers can only view it"),
    "teacher_cannot_submit": ("教师只能保存，不能报送；填写完成后由学校信息管理员核对并报送",
                              "Teachers can only save; the school's information manager checks and submits"),
    "filled_by_teacher": ("教师填写", "Filled by the teacher"),
    "filled_by_school": ("学校填写", "Filled by the school"),
    "filled_by_authority": ("主管部门填写", "Filled by the authority"),
    "teachers": ("教师信息管理", "Teacher files"),
    "teacher_list": ("教师列表", "Teachers"),
    "search": ("查询", "Search"),
    "search_hint": ("姓名、身份证件号或教师编号", "Name, ID number or teacher number"),
    "state": ("审核状态", "Review state"),
    "all": ("全部", "All"),
    "completeness": ("完整性", "Completeness"),
    "complete": ("完整", "Complete"),
    "incomplete": ("不完整", "Incomplete"),
    "not_checked": ("未检测", "Not checked"),
    "check": ("完整性检测", "Completeness check"),
    "check_selected": ("对选中教师进行完整性检测", "Check the selected teachers"),
    "check_all": ("检测本页全部教师", "Check every teacher on this page"),
    "check_result": ("完整性检测结果", "Completeness check results"),
    "check_ok": ("信息完整，可以报送", "Complete: ready to submit"),
    "errors_n": ("{n} 处错误", "{n} error(s)"),
    "warnings_n": ("{n} 条提示", "{n} warning(s)"),
    "go_fix": ("去修改", "Fix"),
    "name": ("姓名", "Name"),
    "gender": ("性别", "Gender"),
    "id_number": ("身份证件号", "ID number"),
    "unit": ("单位", "Unit"),
    "teacher_number": ("教师编号", "Teacher number"),
    "actions": ("操作", "Actions"),
    "open_file": ("查看/编辑", "Open"),
    "print": ("打印信息表", "Print the form"),
    "print_title": ("教师信息表", "Teacher information form"),
    "print_sign_teacher": ("教师本人签字", "Teacher's signature"),
    "print_sign_school": ("学校审核人签字（盖章）", "Checked by the school (signature and seal)"),
    "print_date": ("日期", "Date"),
    "print_note": ("本人确认以上信息真实、准确。", "I confirm that the information above is true and accurate."),
    "print_now": ("打印", "Print"),
    "page_of": ("第 {a}–{b} 条，共 {n} 条", "{a}–{b} of {n}"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "sets_nav": ("信息集", "Information sets"),
    "record_n": ("第 {n} 条", "Record {n}"),
    "new_record": ("新增记录", "New record"),
    "field": ("指标", "Field"),
    "message": ("问题", "Problem"),
    "severity_error": ("错误", "Error"),
    "severity_warning": ("提示", "Warning"),
    "whole_record": ("整条记录", "Whole record"),
    "whole_set": ("整个信息集", "Whole set"),
    "checked_n": ("已检测 {n} 名教师：{ok} 名完整，{bad} 名不完整",
                  "Checked {n} teacher(s): {ok} complete, {bad} incomplete"),
    "state_unsubmitted": ("未报送", "Not submitted"),
    "state_pending": ("待审核", "Pending review"),
    "state_approved": ("审核通过", "Approved"),
    "state_rejected": ("审核未通过", "Rejected"),
    "lang_switch": ("English", "中文"),
    "my_file": ("我的信息", "My file"),
    "value": ("值", "Value"),
}


def t(key: str, lang: str = "zh", **args: object) -> str:
    zh, en = WORDS.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**args) if args else text


STATE_KEYS = {"unsubmitted": "state_unsubmitted", "pending": "state_pending",
              "approved": "state_approved", "rejected": "state_rejected"}


def state_label(state: str, lang: str = "zh") -> str:
    key = STATE_KEYS.get(state)
    return t(key, lang) if key else state
