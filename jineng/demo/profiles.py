"""What makes a synthetic city look like itself: where its workers come from, which industries
employ them (occupations of the 2022 classification, weighted), and the honour codes its policy
files use. Dongguan (4419) has its own profile; any other city gets a generic one."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

Weighted = tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Sector:
    share: float  # of the city's workers
    enterprise_words: tuple[str, ...]  # for names: 东莞市华鑫{word}有限公司
    occupations: Weighted


@dataclass(frozen=True)
class CityProfile:
    # Where hukou (and so the ID number's area code) comes from: "city" = the city itself,
    # "province" = the rest of its province, else a two-digit province code.
    origins: Weighted
    sectors: Mapping[str, Sector]
    # Titles the city's policy files recognise, with their yearly rate among high-skill workers.
    titles: Weighted
    towns: tuple[str, ...] = ()


_QC = ("6-31-03-05", 1.0)  # 质检员, everywhere in manufacturing
_ELECTRICIAN = ("6-31-01-03", 0.8)  # 电工
_ROBOT_OPERATOR = ("6-31-07-03", 0.5)  # 工业机器人系统操作员

MANUFACTURING: Mapping[str, Sector] = {
    "electronics": Sector(
        0.30,
        ("电子科技", "电子", "光电科技", "电器", "通讯设备", "精密电子", "新能源科技", "智能科技"),
        (
            ("6-25-04-07", 3.0),  # 电子设备装接工
            ("6-25-04-08", 2.0),  # 电子设备调试工
            ("6-25-01-13", 2.0),  # 印制电路制作工
            ("6-25-02-03", 1.0),  # 液晶显示器件制造工
            ("6-25-03-00", 1.5),  # 计算机及外部设备装配调试员
            ("6-25-04-02", 2.0),  # 通信终端设备制造工
            ("6-25-04-05", 1.0),  # 智能硬件装调员
            ("6-25-01-11", 1.0),  # 电器接插件制造工
            ("6-24-04-00", 1.0),  # 电池制造工
            ("6-24-05-04", 1.5),  # 小型家用电器制造工
            ("6-24-07-02", 1.0),  # 灯具制造工
            ("6-24-03-01", 0.5),  # 电线电缆制造工
            ("4-08-05-07", 1.0),  # 电子电气产品检验员
            ("2-02-09-02", 0.4),  # 电子元器件工程技术人员
            _QC,
            _ELECTRICIAN,
            _ROBOT_OPERATOR,
        ),
    ),
    "machinery": Sector(
        0.22,
        ("精密模具", "五金制品", "机械设备", "精密机械", "模具", "自动化设备", "智能装备", "机电"),
        (
            ("6-18-01-01", 2.0),  # 车工
            ("6-18-01-02", 1.5),  # 铣工
            ("6-18-01-07", 2.0),  # 多工序数控机床操作调整工
            ("6-18-02-04", 1.5),  # 焊工
            ("6-18-04-01", 2.5),  # 模具工
            ("6-18-04-06", 1.0),  # 工具钳工
            ("6-20-01-01", 1.5),  # 装配钳工
            ("6-20-03-01", 0.8),  # 机床装调维修工
            ("6-18-03-04", 0.5),  # 喷涂喷焊工
            ("6-31-07-01", 0.5),  # 工业机器人系统运维员
            ("2-02-07-06", 0.4),  # 模具设计工程技术人员
            _QC,
            _ELECTRICIAN,
            _ROBOT_OPERATOR,
        ),
    ),
    "textiles": Sector(
        0.12,
        ("纺织", "服装", "制衣", "鞋业", "毛织"),
        (
            ("6-05-01-03", 4.0),  # 缝纫工
            ("6-05-01-01", 1.0),  # 服装制版师
            ("6-05-04-01", 2.0),  # 制鞋工
            ("6-04-02-01", 1.0),  # 纺纱工
            ("6-04-06-02", 0.5),  # 纺织染色工
            ("2-09-06-02", 0.3),  # 服装设计人员
            ("6-31-03-05", 0.5),
        ),
    ),
    "furniture": Sector(
        0.05,
        ("家具", "木业"),
        (("6-06-04-00", 4.0), ("4-08-08-12", 0.5), ("6-31-03-05", 0.3)),  # 家具制作工, 家具设计师
    ),
    "plastics": Sector(
        0.06,
        ("塑胶制品", "塑料制品", "包装材料"),
        (("6-14-02-00", 4.0), ("6-18-04-01", 1.0), ("6-31-03-05", 0.5)),  # 塑料制品成型制作工
    ),
    "printing": Sector(
        0.03,
        ("印刷", "包装印刷"),
        (("6-08-01-02", 3.0), ("4-08-08-09", 0.5)),  # 印刷操作员, 包装设计师
    ),
}
SERVICES = Sector(
    0.17,
    ("物流", "电子商务", "餐饮管理", "养老服务", "汽车服务", "家政服务", "美容美发"),
    (
        ("4-02-06-01", 2.0),  # 仓储管理员
        ("4-02-07-08", 2.0),  # 快递员
        ("4-01-06-01", 1.5),  # 电子商务师
        ("4-03-02-01", 1.5),  # 中式烹调师
        ("4-10-01-05", 1.0),  # 养老护理员
        ("4-10-03-02", 0.7),  # 美发师
        ("4-10-03-01", 0.5),  # 美容师
        ("4-12-01-01", 1.0),  # 汽车维修工
        ("4-10-01-03", 0.6),  # 保育师
        ("4-12-03-02", 0.3),  # 家用电子产品维修工
    ),
)
IT = Sector(
    0.05,
    ("信息技术", "软件", "网络科技", "数据科技"),
    (
        ("4-04-05-01", 2.0),  # 计算机程序设计员
        ("4-04-05-02", 1.0),  # 计算机软件测试员
        ("4-04-05-05", 0.5),  # 人工智能训练师
        ("4-04-04-02", 1.0),  # 网络与信息安全管理员
        ("2-02-10-03", 1.0),  # 计算机软件工程技术人员
        ("4-04-05-07", 0.3),  # 服务机器人应用技术员
    ),
)
CONSTRUCTION = Sector(
    0.10,
    ("建筑工程", "装饰工程", "机电安装"),
    (
        ("6-29-01-01", 1.0),  # 砌筑工
        ("6-29-01-03", 1.0),  # 混凝土工
        ("6-29-01-04", 1.0),  # 钢筋工
        ("6-29-04-01", 2.0),  # 装饰装修工
        ("6-29-03-02", 1.0),  # 电气设备安装工
        ("6-29-02-15", 1.0),  # 管道工
    ),
)

DONGGUAN = CityProfile(
    # Dongguan's workers: about a third from Guangdong, the rest mostly from the inland provinces
    # that send migrant labour to the Pearl River Delta.
    origins=(
        ("city", 0.12),
        ("province", 0.23),
        ("43", 0.14),  # 湖南
        ("45", 0.12),  # 广西
        ("36", 0.08),  # 江西
        ("51", 0.07),  # 四川
        ("41", 0.07),  # 河南
        ("42", 0.06),  # 湖北
        ("52", 0.04),  # 贵州
        ("50", 0.03),  # 重庆
        ("35", 0.01),  # 福建
        ("53", 0.01),  # 云南
        ("34", 0.01),  # 安徽
        ("61", 0.01),  # 陕西
    ),
    sectors={**MANUFACTURING, "services": SERVICES, "it": IT},
    # Codes of jineng/policy/data/dg.yaml (vocabulary); rates per high-skill worker, all years.
    titles=(
        ("dongguan_technical_expert", 2e-3),
        ("guanyi_craftsman", 3e-4),
        ("guangdong_technical_expert", 3e-4),
        ("nanyue_technical_expert_award", 5e-5),
        ("national_technical_expert", 5e-5),
        ("zhonghua_skills_award", 5e-6),
    ),
    towns=(
        "莞城",
        "南城",
        "东城",
        "万江",
        "石碣",
        "石龙",
        "茶山",
        "石排",
        "企石",
        "横沥",
        "桥头",
        "谢岗",
        "东坑",
        "常平",
        "寮步",
        "樟木头",
        "大朗",
        "黄江",
        "清溪",
        "塘厦",
        "凤岗",
        "大岭山",
        "长安",
        "虎门",
        "厚街",
        "沙田",
        "道滘",
        "洪梅",
        "麻涌",
        "望牛墩",
        "中堂",
        "高埗",
        "松山湖",
    ),  # fmt: skip
)

GENERIC = CityProfile(
    origins=(
        ("city", 0.35),
        ("province", 0.35),
        ("41", 0.06),  # 河南
        ("51", 0.05),  # 四川
        ("34", 0.05),  # 安徽
        ("43", 0.04),  # 湖南
        ("42", 0.03),  # 湖北
        ("36", 0.03),  # 江西
        ("52", 0.02),  # 贵州
        ("45", 0.02),  # 广西
    ),
    sectors={
        "machinery": MANUFACTURING["machinery"],
        "electronics": MANUFACTURING["electronics"],
        "textiles": MANUFACTURING["textiles"],
        "construction": CONSTRUCTION,
        "services": SERVICES,
        "it": IT,
    },
    titles=(
        ("city_technical_expert", 2e-3),
        ("provincial_technical_expert", 3e-4),
        ("national_technical_expert", 5e-5),
        ("zhonghua_skills_award", 5e-6),
    ),
)


def profile_for(region: str) -> CityProfile:
    return DONGGUAN if region.startswith("4419") else GENERIC
