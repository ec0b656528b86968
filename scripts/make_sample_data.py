#!/usr/bin/env python3
"""Generate the departmental workbooks of the bundled sample workspace.

The sample must reproduce the published 2023H1 work summary, so every ledger is built to hit
exact aggregates and the script asserts them before anything is written. Names, units and
sheet layouts come from ``sample_data/catalog.toml`` so the workbooks cannot drift from it.
Output is reproducible byte for byte: seeded random numbers, fixed document properties and
fixed zip timestamps.

Usage: python scripts/make_sample_data.py [OUTPUT_DIR]   (default: sample_data/submissions)
"""

from __future__ import annotations

import io
import random
import re
import sys
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data"
SEED = 20230705
STAMP = datetime(2023, 7, 5, 9, 0, 0)
UNIT = "城北街道"
FIRST = "2023"  # workspace.toml [periods] first: the departments' annual workbooks begin here

Number = int | float
Cell = str | int | float | date | None
Row = dict[str, Cell]

COMMUNITIES = (
    "黄泥岭社区",
    "红湖路社区",
    "鸿苑社区",
    "常青社区",
    "北苑社区",
    "祝丰亭社区",
    "站前社区",
    "凤凰山社区",
    "军民社区",
    "五星社区",
    "柳苑社区",
)
SURNAMES = "张李王陈刘赵周吴徐孙朱胡郑何"

# 区级对比数据: 区级税收 and 限额以上批零住餐业销售额 (万元) of the district's units.
# 城北街道's rows equal its own economy workbooks; its growth ranks 2nd (tax) and 3rd (sales).
DISTRICT_ECONOMY: dict[str, dict[str, tuple[Number, Number]]] = {
    "2020": {
        "城东街道": (14920.6, 2150380),
        "城中街道": (13350.2, 2790160),
        "城西街道": (9210.7, 1190450),
        "城北街道": (10120.5, 1660210),
        "江南街道": (19870.3, 3280640),
        "西关街道": (7230.1, 935120),
        "三江街道": (11560.4, 1380290),
        "新狮街道": (5480.9, 571860),
        "乾西乡": (2205.3, 201770),
        "罗店镇": (2960.4, 178340),
        "白龙桥镇": (7990.6, 842550),
        "汤溪镇": (4050.8, 305210),
    },
    "2021": {
        "城东街道": (15830.2, 2310560),
        "城中街道": (13620.8, 2875400),
        "城西街道": (9875.3, 1250330),
        "城北街道": (11052.6, 1789380),
        "江南街道": (21450.6, 3560120),
        "西关街道": (7650.4, 980450),
        "三江街道": (12330.7, 1456780),
        "新狮街道": (6120.5, 620340),
        "乾西乡": (2310.2, 210560),
        "罗店镇": (3120.8, 185230),
        "白龙桥镇": (8560.3, 890120),
        "汤溪镇": (4230.6, 320450),
    },
    "2022": {
        "城东街道": (17011.5, 2562310),
        "城中街道": (14305.1, 3010250),
        "城西街道": (10702.4, 1335890),
        "城北街道": (12477.4, 1954945),
        "江南街道": (23680.2, 4012550),
        "西关街道": (8210.9, 1043220),
        "三江街道": (13290.0, 1560110),
        "新狮街道": (7260.8, 672980),
        "乾西乡": (2480.6, 221340),
        "罗店镇": (3350.1, 194560),
        "白龙桥镇": (9320.7, 951230),
        "汤溪镇": (4490.2, 338120),
    },
    "2023": {
        "城东街道": (18120.3, 2689400),
        "城中街道": (14790.6, 3122480),
        "城西街道": (11420.5, 1428310),
        "城北街道": (13389.6, 2101380),
        "江南街道": (25010.4, 4268930),
        "西关街道": (8603.5, 1129870),
        "三江街道": (14015.2, 1649020),
        "新狮街道": (7920.1, 730450),
        "乾西乡": (2571.9, 229860),
        "罗店镇": (3482.7, 201230),
        "白龙桥镇": (9806.3, 990120),
        "汤溪镇": (4655.0, 349310),
    },
}

# 党群服务中心提档验收数 by unit; 城北街道 ranks first in 2023H1 and 2023, second in 2024H1.
DISTRICT_PARTY: dict[str, dict[str, int]] = {
    "2022H1": {"城东街道": 1, "城中街道": 3, "城西街道": 1, "城北街道": 2, "江南街道": 1,
               "西关街道": 0, "三江街道": 1, "新狮街道": 0, "乾西乡": 0, "罗店镇": 1,
               "白龙桥镇": 0, "汤溪镇": 1},
    "2023H1": {"城东街道": 5, "城中街道": 4, "城西街道": 3, "城北街道": 7, "江南街道": 6,
               "西关街道": 2, "三江街道": 4, "新狮街道": 3, "乾西乡": 1, "罗店镇": 2,
               "白龙桥镇": 3, "汤溪镇": 2},
    "2023": {"城东街道": 6, "城中街道": 5, "城西街道": 4, "城北街道": 8, "江南街道": 7,
             "西关街道": 3, "三江街道": 5, "新狮街道": 4, "乾西乡": 2, "罗店镇": 2,
             "白龙桥镇": 4, "汤溪镇": 3},
    "2024H1": {"城东街道": 7, "城中街道": 6, "城西街道": 5, "城北街道": 9, "江南街道": 10,
               "西关街道": 4, "三江街道": 6, "新狮街道": 5, "乾西乡": 2, "罗店镇": 3,
               "白龙桥镇": 5, "汤溪镇": 3},
}  # fmt: skip

ECONOMY_YEAR: dict[str, dict[str, Number]] = {
    "2002": {"econ_tax": 160.3, "econ_sales": 23560, "econ_trade": 1502.6,
             "econ_entities": 151, "econ_enterprises": 83},
    "2020": {"econ_tax": 10120.5, "econ_sales": 1660210, "econ_trade": 16230.8,
             "econ_entities": 4230, "econ_enterprises": 1150},
    "2021": {"econ_tax": 11052.6, "econ_sales": 1789380, "econ_trade": 17850.3,
             "econ_entities": 4502, "econ_enterprises": 1268},
    "2022": {"econ_tax": 12477.4, "econ_sales": 1954945, "econ_trade": 19527.2,
             "econ_entities": 4811, "econ_enterprises": 1394},
    "2023": {"econ_tax": 13389.6, "econ_sales": 2101380, "econ_trade": 20915.4,
             "econ_entities": 5034, "econ_enterprises": 1487},
}  # fmt: skip

# Indicators typed into the 指标 sheets of the departments' workbooks (the annual economy
# figures of ECONOMY_YEAR are added for 2023). 2023 is the whole year: stocks at year end,
# flows over twelve months. 2024H1 drops urban_cleared_land (catalog: until = "2023") and
# adds urban_charging_spaces (since = "2024H1").
REPORTED: dict[str, dict[str, Number]] = {
    "2022H1": {
        "econ_park_units": 41, "econ_park_revenue": 4500, "econ_night_merchants": 96,
        "econ_night_visitors": 2410,
        "party_reserve_cadres": 15, "party_inspections": 5, "party_rectified": 19,
        "party_disciplined": 9, "party_first_form": 5, "party_transferred": 2,
        "party_culture_talents": 21, "party_culture_households": 8, "party_opinion_items": 31,
        "party_media_national": 2, "party_media_jinhua": 4, "party_media_district": 118,
        "social_veteran_services": 9, "social_labour_surveyed": 265, "social_need_assist": 74,
        "social_assisted": 74, "social_unemployed_assisted": 463, "social_reemployed": 452,
        "enf_general_cases": 128, "enf_summary_penalties": 297,
        "urban_future_investment": 2000, "urban_future_area": 39.04, "urban_cleared_land": 12,
        "urban_demolition_target": 10, "urban_fire_illegal": 5, "urban_fire_illegal_area": 1260,
        "urban_property_certificates": 126, "urban_grids": 90, "urban_micro_grids": 431,
        "urban_flying_wires": 12600, "urban_bulky_waste_rooms": 11,
        "safety_inspected": 2100, "safety_hotline_8890": 522, "safety_city_mgmt": 4870,
        "safety_platform_received": 2410, "safety_platform_closed": 2398,
        "safety_mediated_disputes": 287, "safety_first_letters": 3,
        "safety_first_letters_resolved": 3, "safety_online_first": 96, "safety_online_repeat": 2,
    },
    "2023H1": {
        "econ_park_units": 54, "econ_park_revenue": 6000, "econ_night_merchants": 134,
        "econ_night_visitors": 3260,
        "party_reserve_cadres": 18, "party_inspections": 7, "party_rectified": 25,
        "party_disciplined": 12, "party_first_form": 7, "party_transferred": 4,
        "party_culture_talents": 27, "party_culture_households": 10, "party_opinion_items": 24,
        "party_media_national": 3, "party_media_jinhua": 5, "party_media_district": 139,
        "social_veteran_services": 12, "social_labour_surveyed": 291, "social_need_assist": 86,
        "social_assisted": 86, "social_unemployed_assisted": 508, "social_reemployed": 500,
        "enf_general_cases": 162, "enf_summary_penalties": 343,
        "urban_future_investment": 2000, "urban_future_area": 39.04, "urban_cleared_land": 18,
        "urban_demolition_target": 11, "urban_fire_illegal": 3, "urban_fire_illegal_area": 800,
        "urban_property_certificates": 307, "urban_grids": 93, "urban_micro_grids": 446,
        "urban_flying_wires": 10350, "urban_bulky_waste_rooms": 18,
        "safety_inspected": 2800, "safety_hotline_8890": 593, "safety_city_mgmt": 5310,
        "safety_platform_received": 2737, "safety_platform_closed": 2737,
        "safety_mediated_disputes": 318, "safety_first_letters": 2,
        "safety_first_letters_resolved": 2, "safety_online_first": 107, "safety_online_repeat": 1,
    },
    "2023": {
        "econ_park_units": 58, "econ_park_revenue": 12500, "econ_night_merchants": 141,
        "econ_night_visitors": 3480,
        "party_reserve_cadres": 21, "party_inspections": 13, "party_rectified": 46,
        "party_disciplined": 19, "party_first_form": 12, "party_transferred": 6,
        "party_culture_talents": 41, "party_culture_households": 16, "party_opinion_items": 47,
        "party_media_national": 5, "party_media_jinhua": 11, "party_media_district": 268,
        "social_veteran_services": 13, "social_labour_surveyed": 318, "social_need_assist": 97,
        "social_assisted": 97, "social_unemployed_assisted": 961, "social_reemployed": 938,
        "enf_general_cases": 315, "enf_summary_penalties": 671,
        "urban_future_investment": 2000, "urban_future_area": 39.04, "urban_cleared_land": 18,
        "urban_demolition_target": 11, "urban_fire_illegal": 5, "urban_fire_illegal_area": 1320,
        "urban_property_certificates": 412, "urban_grids": 93, "urban_micro_grids": 452,
        "urban_flying_wires": 16800, "urban_bulky_waste_rooms": 22,
        "safety_inspected": 4650, "safety_hotline_8890": 1187, "safety_city_mgmt": 10720,
        "safety_platform_received": 5486, "safety_platform_closed": 5479,
        "safety_mediated_disputes": 642, "safety_first_letters": 5,
        "safety_first_letters_resolved": 5, "safety_online_first": 219, "safety_online_repeat": 3,
    },
    "2024H1": {
        "econ_park_units": 61, "econ_park_revenue": 6800, "econ_night_merchants": 146,
        "econ_night_visitors": 2980,
        "party_reserve_cadres": 16, "party_inspections": 8, "party_rectified": 21,
        "party_disciplined": 9, "party_first_form": 6, "party_transferred": 2,
        "party_culture_talents": 24, "party_culture_households": 11, "party_opinion_items": 29,
        "party_media_national": 4, "party_media_jinhua": 6, "party_media_district": 152,
        "social_veteran_services": 13, "social_labour_surveyed": 305, "social_need_assist": 79,
        "social_assisted": 79, "social_unemployed_assisted": 472, "social_reemployed": 466,
        "enf_general_cases": 171, "enf_summary_penalties": 329,
        "urban_future_investment": 2000, "urban_future_area": 39.04,
        "urban_demolition_target": 12, "urban_fire_illegal": 2, "urban_fire_illegal_area": 540,
        "urban_property_certificates": 436, "urban_grids": 93, "urban_micro_grids": 458,
        "urban_flying_wires": 11200, "urban_bulky_waste_rooms": 24, "urban_charging_spaces": 126,
        "safety_inspected": 2350, "safety_hotline_8890": 641, "safety_city_mgmt": 4980,
        "safety_platform_received": 2912, "safety_platform_closed": 2905,
        "safety_mediated_disputes": 296, "safety_first_letters": 3,
        "safety_first_letters_resolved": 3, "safety_online_first": 98, "safety_online_repeat": 2,
    },
}  # fmt: skip

NOTES: dict[str, str] = {
    "econ_tax": "区税务局口径",
    "econ_entities": "市场监管所年末在册数",
    "econ_park_revenue": "含网络交易额",
    "econ_night_merchants": "累计签约商户",
    "econ_night_visitors": "日均，按客流监测设备统计",
    "social_need_assist": "登记失业人员、就业困难人员",
    "urban_future_area": "北苑小区及周边",
    "urban_flying_wires": "年初以来累计",
    "safety_inspected": "与排查台账户数一致",
    "urban_charging_spaces": "田里小区，2024年起填报",
}


@dataclass(frozen=True)
class LedgerTargets:
    """Aggregates one period's ledgers must hit; the report quotes them."""

    inspection_rows: int
    hazards: int
    unfixed: int
    filed: int
    closed: int
    removed: int
    mediation_success: int
    mediation_amount: int  # 元
    mediation_failed: int
    sms_batches: int
    sms_messages: int
    sms_first_day: date
    activity_sessions: int
    activity_people: int
    demolitions: int
    demolition_area: int

    def __add__(self, other: LedgerTargets) -> LedgerTargets:
        """A whole year's aggregates from its two halves (the first sending day of the first)."""
        summed = {
            name: getattr(self, name) + getattr(other, name)
            for name in self.__dataclass_fields__
            if name != "sms_first_day"
        }
        return LedgerTargets(**summed, sms_first_day=self.sms_first_day)


LEDGER_TARGETS = {
    "2022H1": LedgerTargets(
        inspection_rows=2100, hazards=1320, unfixed=18, filed=64, closed=212, removed=305,
        mediation_success=31, mediation_amount=281400, mediation_failed=4,
        sms_batches=6, sms_messages=10230, sms_first_day=date(2022, 5, 9),
        activity_sessions=498, activity_people=26870, demolitions=9, demolition_area=860,
    ),
    "2023H1": LedgerTargets(
        inspection_rows=2800, hazards=1740, unfixed=5, filed=111, closed=695, removed=612,
        mediation_success=39, mediation_amount=386700, mediation_failed=3,
        sms_batches=21, sms_messages=37106, sms_first_day=date(2023, 4, 3),
        activity_sessions=576, activity_people=31250, demolitions=11, demolition_area=990,
    ),
    # The second half of 2023: the 2023 annual ledgers are the 2023H1 rows followed by these.
    "2023H2": LedgerTargets(
        inspection_rows=1850, hazards=1160, unfixed=4, filed=64, closed=210, removed=250,
        mediation_success=37, mediation_amount=352300, mediation_failed=4,
        sms_batches=18, sms_messages=31240, sms_first_day=date(2023, 7, 6),
        activity_sessions=590, activity_people=33120, demolitions=5, demolition_area=460,
    ),
    "2024H1": LedgerTargets(
        inspection_rows=2350, hazards=1380, unfixed=7, filed=86, closed=402, removed=433,
        mediation_success=42, mediation_amount=415800, mediation_failed=2,
        sms_batches=19, sms_messages=33870, sms_first_day=date(2024, 1, 8),
        activity_sessions=602, activity_people=33580, demolitions=12, demolition_area=1040,
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Header:
    """The header block of a 指标 sheet: who filled it in and when."""

    department: str
    period: str
    filler: str
    phone: str
    filled_on: date


@dataclass
class Submission:
    """One department's workbook for one period."""

    header: Header
    values: dict[str, Number] = field(default_factory=dict)
    ledgers: dict[str, list[Row]] = field(default_factory=dict)


# ---------------------------------------------------------------- periods


def period_kind(code: str) -> str:
    """``2023H1`` → ``H``; a bare year → ``Y``."""
    return "Y" if code.isdigit() else code[4]


def full_label(code: str) -> str:
    """``2023H1`` → ``2023年上半年``; ``2022`` → ``2022年``."""
    if code.isdigit():
        return f"{code}年"
    return f"{code[:4]}年{'上半年' if code.endswith('H1') else '下半年'}"


def period_days(code: str) -> tuple[date, date]:
    """First and last day of a half-year or whole-year period."""
    year = int(code[:4])
    if code.endswith("H1"):
        return date(year, 1, 1), date(year, 6, 30)
    if code.endswith("H2"):
        return date(year, 7, 1), date(year, 12, 31)
    return date(year, 1, 1), date(year, 12, 31)


def is_history(code: str) -> bool:
    """A period before the workspace's ``[periods] first``: its folder holds what was kept then."""
    return period_days(code)[0] < period_days(FIRST)[0]


def due(indicator: dict[str, Any], code: str) -> bool:
    """The catalog's rule: the period kind is in ``frequency`` and within ``since``/``until``."""
    start, end = period_days(code)
    since, until = indicator.get("since"), indicator.get("until")
    return (
        period_kind(code) in indicator["frequency"]
        and (since is None or start >= period_days(since)[0])
        and (until is None or end <= period_days(until)[1])
    )


def random_day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randrange((end - start).days + 1))


# ---------------------------------------------------------------- exact splits


def split_total(
    rng: random.Random, total: int, parts: int, *, low: int = 1, step: int = 1
) -> list[int]:
    """``parts`` random integers ≥ ``low``, multiples of ``step`` above it, summing to ``total``."""
    units, rest = divmod(total - low * parts, step)
    assert units >= 0 and rest == 0, (total, parts, low, step)
    weights = [rng.random() + 0.3 for _ in range(parts)]
    scale = units / sum(weights)
    shares = [int(w * scale) for w in weights]
    for index in rng.sample(range(parts), units - sum(shares)):
        shares[index] += 1
    return [low + share * step for share in shares]


def scatter(rng: random.Random, total: int, slots: Sequence[int], size: int) -> list[int]:
    """Drop ``total`` unit items into random positions among ``slots`` of a list of ``size``."""
    counts = [0] * size
    for _ in range(total):
        counts[rng.choice(slots)] += 1
    return counts


def person(rng: random.Random) -> str:
    """A fictional person: surname plus 某."""
    return f"{rng.choice(SURNAMES)}某"


# ---------------------------------------------------------------- ledgers

INSPECTION_KINDS = {
    "企业": ("某某公司", 18),
    "出租房": ("某某出租房", 30),
    "自建房": ("某某自建房", 15),
    "沿街店铺": ("某某商户", 27),
    "高层建筑": ("某某大厦", 4),
    "其他场所": ("某某场所", 6),
}
ESCAPE_KINDS = ("出租房", "自建房", "沿街店铺")


def inspection_ledger(
    rng: random.Random, period: str, t: LedgerTargets, before: Sequence[Row] = ()
) -> list[Row]:
    """安全生产百日攻坚排查台账: one row per establishment visited, numbered after ``before``."""
    n = t.inspection_rows
    kinds = rng.choices(list(INSPECTION_KINDS), [w for _, w in INSPECTION_KINDS.values()], k=n)
    hazards = scatter(rng, t.hazards, range(n), n)
    with_hazards = [i for i in range(n) if hazards[i]]
    acted = rng.sample(with_hazards, t.filed + t.closed)
    outcome = {i: "立案查处" for i in acted[: t.filed]} | {i: "关停" for i in acted[t.filed :]}
    to_rectify = [i for i in with_hazards if i not in outcome]
    unfixed = set(rng.sample(to_rectify, t.unfixed))
    escape_slots = [i for i in range(n) if kinds[i] in ESCAPE_KINDS]
    removed = scatter(rng, t.removed, escape_slots, n)
    start = max(period_days(period)[0], date(int(period[:4]), 3, 20))
    serial = {kind: sum(row["类型"] == kind for row in before) for kind in INSPECTION_KINDS}
    rows = []
    for i in range(n):
        serial[kinds[i]] += 1
        result = outcome.get(i, "责令整改" if hazards[i] else "无")
        rows.append(
            {
                "编号": f"AQ{period[:4]}-{len(before) + i + 1:04d}",
                "名称": f"{INSPECTION_KINDS[kinds[i]][0]}{serial[kinds[i]]:04d}",
                "类型": kinds[i],
                "社区": rng.choice(COMMUNITIES),
                "排查日期": random_day(rng, start, period_days(period)[1]),
                "隐患数": hazards[i],
                "整改数": hazards[i] - (i in unfixed),
                "处理结果": result,
                "拆除改造防盗窗广告牌数": removed[i],
            }
        )
    return rows


def mediation_ledger(
    rng: random.Random, period: str, t: LedgerTargets, first: int = 1
) -> list[Row]:
    """劳动纠纷调解台账: successful cases sum to the reported amount (元)."""
    amounts = split_total(rng, t.mediation_amount, t.mediation_success, low=1500, step=100)
    failed = [rng.randrange(20, 200) * 100 for _ in range(t.mediation_failed)]
    results = ["调解成功"] * len(amounts) + ["调解未成"] * len(failed)
    cases = list(zip(amounts + failed, results, strict=True))
    rng.shuffle(cases)
    start, end = period_days(period)
    days = sorted(random_day(rng, start, end) for _ in cases)
    employers = ("某某公司", "某某商户", "某某餐饮店", "某某建筑公司", "某某物业公司")
    return [
        {
            "案件编号": f"LD{period[:4]}-{first + i:03d}",
            "受理日期": day,
            "申请人": person(rng),
            "被申请人": rng.choice(employers),
            "涉及金额": amount,
            "调解结果": result,
        }
        for i, (day, (amount, result)) in enumerate(zip(days, cases, strict=True))
    ]


def sms_ledger(rng: random.Random, period: str, t: LedgerTargets, first: int = 1) -> list[Row]:
    """党员短信提醒发送台账: one row per batch, from the first sending day on."""
    counts = split_total(rng, t.sms_messages, t.sms_batches, low=1650)
    end = period_days(period)[1]
    span = (end - t.sms_first_day).days
    days = [
        t.sms_first_day + timedelta(days=span * k // t.sms_batches) for k in range(t.sms_batches)
    ]
    topics = ("遵纪守法提醒", "廉洁过节提醒", "组织生活提醒", "安全生产提醒", "文明创建倡议")
    return [
        {
            "批次": f"DX{period[:4]}-{first + k:02d}",
            "发送日期": day,
            "提醒主题": rng.choice(topics),
            "发送条数": count,
        }
        for k, (day, count) in enumerate(zip(days, counts, strict=True))
    ]


def activities_ledger(rng: random.Random, t: LedgerTargets) -> list[Row]:
    """社区文化活动统计表: one row per community."""
    sessions = split_total(rng, t.activity_sessions, len(COMMUNITIES), low=30)
    people = split_total(rng, t.activity_people, len(COMMUNITIES), low=1500, step=10)
    themes = ("我们的节日", "邻居节", "体育健身", "市民教育", "理论宣讲")
    return [
        {
            "社区": community,
            "活动场次": s,
            "参与人次": p,
            "主要活动": "、".join(rng.sample(themes, 2)),
        }
        for community, s, p in zip(COMMUNITIES, sessions, people, strict=True)
    ]


def demolition_ledger(
    rng: random.Random, period: str, t: LedgerTargets, first: int = 1
) -> list[Row]:
    """违法建筑拆除台账: one row per case; areas sum to the reported total."""
    areas = split_total(rng, t.demolition_area, t.demolitions, low=20, step=5)
    start, end = period_days(period)
    days = sorted(random_day(rng, start, end) for _ in areas)
    return [
        {
            "编号": f"CW{period[:4]}-{first + i:02d}",
            "位置": f"{rng.choice(COMMUNITIES)}{rng.randrange(1, 60)}号",
            "当事人": person(rng),
            "拆除日期": day,
            "面积": area,
        }
        for i, (day, area) in enumerate(zip(days, areas, strict=True))
    ]


PARTNER_UNITS = (
    "某某中学",
    "某某小学",
    "某某幼儿园",
    "某某银行城北支行",
    "某某物业公司",
    "某某医院",
    "某某酒店",
    "某某商场",
    "某某培训学校",
    "某某律师事务所",
    "某某书店",
    "某某科技公司",
    "某某文化传媒公司",
    "某某体育馆",
    "某某停车管理公司",
    "某某企业党支部",
    "某某社会组织服务中心",
    "某某社区卫生服务中心",
    "某某养老服务中心",
    "某某青少年活动中心",
)
FACILITIES = ("文体场所", "党建教育基地", "停车场", "书吧", "会议室")


def partner_rows(rng: random.Random, units: Sequence[str], rows: int, area: int) -> list[Row]:
    """Shared facilities of ``units`` (each at least once) over ``rows`` rows totalling ``area``."""
    owners = list(units) + [rng.choice(units) for _ in range(rows - len(units))]
    rng.shuffle(owners)
    areas = split_total(rng, area, rows, low=40, step=10)
    return [
        {
            "社区": rng.choice(COMMUNITIES),
            "共建单位": owner,
            "设施类型": rng.choice(FACILITIES),
            "面积": size,
        }
        for owner, size in zip(owners, areas, strict=True)
    ]


def partners_ledgers(rng: random.Random) -> dict[str, list[Row]]:
    """社区合伙人 ledgers: each period keeps the rows before it and adds new partners."""
    first = partner_rows(rng, PARTNER_UNITS[:13], 18, 4350)
    later = partner_rows(rng, PARTNER_UNITS[13:17], 6, 1580)
    second_half = partner_rows(rng, PARTNER_UNITS[17:19], 3, 620)
    next_year = partner_rows(rng, PARTNER_UNITS[19:], 2, 380)
    rows = first + later + second_half + next_year
    numbered = [{"编号": f"HH-{i + 1:03d}", **row} for i, row in enumerate(rows)]
    return {"2022H1": numbered[:18], "2023H1": numbered[:24], "2023": numbered[:27],
            "2024H1": numbered}  # fmt: skip


VISITS = (
    (date(2022, 3, 18), "军区领导调研指导", "某某军分区"),
    (date(2022, 5, 12), "外地领导参观考察", "某某市某某区"),
    (date(2022, 6, 9), "军区领导调研指导", "某某部队"),
    (date(2022, 8, 23), "军区领导调研指导", "某某军分区"),
    (date(2022, 9, 15), "省厅级领导调研参观", "省退役军人事务厅"),
    (date(2022, 11, 3), "军区领导调研指导", "某某部队"),
    (date(2022, 12, 6), "外地领导参观考察", "某某县某某街道"),
    (date(2023, 2, 21), "军区领导调研指导", "某某警备区"),
    (date(2023, 3, 30), "军区领导调研指导", "某某部队"),
    (date(2023, 4, 18), "省厅级领导调研参观", "省民政厅"),
    (date(2023, 5, 25), "军区领导调研指导", "某某军分区"),
    (date(2023, 6, 20), "军区领导调研指导", "某某部队"),
    (date(2023, 8, 17), "外地领导参观考察", "某某市某某街道"),
    (date(2023, 9, 26), "省厅级领导调研参观", "省退役军人事务厅"),
    (date(2023, 11, 9), "军区领导调研指导", "某某部队"),
    (date(2024, 3, 14), "军区领导调研指导", "某某军分区"),
    (date(2024, 5, 22), "外地领导参观考察", "某某县某某镇"),
)


def visits_ledger(period: str) -> list[Row]:
    """双拥社区接待台账: every visit since the community began preparing, up to period end."""
    end = period_days(period)[1]
    return [
        {"编号": f"JD-{i + 1:03d}", "日期": day, "类别": kind, "来访单位": visitor}
        for i, (day, kind, visitor) in enumerate(VISITS)
        if day <= end
    ]


UPGRADES = (
    ("黄泥岭社区", date(2021, 10, 8), date(2022, 4, 26)),
    ("常青社区", date(2021, 11, 15), date(2022, 6, 14)),
    ("祝丰亭社区", date(2022, 3, 1), date(2023, 1, 12)),
    ("站前社区", date(2022, 3, 20), date(2023, 3, 8)),
    ("凤凰山社区", date(2022, 4, 6), date(2023, 4, 19)),
    ("红湖路社区", date(2022, 5, 16), date(2023, 5, 23)),
    ("北苑社区", date(2022, 6, 1), date(2023, 6, 15)),
    ("鸿苑社区", date(2022, 9, 5), date(2023, 10, 17)),
    ("五星社区", date(2022, 10, 10), date(2024, 4, 25)),
)


def upgrades_ledger(period: str) -> list[Row]:
    """党群服务中心提档升级项目台账: status of each project at period end."""
    end = period_days(period)[1]
    rows = []
    for i, (community, started, accepted) in enumerate(UPGRADES):
        done = accepted is not None and accepted <= end
        status = "已验收" if done else ("在建" if started <= end else "未开工")
        rows.append(
            {
                "项目编号": f"TD-{i + 1:02d}",
                "社区": community,
                "开工日期": started if started <= end else None,
                "验收状态": status,
                "验收日期": accepted if done else None,
            }
        )
    return rows


def district_economy_ledger(period: str) -> list[Row]:
    return [
        {"单位": unit, "区级税收": tax, "限额以上批零住餐业销售额": sales}
        for unit, (tax, sales) in DISTRICT_ECONOMY[period].items()
    ]


def district_party_ledger(period: str) -> list[Row]:
    return [{"单位": unit, "提档验收数": n} for unit, n in DISTRICT_PARTY[period].items()]


# ---------------------------------------------------------------- submissions

FILLERS = {
    "economy": ("张某", "0579-82351021"),
    "party": ("李某", "0579-82351036"),
    "social": ("王某", "0579-82351047"),
    "enforcement": ("陈某", "0579-82351058"),
    "urban": ("刘某", "0579-82351062"),
    "safety": ("赵某", "0579-82351075"),
    "district": ("周某", "0579-82351080"),
}


def header(department: str, period: str, filled_on: date) -> Header:
    filler, phone = FILLERS[department]
    return Header(department, period, filler, phone, filled_on)


def flow_ledgers(period: str) -> dict[str, list[Row]]:
    """Ledgers of what happened within a half-year: one row per case, batch or visit."""
    rng = random.Random(f"{SEED}-{period}")
    t = LEDGER_TARGETS[period]
    return {
        "inspection": inspection_ledger(rng, period, t),
        "mediation": mediation_ledger(rng, period, t),
        "sms": sms_ledger(rng, period, t),
        "activities": activities_ledger(rng, t),
        "demolitions": demolition_ledger(rng, period, t),
    }


def year_flow_ledgers(year: str) -> dict[str, list[Row]]:
    """A whole year's ledgers: the first half's rows, then the second half's, numbered on."""
    first, second = f"{year}H1", f"{year}H2"
    h1 = flow_ledgers(first)
    rng = random.Random(f"{SEED}-{second}")
    t = LEDGER_TARGETS[second]
    inspection = inspection_ledger(rng, second, t, h1["inspection"])
    mediation = mediation_ledger(rng, second, t, len(h1["mediation"]) + 1)
    sms = sms_ledger(rng, second, t, len(h1["sms"]) + 1)
    activities = activities_ledger(rng, t)
    demolitions = demolition_ledger(rng, second, t, len(h1["demolitions"]) + 1)
    return {
        "inspection": h1["inspection"] + inspection,
        "mediation": h1["mediation"] + mediation,
        "sms": h1["sms"] + sms,
        "activities": [
            {
                **a,
                "活动场次": a["活动场次"] + b["活动场次"],
                "参与人次": a["参与人次"] + b["参与人次"],
            }
            for a, b in zip(h1["activities"], activities, strict=True)
        ],
        "demolitions": h1["demolitions"] + demolitions,
    }


def department_submissions(period: str, catalog: Catalog) -> list[Submission]:
    """All departments of a half-year, or of a whole year from FIRST on, ledgers included."""
    whole_year = period_kind(period) == "Y"
    filled = date(int(period) + 1, 1, 16) if whole_year else period_days(period)[1] + timedelta(5)
    values = REPORTED[period] | (ECONOMY_YEAR[period] if whole_year else {})
    ledgers = {
        **(year_flow_ledgers(period) if whole_year else flow_ledgers(period)),
        "partners": partners_ledgers(random.Random(f"{SEED}-partners"))[period],
        "visits": visits_ledger(period),
        "upgrades": upgrades_ledger(period),
        "district_party": district_party_ledger(period),
    }
    if whole_year:
        ledgers["district_economy"] = district_economy_ledger(period)
    return [
        Submission(
            header(dept, period, filled),
            {c: v for c, v in values.items() if catalog.indicators[c]["department"] == dept},
            {c: rows for c, rows in ledgers.items() if catalog.ledgers[c]["department"] == dept},
        )
        for dept in catalog.departments
    ]


def history_submissions(period: str) -> list[Submission]:
    """Years before FIRST: economy annual figures, and the district table (all but 2002)."""
    filled = date(2023, 7, 3) if period == "2002" else date(int(period) + 1, 1, 16)
    subs = [Submission(header("economy", period, filled), dict(ECONOMY_YEAR[period]))]
    if period in DISTRICT_ECONOMY:
        ledger = {"district_economy": district_economy_ledger(period)}
        subs.append(Submission(header("district", period, filled), {}, ledger))
    return subs


# ---------------------------------------------------------------- checks


def growth_rank(period: str, column: int) -> int:
    """Rank (1 = fastest) of 城北街道's growth over the previous year in the district table."""
    now, before = DISTRICT_ECONOMY[period], DISTRICT_ECONOMY[str(int(period) - 1)]
    growth = {unit: now[unit][column] / before[unit][column] - 1 for unit in now}
    assert len(set(growth.values())) == len(growth), "ties in district growth"
    return sorted(growth.values(), reverse=True).index(growth[UNIT]) + 1


def half_up(value: float) -> int:
    return int(value + 0.5)


def check_year_targets() -> None:
    """The 2022 figures quoted in section 一 and their comparisons with 2002; 2023 ranks alike."""
    now, base = ECONOMY_YEAR["2022"], ECONOMY_YEAR["2002"]
    assert growth_rank("2022", 0) == 2 and growth_rank("2022", 1) == 3
    assert growth_rank("2023", 0) == 2 and growth_rank("2023", 1) == 3
    for year in ("2020", "2021", "2022", "2023"):
        tax, sales = DISTRICT_ECONOMY[year][UNIT]
        assert (tax, sales) == (ECONOMY_YEAR[year]["econ_tax"], ECONOMY_YEAR[year]["econ_sales"])
    multiples = {"econ_tax": 77, "econ_trade": 12, "econ_entities": 31, "econ_enterprises": 16}
    for code, want in multiples.items():
        assert half_up(now[code] / base[code] - 1) == want, code
    assert now["econ_entities"] - base["econ_entities"] == 4660
    assert now["econ_enterprises"] - base["econ_enterprises"] == 1311


def count(rows: list[Row], **where: object) -> int:
    return sum(all(row[k] == v for k, v in where.items()) for row in rows)


def total(rows: list[Row], column: str, **where: object) -> int:
    picked = (row[column] for row in rows if all(row[k] == v for k, v in where.items()))
    return sum(value for value in picked if isinstance(value, int))


def check_period(period: str, subs: list[Submission], catalog: Catalog) -> None:
    """Every ledger aggregate hits its target; 2023H1 hits the published figures."""
    led = {c: rows for s in subs for c, rows in s.ledgers.items()}
    whole_year = period_kind(period) == "Y"
    t = LEDGER_TARGETS[f"{period}H1"] + LEDGER_TARGETS[f"{period}H2"] if whole_year else None
    t = t or LEDGER_TARGETS[period]
    inspection = led["inspection"]
    assert len(inspection) == REPORTED[period]["safety_inspected"] == t.inspection_rows
    for code, rows in led.items():
        key = catalog.ledgers[code]["key"]
        assert len({row[key] for row in rows}) == len(rows), (period, code)
    assert total(inspection, "隐患数") == t.hazards
    assert total(inspection, "整改数") == t.hazards - t.unfixed
    assert all(total([row], "整改数") <= total([row], "隐患数") for row in inspection)
    assert count(inspection, 处理结果="立案查处") == t.filed
    assert count(inspection, 处理结果="关停") == t.closed
    assert total(inspection, "拆除改造防盗窗广告牌数") == t.removed
    assert count(led["mediation"], 调解结果="调解成功") == t.mediation_success
    assert total(led["mediation"], "涉及金额", 调解结果="调解成功") == t.mediation_amount
    assert (len(led["sms"]), total(led["sms"], "发送条数")) == (t.sms_batches, t.sms_messages)
    assert total(led["activities"], "活动场次") == t.activity_sessions
    assert total(led["activities"], "参与人次") == t.activity_people
    assert len(led["demolitions"]) == t.demolitions
    assert total(led["demolitions"], "面积") == t.demolition_area
    if period == "2023H1":
        check_published_half_year(led)
    check_party_rank(period, led)


PARTY_RANK = {"2022H1": 2, "2023H1": 1, "2023": 1, "2024H1": 2}  # the rank that changes


def check_party_rank(period: str, led: dict[str, list[Row]]) -> None:
    """城北街道's row of the district table is its own upgrades ledger; 2024H1 falls to second."""
    party = DISTRICT_PARTY[period]
    assert count(led["upgrades"], 验收状态="已验收") == party[UNIT], period
    assert list(party.values()).count(party[UNIT]) == 1
    rank = sorted(party.values(), reverse=True).index(party[UNIT]) + 1
    assert rank == PARTY_RANK[period], (period, rank)


def check_published_half_year(led: dict[str, list[Row]]) -> None:
    """Figures of the 2023H1 report that come from ledgers without a LedgerTargets field."""
    assert len({row["共建单位"] for row in led["partners"]}) == 17
    assert total(led["partners"], "面积") == 5930
    kinds = ("省厅级领导调研参观", "外地领导参观考察", "军区领导调研指导")
    assert [count(led["visits"], 类别=kind) for kind in kinds] == [2, 2, 8]
    assert count(led["upgrades"], 验收状态="已验收") == 7


RULE = re.compile(r"^(\w+) (<=|>=) (\w+)$")


def rule_holds(rule: str, values: dict[str, Number]) -> bool | None:
    """Evaluate a catalog rule ``a <= b`` on reported values; None when it needs a derived one."""
    match = RULE.match(rule)
    assert match, rule
    left, op, right = match.groups()
    if left not in values or right not in values:
        return None
    return values[left] <= values[right] if op == "<=" else values[left] >= values[right]


def check_rules(values: dict[str, Number], catalog: Catalog) -> None:
    """The catalog's cross-field rules hold on the reported figures of a period."""
    for ind in catalog.indicators.values():
        for rule in ind.get("rules", []):
            assert rule_holds(rule, values) is not False, rule


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Catalog:
    """The parts of catalog.toml the generator needs, keyed by code."""

    departments: dict[str, str]
    ledgers: dict[str, dict[str, Any]]
    indicators: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, path: Path) -> Catalog:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            {d["code"]: d["name"] for d in data["departments"]},
            {lg["code"]: lg for lg in data["ledgers"]},
            {i["code"]: i for i in data["indicators"]},
        )

    def reported(self, department: str, period: str) -> list[str]:
        """Codes a department must type into its 指标 sheet in a period, catalog order."""
        return [
            code
            for code, ind in self.indicators.items()
            if ind["department"] == department and "formula" not in ind and due(ind, period)
        ]

    def ledger_codes(self, department: str, kind: str) -> list[str]:
        return [
            code
            for code, lg in self.ledgers.items()
            if lg["department"] == department and kind in lg["frequency"]
        ]


BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
DATE_FORMAT = "yyyy-mm-dd"


def form_title(sub: Submission) -> str:
    if sub.header.department == "district":
        return f"{UNIT}{full_label(sub.header.period)}区级对比数据填报表"
    return f"{UNIT}{full_label(sub.header.period)}工作总结数据填报表"


def write_indicator_sheet(ws: Worksheet, sub: Submission, catalog: Catalog) -> None:
    """The 指标 sheet: header block, then one row per reported indicator."""
    h = sub.header
    ws.title = "指标"
    ws.merge_cells("A1:E1")
    ws["A1"] = form_title(sub)
    ws["A1"].font = TITLE
    ws["A1"].alignment = Alignment(horizontal="center")
    fields = (
        ("单位", UNIT),
        ("部门", catalog.departments[h.department]),
        ("报告期", h.period),
        ("填报人", h.filler),
        ("联系电话", h.phone),
        ("填报日期", h.filled_on),
    )
    for row, (label, value) in enumerate(fields, start=2):
        ws.cell(row, 1, label).font = BOLD
        ws.cell(row, 2, value)
    ws["B7"].number_format = DATE_FORMAT
    ws["B7"].alignment = Alignment(horizontal="left")
    write_table_header(ws, 9, ("编码", "名称", "单位", "数值", "备注"))
    codes = catalog.reported(h.department, h.period)
    if is_history(h.period):  # what was kept then: a subset of today's catalog
        assert set(sub.values) <= set(codes), (h, set(sub.values) - set(codes))
        codes = [code for code in codes if code in sub.values]
    assert sorted(codes) == sorted(sub.values), (h, set(codes) ^ set(sub.values))
    for row, code in enumerate(codes, start=10):
        ind = catalog.indicators[code]
        cells = (code, ind["name"], ind["unit"], sub.values[code], NOTES.get(code))
        for col, value in enumerate(cells, start=1):
            ws.cell(row, col, value).border = BOX
    for col, width in zip("ABCDE", (30, 40, 10, 14, 28), strict=True):
        ws.column_dimensions[col].width = width


def write_table_header(ws: Worksheet, row: int, labels: Sequence[str]) -> None:
    for col, label in enumerate(labels, start=1):
        cell = ws.cell(row, col, label)
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.border = BOX
        cell.alignment = Alignment(horizontal="center")


def write_ledger_sheet(ws: Worksheet, ledger: dict[str, Any], rows: list[Row]) -> None:
    """A ledger sheet: column names in row 1 as in the catalog, one record a row."""
    columns = [c["name"] for c in ledger["columns"]]
    assert rows and all(set(row) == set(columns) for row in rows), ledger["code"]
    write_table_header(ws, 1, columns)
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(columns, start=1):
            cell = ws.cell(r, c, row[name])
            if isinstance(row[name], date):
                cell.number_format = DATE_FORMAT
    for c, name in enumerate(columns, start=1):
        longest = max(len(str(row[name] or "")) for row in rows)
        ws.column_dimensions[get_column_letter(c)].width = max(
            len(name) * 2 + 4, longest * 2 + 2, 12
        )
    ws.freeze_panes = "A2"


def build_workbook(sub: Submission, catalog: Catalog) -> Workbook:
    wb = Workbook()
    write_indicator_sheet(wb.active, sub, catalog)
    codes = catalog.ledger_codes(sub.header.department, period_kind(sub.header.period))
    if is_history(sub.header.period):
        codes = [code for code in codes if code in sub.ledgers]
    assert sorted(codes) == sorted(sub.ledgers), (sub.header, codes)
    for code in codes:
        ledger = catalog.ledgers[code]
        write_ledger_sheet(wb.create_sheet(str(ledger["sheet"])), ledger, sub.ledgers[code])
    wb.properties.creator = UNIT
    wb.properties.lastModifiedBy = sub.header.filler
    wb.properties.title = form_title(sub)
    wb.properties.created = STAMP
    return wb


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def frozen_bytes(wb: Workbook) -> bytes:
    """Serialise with fixed timestamps so regenerating gives identical files."""
    raw = io.BytesIO()
    wb.save(raw)
    out = io.BytesIO()
    stamp = STAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=STAMP.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, content)
    return out.getvalue()


def file_name(sub: Submission, catalog: Catalog) -> str:
    return f"{UNIT}_{sub.header.period}_{catalog.departments[sub.header.department]}.xlsx"


def all_submissions(catalog: Catalog) -> dict[str, list[Submission]]:
    """Every period of the sample, checked against its targets."""
    check_year_targets()
    periods: dict[str, list[Submission]] = {}
    for period in ("2024H1", "2023", "2023H1", "2022H1"):
        check_rules(REPORTED[period] | ECONOMY_YEAR.get(period, {}), catalog)
        periods[period] = department_submissions(period, catalog)
        check_period(period, periods[period], catalog)
    for period in ("2022", "2021", "2020", "2002"):
        check_rules(ECONOMY_YEAR[period], catalog)
        periods[period] = history_submissions(period)
    return periods


def generate(out_dir: Path, catalog_path: Path = SAMPLE / "catalog.toml") -> list[Path]:
    """Write every workbook under ``out_dir/<period>/``; return the paths written."""
    catalog = Catalog.load(catalog_path)
    written = []
    for period, subs in all_submissions(catalog).items():
        folder = out_dir / period
        folder.mkdir(parents=True, exist_ok=True)
        for sub in subs:
            path = folder / file_name(sub, catalog)
            path.write_bytes(frozen_bytes(build_workbook(sub, catalog)))
            written.append(path)
    return written


def main(argv: list[str], report: Callable[[str], None] = print) -> int:
    out_dir = Path(argv[1]) if len(argv) > 1 else SAMPLE / "submissions"
    written = generate(out_dir)
    report(f"已生成 {len(written)} 个工作簿，位于 {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
