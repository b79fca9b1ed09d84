"""The columns of the people import (the template and the page list them) and the words a
spreadsheet may use for education."""

from __future__ import annotations

from jineng.identity.models import Education
from jineng.imports.machinery import Column

# The sample row of the template (`templates.py`) uses the example number of GB 11643 itself; an
# upload that still contains it is refused, so the sample is never imported as a person.
SAMPLE_ID_NUMBER = "11010519491231002X"
SAMPLE_ROW_MESSAGE = "这是模板中的示例行，请删除后再导入"

COLUMNS = (
    Column("name", "姓名", required=True, note="与证件一致", example="张三"),
    Column(
        "id_type",
        "证件类型",
        note="居民身份证（默认）、护照、港澳居民来往内地通行证……",
        example="居民身份证",
    ),
    Column(
        "id_number",
        "证件号码",
        ("身份证号码", "身份证号"),
        required=True,
        sensitive="id_number",
        note="居民身份证18位（校验位、出生日期须正确）；请把该列设为“文本”",
        example=SAMPLE_ID_NUMBER,
    ),
    Column(
        "phone",
        "手机号码",
        ("手机号", "联系电话"),
        sensitive="phone",
        note="11位手机号码",
        example="13800000000",
    ),
    Column(
        "bank_account",
        "银行账号",
        ("银行卡号",),
        sensitive="bank_account",
        note="8至32位数字",
        example="6222000000000000",
    ),
    Column(
        "hukou_region",
        "户籍地",
        ("户籍所在地",),
        note="行政区划名称（如 湖南省邵阳市邵东市）或6位行政区划代码",
        example="湖南省邵阳市邵东市",
    ),
    Column(
        "residence_region",
        "常住地",
        ("现居住地", "居住地"),
        note="行政区划代码或名称",
        example="东莞市",
    ),
    Column(
        "education",
        "学历",
        ("文化程度",),
        note="小学及以下、初中、高中/中专/技校、大专、本科、研究生",
        example="大专",
    ),
    Column("insured", "参保", ("是否参保",), note="是/否", example="是"),
    Column(
        "insured_since",
        "参保日期",
        ("参保时间",),
        note="日期，如 2020-03-01；填写即视为已参保",
        example="2020-03-01",
    ),
    Column(
        "employer",
        "单位",
        ("工作单位", "单位名称"),
        note="单位全称；单位人员导入须为本单位",
        example="示例精密制造有限公司",
    ),
    Column(
        "employer_uscc",
        "单位统一社会信用代码",
        ("单位信用代码",),
        note="18位；填写则须为系统中已有的单位",
    ),
    Column(
        "occupation",
        "职业编码",
        ("职业代码",),
        note="2022年版职业分类大典编码，如 6-18-01-01",
        example="6-18-01-01",
    ),
    Column("start", "入职日期", ("入职时间",), note="日期；空：导入当天", example="2021-07-01"),
    Column("work_region", "工作地", note="行政区划；空：单位所在地，其次常住地"),
)

EDUCATION_ALIASES: dict[str, str] = {
    **{str(label): value for value, label in Education.choices},
    **{value: value for value in Education.values},
    "小学": Education.PRIMARY,
    "文盲": Education.PRIMARY,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "技校": Education.SENIOR,
    "职高": Education.SENIOR,
    "中职": Education.SENIOR,
    "专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "大学专科": Education.COLLEGE,
    "大学本科": Education.BACHELOR,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
}
