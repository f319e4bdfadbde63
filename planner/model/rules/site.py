"""Rules on sites: kind, format, eligibility, fixed decisions."""

from __future__ import annotations

from planner.model.registry import RuleContext, add_into, rule, sum_terms


@rule("site-one_kind", name_ko="한 곳 한 센터")
def one_kind(ctx: RuleContext) -> None:
    """At most one center per site: sum_k open[j,y,k] <= 1.

    Reads the kinds of the scenario. With site-stays_open, the kind is fixed once chosen.
    Formulation: docs/formulation.md R1.
    """
    v = ctx.v
    for j in v.sites:
        for y in v.years:
            ctx.add(v.is_open(j, y), "<=", 1, f"{j}@{y}")


@rule("site-stays_open", name_ko="개소 후 유지")
def stays_open(ctx: RuleContext) -> None:
    """A center never closes and keeps its kind: open[j,y,k] >= open[j,y-1,k].

    Phase 1 compares with the centers open before the horizon (sites.existing).
    Formulation: docs/formulation.md R2.
    """
    v = ctx.v
    for j in v.sites:
        for k in v.kinds:
            for y in v.years:
                terms, const = v.opened(j, y, k)
                if terms:
                    ctx.add(terms, ">=", 0, f"{j}:{k}@{y}", const)


@rule("site-one_format", name_ko="형태 하나")
def one_format(ctx: RuleContext) -> None:
    """An open center has exactly one format, kept once chosen.

    sum_f fmt[j,f,y] = sum_k open[j,y,k]; fmt[j,f,y] >= fmt[j,f,y-1].
    Formulation: docs/formulation.md R3.
    """
    v = ctx.v
    for j in v.sites:
        for y in v.years:
            terms = sum_terms(
                {v.fmt[(j, f, y)]: 1 for f in v.formats}, {c: -1 for c in v.is_open(j, y)}
            )
            ctx.add(terms, "==", 0, f"{j}@{y}")
            for f in v.formats:
                t, const = v.format_opened(j, f, y)
                if t:
                    ctx.add(t, ">=", 0, f"{j}:{f}@{y}", const)


@rule("site-kind_eligibility", name_ko="유형별 개소 자격")
def kind_eligibility(ctx: RuleContext) -> None:
    """A kind opens only where its eligibility holds: open[j,y,k] = 0 elsewhere.

    Eligibility is data of the kind: kinds.<k>.office (required: an Employment Center office
    stands in j in the network of network_year; none: none does) and kinds.<k>.area
    (metropolitan: j in a 특별시/광역시; listed: j in eligible_codes). Centers open before the
    horizon keep their kind.
    Formulation: docs/formulation.md R4.
    """
    v, inst = ctx.v, ctx.inst
    for k in inst.scenario.kinds:
        ok = inst.kind_sites(k)
        for j in v.sites:
            if j not in ok and v.existing_kind.get(j) != k:
                for y in v.years:
                    ctx.fix_zero(v.open[(j, y, k)], f"{j}:{k}@{y}")


@rule("site-earliest_year", name_ko="유형별 최초 연도")
def earliest_year(ctx: RuleContext) -> None:
    """A kind opens no center before its earliest year: open[j,y,k] = 0 for y < earliest.

    Centers that existed before the horizon are exempt. Skipped for kinds without a year.
    Formulation: docs/formulation.md R5.
    """
    v, inst = ctx.v, ctx.inst
    for k, kind in inst.scenario.kinds.items():
        if kind.earliest_year is None:
            continue
        for y in v.years:
            if y < kind.earliest_year:
                for j in v.sites:
                    if v.existing_kind.get(j) != k:
                        ctx.fix_zero(v.open[(j, y, k)], f"{j}:{k}@{y}")


@rule("site-kind_cap", name_ko="유형별 단계 상한")
def kind_cap(ctx: RuleContext) -> None:
    """At most kinds.<k>.max_per_phase centers of kind k open in one phase.

    Skipped for kinds without a cap.
    Formulation: docs/formulation.md R6.
    """
    v, inst = ctx.v, ctx.inst
    for k, kind in inst.scenario.kinds.items():
        if kind.max_per_phase is None:
            continue
        for y in v.years:
            terms: dict[int, int] = {}
            const = 0
            for j in v.sites:
                t, c = v.opened(j, y, k)
                add_into(terms, t)
                const += c
            ctx.add(terms, "<=", kind.max_per_phase, f"{k}@{y}", const)


@rule("site-existing", name_ko="기존 센터 유지")
def existing(ctx: RuleContext) -> None:
    """Centers open before the horizon (sites.existing) are open from phase 1 in their kind.

    open[j,y1,k] = 1 and fmt[j,f,y1] = 1 for each existing center. Skipped when there are none.
    Formulation: docs/formulation.md R7.
    """
    v = ctx.v
    y1 = v.years[0]
    for j, k in v.existing_kind.items():
        ctx.add({v.open[(j, y1, k)]: 1}, "==", 1, f"{j}:{k}")
        f = v.existing_format[j]
        ctx.add({v.fmt[(j, f, y1)]: 1}, "==", 1, f"{j}:{f}")


@rule("site-forced", name_ko="지정 개소")
def forced(ctx: RuleContext) -> None:
    """Planner's fixed sites: a center at j by year y (of kind k, format f when given).

    Reads sites.forced; a forced site without a year must be open by the last phase; its
    tenants (sites.forced[].tenants) are in the center by that year.
    Formulation: docs/formulation.md R8.
    """
    v = ctx.v
    for f in ctx.inst.forced:
        if f.code not in v.sites:
            continue
        y = f.year or v.years[-1]
        if f.kind is not None:
            ctx.add({v.open[(f.code, y, f.kind)]: 1}, "==", 1, f"{f.code}:{f.kind}@{y}")
        else:
            ctx.add(v.is_open(f.code, y), "==", 1, f"{f.code}@{y}")
        if f.format is not None:
            ctx.add({v.fmt[(f.code, f.format, v.years[-1])]: 1}, "==", 1, f"{f.code}:{f.format}")
        for a in f.tenants:
            if (f.code, a, y) in v.host:
                ctx.add({v.host[(f.code, a, y)]: 1}, "==", 1, f"{f.code}:{a}@{y}")


@rule("site-forbidden", name_ko="개소 제외")
def forbidden(ctx: RuleContext) -> None:
    """Planner's excluded sites: no center at j in any phase.

    Reads sites.forbidden.
    Formulation: docs/formulation.md R9.
    """
    v = ctx.v
    for j in ctx.inst.scenario.sites.forbidden:
        if j in v.sites:
            ctx.add(v.is_open(j, v.years[-1]), "<=", 0, j)


@rule("site-frozen", name_ko="확정 단계 고정")
def frozen(ctx: RuleContext) -> None:
    """The phases up to sites.frozen.through_year are exactly the frozen table's plan.

    For y <= through_year: open[j,y,k] = 1 iff the table's center at j opened by y as kind k
    (0 for every other site and kind: no other center opens), fmt[j,f,y] = 1 iff its format
    is f, host[j,a,y] = 1 iff tenant a is in it by y. A center open before the horizon
    (sites.existing) that the table does not list is left to site-existing. Skipped without
    sites.frozen.
    Formulation: docs/formulation.md R23.
    """
    fr, v = ctx.inst.frozen, ctx.v
    if fr is None:
        return
    for y in v.years:
        if y > fr.through_year:
            continue
        for j in v.sites:
            c = fr.centers.get(j)
            c = c if c is not None and c.year <= y else None
            if c is None and j in v.existing_kind:
                continue
            for k in v.kinds:
                want = int(c is not None and c.kind == k)
                ctx.add({v.open[(j, y, k)]: 1}, "==", want, f"{j}:{k}@{y}")
            for f in v.formats:
                want = int(c is not None and c.format == f)
                ctx.add({v.fmt[(j, f, y)]: 1}, "==", want, f"{j}:{f}@{y}")
            for a in v.agencies:
                if (j, a, y) in v.host:
                    want = int(c is not None and c.tenants.get(a, y + 1) <= y)
                    ctx.add({v.host[(j, a, y)]: 1}, "==", want, f"{j}:{a}@{y}")
