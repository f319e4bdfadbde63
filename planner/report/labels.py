"""One source of display names: every id that reaches a person, Korean first.

Segments and agencies are named by the catalog (data/agencies.yaml), kinds and formats by the
scenario, districts and 시도 by the units table, statuses and rules here and in solution.json.
Map, report, workbook, charts and CLI all ask this module; an id without a name is shown as
itself.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

import pandas as pd

STATUS = {
    "optimal": ("최적 (증명됨)", "optimal (proven)"),
    "feasible": ("실행 가능 (최적 미증명)", "feasible (not proven optimal)"),
    "interrupted": ("중단됨 (최적 미증명)", "interrupted (not proven optimal)"),
    "infeasible": ("실행 불가 (증명됨)", "infeasible (proven)"),
    "unknown": ("미확인", "unknown"),
}
# what the objective counts, per objective mode
OBJECTIVE_UNIT = {
    "max_served": ("도달 가중 이용자 × 단계", "reach-weighted persons x phases served"),
    "max_coverage": ("권역 내 이용자 × 단계", "persons within reach x phases"),
    "min_travel": ("이용자 × 이동 분", "person-minutes of travel"),
}
HEADERS_KO = {
    "code": ("코드", "code"),
    "name_ko": ("시군구", "district"),
    "name_en": ("영문명", "English name"),
    "sido": ("시도", "province"),
    "phase_opened": ("개소 연도", "year opened"),
    "kind": ("유형", "kind"),
    "format": ("형태", "format"),
    "tenants": ("입주기관 (입주 연도)", "tenants (year in)"),
    "guest_welfare_teams": ("파견 복지팀 (시군구)", "guest welfare teams (district)"),
    "mean_travel_min": ("평균 이동시간 (분)", "mean travel (min)"),
    "year": ("연도", "year"),
    "centers_open": ("운영 센터", "centers open"),
    "centers_new": ("신규 센터", "new centers"),
    "cost_mkrw": ("사업비 (백만원)", "cost (million KRW)"),
    "budget_mkrw": ("예산 (백만원)", "budget (million KRW)"),
    "demand_data_year": ("수요 자료 연도", "demand data year"),
    "units": ("시군구 수", "districts"),
    "centers": ("센터 수", "centers"),
    "agency": ("기관", "agency"),
    "placed": ("신규 배치 인력", "staff placed"),
    "cumulative": ("누적 인력", "cumulative staff"),
    "pool": ("인력 풀", "staff pool"),
    "pool_basis": ("풀 기준", "pool basis"),
    "item": ("항목", "item"),
    "kind_of_item": ("구분", "type"),
    "detail": ("내용", "detail"),
    "source": ("출처", "source"),
    "key": ("키", "key"),
    "value": ("값", "value"),
    "column": ("열", "column"),
    "type": ("종류", "type"),
    "years": ("연도", "years"),
    "district": ("시군구", "district"),
    "point": ("수요 지점", "demand point"),
    "segment": ("이용자 유형", "segment"),
    "site": ("센터 위치", "center site"),
    "demand": ("이용자 수", "clients"),
    "travel_min": ("이동시간 (분)", "travel (min)"),
    "reach": ("도달도", "reach"),
    "via": ("담당 기관", "served by"),
    "mean_access": ("평균 접근성 (E2SFCA, 10만 명당 센터)", "mean access (E2SFCA, per 100,000)"),
    "share_beyond_cutoff": ("권역 밖 인구 비율", "share beyond the cutoff"),
    "gini_districts": ("지니계수 (시군구 간)", "Gini (across districts)"),
    "gini_people": ("지니계수 (인구 간)", "Gini (across people)"),
    "theil": ("타일 지수", "Theil T"),
    "theil_between_sido": ("타일 지수: 시도 간", "Theil: between 시도"),
    "theil_within_sido": ("타일 지수: 시도 내", "Theil: within 시도"),
    "served_share": ("가중 충족률 (시도 수요 대비)", "served share of the 시도's demand"),
}
PREFIX_KO = {
    "counsellors_": ("상담 인력", "counsellors"),
    "cases_per_day_": ("1인당 일 상담 건수", "cases per counsellor per day"),
    "clients_per_counsellor_": ("1인당 관리 인원", "clients per counsellor"),
    "staff_": ("인력", "staff"),
    "served_": ("이용자", "served"),
    "coverage_": ("충족률", "coverage"),
    "reach_weighted_": ("거리가중 충족률", "reach-weighted coverage"),
    "open_": ("운영", "open"),
    "access_": ("접근성 (E2SFCA, 10만 명당)", "access (E2SFCA, per 100,000)"),
    "beyond_cutoff_": ("권역 밖 인구", "people beyond the cutoff"),
    "people_": ("인구", "people"),
}
FACTS_KO = {
    "scenario": "시나리오",
    "status": "해법 상태",
    "backend": "솔버",
    "objective": "목적함수",
    "best_bound": "한계 (최선 경계)",
    "gap": "격차",
    "proven_optimal": "최적 증명 여부",
    "solve_s": "풀이 시간 (초)",
    "build_s": "모델 구축 시간 (초)",
    "variables": "변수 수",
    "constraints": "제약 수",
    "objective_recomputed": "검증기가 다시 계산한 목적함수",
    "soft_penalty": "완화 규칙 벌점",
    "interrupted": "중단 여부",
    "proof": "증명 방식",
    "checked_rules": "검증한 규칙",
    "checked_by_own_rows": "자체 행으로만 검증한 규칙 (사용자 규칙)",
    "worst_sido": "충족률이 가장 낮은 시도",
}
POOL_BASIS = {"per_phase": ("단계별", "per phase"), "cumulative": ("누적", "cumulative")}


def pair(ko: str, en: str) -> str:
    """'한글 / English', or one of them when they are the same or one is missing."""
    if not en or en == ko:
        return ko or en
    return f"{ko} / {en}" if ko else en


class Labels:
    """Display names of a run's ids (built from a RunData)."""

    def __init__(self, run: Any):
        self.run = run

    @cached_property
    def _catalog(self):
        return self.run.districts.catalog

    @cached_property
    def _units(self):
        return self.run.districts.units

    # --- ids ------------------------------------------------------------------------------
    def segment(self, s: str) -> str:
        seg = self._catalog.segments.get(s)
        return pair(seg.name_ko, seg.name_en) if seg is not None else s

    def segment_ko(self, s: str) -> str:
        seg = self._catalog.segments.get(s)
        return seg.name_ko if seg is not None else s

    def agency(self, a: str) -> str:
        ag = self._catalog.agencies.get(a)
        return pair(ag.name_ko, ag.name_en) if ag is not None else a

    def agency_ko(self, a: str) -> str:
        ag = self._catalog.agencies.get(a)
        return ag.name_ko if ag is not None else a

    def kind(self, k: str) -> str:
        kd = self.run.scenario.get("kinds", {}).get(k, {})
        return pair(kd.get("name_ko", k), kd.get("name_en", k))

    def format(self, f: str) -> str:
        fm = self.run.scenario.get("formats", {}).get(f, {})
        return pair(fm.get("name_ko", f), fm.get("name_en", f))

    def district(self, code: str) -> str:
        if code in self._units.index:
            u = self._units.loc[code]
            return pair(str(u.name_ko), str(u.name_en))
        return code

    def district_ko(self, code: str) -> str:
        return str(self._units.loc[code].name_ko) if code in self._units.index else code

    def sido(self, name: str) -> str:
        match = self._units[self._units.sido == name]
        return pair(name, str(match.sido_en.iloc[0])) if len(match) else name

    def status(self, status: str | None) -> str:
        ko, en = STATUS.get(str(status), (str(status), str(status)))
        return pair(ko, en)

    def rule(self, name: str) -> str:
        info = self.run.document.get("rules", {}).get(name, {})
        ko = info.get("name_ko")
        return f"{ko} ({name})" if ko else name

    def objective_unit(self) -> str:
        mode = self.run.scenario.get("objective", {}).get("mode", "max_served")
        return pair(*OBJECTIVE_UNIT.get(mode, (mode, mode)))

    # --- table cells and headers ------------------------------------------------------------
    def header(self, col: str) -> str:
        """'한글 / English' header of a column, with segment and agency names."""
        if col in HEADERS_KO:
            return pair(*HEADERS_KO[col])
        for p, (ko, en) in PREFIX_KO.items():
            if col.startswith(p):
                rest = col.removeprefix(p)
                if rest in self._catalog.segments:
                    seg = self._catalog.segments[rest]
                    return pair(f"{ko} {seg.name_ko}", f"{en} {seg.name_en}")
                if rest in self._catalog.agencies:
                    ag = self._catalog.agencies[rest]
                    return pair(f"{ko} {ag.name_ko}", f"{en} {ag.name_en}")
                if p == "open_":
                    kd = self.run.scenario.get("kinds", {}).get(rest, {})
                    return pair(
                        f"{ko} {kd.get('name_ko', rest)}", f"{en} {kd.get('name_en', rest)}"
                    )
                return pair(f"{ko} {rest}", f"{en} {rest}")
        return col

    def tenants(self, text: str) -> str:
        """'saeil@2014;welfare_team@2014' -> '여성새로일하기센터 (2014), 복지지원팀 (2014)'."""
        out = []
        for t in str(text).split(";"):
            if t:
                a, _, y = t.partition("@")
                out.append(f"{self.agency_ko(a)} ({y})" if y else self.agency_ko(a))
        return ", ".join(out)

    def districts(self, text: str) -> str:
        """'11500;28200' -> '강서구, 남동구' (codes kept in the CSV)."""
        return ", ".join(self.district_ko(c) for c in str(text).split(";") if c)

    def pool_basis(self, basis: str) -> str:
        return pair(*POOL_BASIS.get(basis, (basis, basis)))

    def phase_opened(self, phase: str) -> str:
        return "기존 / existing" if phase == "existing" else phase

    # column -> how its ids are named (the other columns are shown as they are)
    _NAMED_COLUMNS = {
        "kind": "kind",
        "format": "format",
        "agency": "agency",
        "via": "agency",
        "segment": "segment",
        "tenants": "tenants",
        "guest_welfare_teams": "districts",
        "district": "district",
        "site": "district",
        "sido": "sido",
        "pool_basis": "pool_basis",
        "phase_opened": "phase_opened",
    }

    def cell(self, col: str, value: Any) -> Any:
        """A table value as people read it: names for ids, the value itself otherwise."""
        namer = self._NAMED_COLUMNS.get(col)
        if namer is None or not isinstance(value, str):
            return value
        return getattr(self, namer)(value)

    @cached_property
    def _id_pattern(self) -> re.Pattern:
        ids = sorted({*self._catalog.agencies, *self._catalog.segments}, key=len, reverse=True)
        return re.compile(r"(?<![\w\-.])(" + "|".join(map(re.escape, ids)) + r")(?![\w\-])")

    def text(self, text: str) -> str:
        """A generated sentence with agency and segment ids replaced by their names."""

        def name(m: re.Match) -> str:
            i = m.group(1)
            return self.agency(i) if i in self._catalog.agencies else self.segment(i)

        return self._id_pattern.sub(name, str(text))

    def facts(self, facts: dict) -> pd.DataFrame:
        """Solver facts as key / value rows, statuses and rules by name (no violations)."""
        rows = []
        for k, v in facts.items():
            if k == "violations":
                continue
            if k == "status":
                v = self.status(v)
            elif k in ("checked_rules", "checked_by_own_rows") and isinstance(v, list):
                v = ", ".join(self.rule(n) for n in v) or "-"
            elif k == "worst_sido" and isinstance(v, dict):
                v = f"{self.sido(v['sido'])} {v['year']}: {v['served_share']:.2%}"
            rows.append({"key": pair(FACTS_KO[k], k) if k in FACTS_KO else k, "value": v})
        return pd.DataFrame(rows, columns=["key", "value"])

    def frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``df`` with every id column shown by its names."""
        out = df.copy()
        for c in out.columns:
            if c in self._NAMED_COLUMNS:
                out[c] = [self.cell(c, v) for v in out[c]]
        return out
