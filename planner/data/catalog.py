"""The agency and segment catalog (``data/agencies.yaml``), validated on load."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from planner.domain import ANCHOR
from planner.errors import DataError
from planner.paths import data_dir

Presence = Literal["listed", "every_unit", "cities", "sido_listed", "none"]


class Segment(BaseModel):
    """A demand segment: which column of ``figures.csv`` measures it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    column: str
    name_ko: str
    name_en: str
    estimate: bool = Field(description="True where the column is a proxy or an estimate")
    note: str = ""


class Agency(BaseModel):
    """A tenant agency; see the header of ``data/agencies.yaml`` for each field."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name_ko: str
    name_en: str
    operator: str
    legal_basis: str
    segment: str | None
    staff_per_center: int = Field(ge=0)
    staff_basis: str
    mandatory: bool
    extended_only: bool
    establishment: Literal["relocate_only", "may_establish"]
    presence: Presence
    existing_count: int | None = None
    value: Literal["segment", "fixed_per_center"] = "segment"
    relocates: bool = True

    @model_validator(mode="after")
    def _value_matches_segment(self) -> Agency:
        if (self.value == "segment") != (self.segment is not None):
            raise ValueError(
                f"agency {self.name_en}: value {self.value!r} with segment {self.segment!r}; "
                "allowed: value segment with a segment, or fixed_per_center with segment null"
            )
        return self


class Catalog(BaseModel):
    """Segments and agencies, cross-checked (each segment served by a known agency)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    segments: dict[str, Segment]
    agencies: dict[str, Agency]

    @model_validator(mode="after")
    def _segments_known(self) -> Catalog:
        for aid, agency in self.agencies.items():
            if agency.segment is not None and agency.segment not in self.segments:
                raise ValueError(f"agency {aid}: segment {agency.segment!r} not in segments")
        if ANCHOR not in self.agencies:
            raise ValueError(f"the catalog must define {ANCHOR}, the anchor agency")
        return self

    def agency_of_segment(self) -> dict[str, str]:
        """Segment id -> the agency that serves it (the first agency naming it)."""
        out: dict[str, str] = {}
        for aid, agency in self.agencies.items():
            if agency.segment is not None:
                out.setdefault(agency.segment, aid)
        return out


def load_catalog(path: Path | None = None) -> Catalog:
    """Read and validate the agency catalog."""
    path = path or data_dir() / "agencies.yaml"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return Catalog.model_validate(raw)
    except FileNotFoundError as exc:
        raise DataError(f"{path}: agency catalog not found") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise DataError(f"{path}: invalid agency catalog: {exc}") from exc
