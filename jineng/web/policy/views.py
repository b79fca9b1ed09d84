"""Policy pages: the catalogue of documents and items, a subject's explanation beside the clause
text (bureau console, and "我的待遇" for a worker), and what-if simulations with the budget table
and a server-rendered SVG chart.

Pages validate input and render; access is decided by the selectors (Http404 out of scope) and the
services (PermissionDenied), as in the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from jineng.identity.access import request_scope
from jineng.identity.errors import ValidationFailed
from jineng.identity.models import Person, Role, User
from jineng.identity.selectors import (
    DocumentSearchRefused,
    DocumentSearchThrottled,
    may_search_by_document,
    people_search,
    person_search_by_document,
)
from jineng.organisations.access import organisations_visible_to
from jineng.organisations.models import Organisation
from jineng.policy import selectors, services, whatif
from jineng.policy.engine.model import PERSON_BENEFICIARIES
from jineng.policy.models import PopulationSource, SimulationRun
from jineng.web.guards import page, signed_in_user

SEARCH_LIMIT = 50
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ADJUSTMENT_ROWS = 3  # what-if rows offered on the form


# --- forms ------------------------------------------------------------------------------------


def _policy_choices() -> list[tuple[str, str]]:
    return [("", str(_("全部政策文件")))] + [
        (d.id, d.title) for d in selectors.policies().documents
    ]


class ExplainOptionsForm(forms.Form):
    on = forms.DateField(label=_("评估日期"), required=False)
    policy = forms.ChoiceField(label=_("政策文件"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["policy"].choices = _policy_choices()  # type: ignore[attr-defined]


class NumberSearchForm(forms.Form):
    """Sent by POST, so a full document number never lands in a URL or a log line."""

    id_number = forms.CharField(label=_("证件号码"), max_length=32)

    def clean_id_number(self) -> str:
        return "".join(str(self.cleaned_data["id_number"]).split()).upper()


class SimulationForm(forms.Form):
    on = forms.DateField(label=_("测算日期"))
    population = forms.ChoiceField(
        label=_("测算人群"), choices=PopulationSource.choices, initial=PopulationSource.CITY
    )
    facts_file = forms.FileField(label=_("事实文件（JSON 或 JSON Lines）"), required=False)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        upload = data.get("facts_file")
        if data.get("population") == PopulationSource.FILE:
            if upload is None:
                self.add_error("facts_file", _("请选择要上传的事实文件。"))
            elif upload.size > MAX_UPLOAD_BYTES:
                self.add_error("facts_file", _("文件不能超过 20 MB。"))
        return data


@dataclass
class AdjustmentRow:
    """One what-if row of the form: the item picked by title, one of its parameters, a value."""

    item: str = ""
    parameter: str = ""
    value: str = ""
    valid_from: str = ""
    error: str = ""
    parameters: tuple[whatif.ParameterChoice, ...] = ()


def _adjustment_rows(request: HttpRequest) -> list[AdjustmentRow]:
    if request.method != "POST":
        return [AdjustmentRow() for _ in range(ADJUSTMENT_ROWS)]
    fields = [
        request.POST.getlist(f"adj_{n}")[:ADJUSTMENT_ROWS]
        for n in ("item", "parameter", "value", "from")
    ]
    rows = []
    for n in range(ADJUSTMENT_ROWS):
        item, parameter, value, valid_from = (
            f[n].strip()[:200] if n < len(f) else "" for f in fields
        )
        rows.append(AdjustmentRow(item, parameter, value, valid_from))
    return rows


def _row_overrides(rows: list[AdjustmentRow], on: dt.date) -> list[str] | None:
    """The rows as engine override text; None when a row is refused (its error is set)."""
    loaded = selectors.policies()
    out, ok = [], True
    for row in rows:
        if row.item:
            try:
                row.parameters = whatif.item_parameters(loaded.item(row.item), on)
            except KeyError:
                row.parameters = ()
        if not (row.item or row.parameter or row.value):
            continue
        try:
            if not row.item:
                raise whatif.OverrideRefused("请选择要调整的政策条目")
            if not row.parameter:
                raise whatif.OverrideRefused("请选择要调整的参数")
            if not row.value:
                raise whatif.OverrideRefused("请填写调整后的数值")
            try:
                valid_from = dt.date.fromisoformat(row.valid_from) if row.valid_from else None
            except ValueError:
                raise whatif.OverrideRefused("生效日期应为 YYYY-MM-DD") from None
            out.append(
                whatif.adjustment_text(
                    whatif.Adjustment(row.item, row.parameter, row.value, valid_from), loaded
                )
            )
        except ValidationFailed as exc:
            row.error, ok = exc.message, False
    return out if ok else None


# --- catalogue --------------------------------------------------------------------------------


def _on(request: HttpRequest) -> dt.date:
    """The judgement date of ?on= (today when absent or malformed)."""
    try:
        return dt.date.fromisoformat(request.GET.get("on", "")[:10])
    except ValueError:
        return timezone.localdate()


@page()
def catalogue(request: HttpRequest) -> HttpResponse:
    on = _on(request)
    return render(
        request, "policy/catalogue.html", {"documents": selectors.catalogue(on), "on": on}
    )


@page()
def item(request: HttpRequest, item_id: str) -> HttpResponse:
    scope = request_scope(request)
    context = {
        "detail": selectors.item_detail(item_id, _on(request)),
        "can_read_source": scope.is_global or scope.has_role(*selectors.EXPLAIN_ROLES),
    }
    return render(request, "policy/item.html", context)


@page(roles=selectors.EXPLAIN_ROLES)
def item_source(request: HttpRequest, item_id: str) -> HttpResponse:
    """The item as written in its policy file, for the bureau's analysts (plain text)."""
    text = selectors.item_source_yaml(item_id)
    return HttpResponse(text + "\n", content_type="text/plain; charset=utf-8")


# --- explain ----------------------------------------------------------------------------------


def _options(request: HttpRequest) -> tuple[ExplainOptionsForm, dt.date, str | None]:
    form = ExplainOptionsForm(request.GET)
    if form.is_valid():
        on = form.cleaned_data["on"] or timezone.localdate()
        return form, on, form.cleaned_data["policy"] or None
    return form, timezone.localdate(), None


def _explained(
    subject: Person | Organisation, on: dt.date, policy: str | None
) -> selectors.SubjectExplanation:
    return selectors.explain_facts(selectors.read_subject_facts(subject, on), on=on, policy=policy)


@require_http_methods(["GET", "POST"])
@page(roles=selectors.EXPLAIN_ROLES)
def explain(request: HttpRequest) -> HttpResponse:
    """Pick a person (by name, or full document number by POST) or an organisation (by name), a
    date and optionally one document; read every item paid and not paid beside its clause."""
    user = signed_in_user(request)
    options, on, policy = _options(request)
    context: dict[str, Any] = {"options": options, "on": on, "number_form": NumberSearchForm()}
    scope = request_scope(request)
    context["can_search_number"] = may_search_by_document(scope)
    if request.method == "POST":
        number_form = NumberSearchForm(request.POST)
        if number_form.is_valid():
            try:
                found = person_search_by_document(
                    user=user, id_number=number_form.cleaned_data["id_number"], scope=scope
                )
            except (DocumentSearchRefused, DocumentSearchThrottled) as exc:
                number_form.add_error("id_number", exc.message)
            except ValidationFailed as exc:
                # a wrong check digit is not "nobody found": say the number is invalid and why
                number_form.add_error("id_number", f"证件号码无效：{exc.message}")
            else:
                # out of scope reads exactly like not found
                context["people"] = [found] if found is not None else []
                context["searched"] = True
        context["number_form"] = number_form
        return render(request, "policy/explain.html", context)
    q, org_q = request.GET.get("q", "").strip()[:64], request.GET.get("org_q", "").strip()[:64]
    if q:
        context["people"] = list(
            people_search(user=user, name=q, scope=scope).select_related("residence_region")[
                :SEARCH_LIMIT
            ]
        )
        context["searched"] = True
    if org_q:
        context["organisations"] = list(
            organisations_visible_to(user)
            .filter(name__contains=org_q)
            .select_related("region")
            .order_by("name", "pk")[:SEARCH_LIMIT]
        )
        context["searched"] = True
    context.update(q=q, org_q=org_q)
    subject: Person | Organisation | None = None
    if request.GET.get("person"):
        subject = selectors.subject_for_explain(user, "person", request.GET["person"])
    elif request.GET.get("organisation"):
        subject = selectors.subject_for_explain(user, "organisation", request.GET["organisation"])
    if subject is None:
        return render(request, "policy/explain.html", context)
    is_person = isinstance(subject, Person)
    context.update(
        subject=subject,
        subject_is_person=is_person,
        hidden=[("person" if is_person else "organisation", subject.pk)],
    )
    try:
        context["explanation"] = _explained(subject, on, policy)
    except ValidationFailed as exc:
        context["error"] = exc.message
        return render(request, "policy/explain.html", context, status=400)
    return render(request, "policy/explain.html", context)


def _mine(request: HttpRequest) -> tuple[dict[str, Any], selectors.SubjectExplanation | None]:
    user = signed_in_user(request)
    options, on, policy = _options(request)
    context: dict[str, Any] = {"options": options, "on": on}
    explanation = None
    if user.person_id is not None:
        person = selectors.subject_for_explain(user, "person", user.person_id)
        context["subject"] = person
        try:
            # a worker reads the items for a person, of the documents covering where they are
            explanation = _explained(person, on, policy).for_beneficiary(PERSON_BENEFICIARIES)
        except ValidationFailed as exc:
            context["error"] = exc.message
    context["explanation"] = explanation
    return context, explanation


@page(roles=[Role.WORKER])
def mine(request: HttpRequest) -> HttpResponse:
    """我的待遇: what the worker gets, what is pending and what they nearly qualify for, each with
    what to do next; the rest is one link away (mine_others)."""
    context, explanation = _mine(request)
    if explanation is not None:
        context["other_count"] = len(explanation.others)
    return render(request, "policy/mine.html", context)


@page(roles=[Role.WORKER])
def mine_others(request: HttpRequest) -> HttpResponse:
    """查看其他政策: the person items the worker does not get, each with why, in short rows."""
    context, _explanation = _mine(request)
    return render(request, "policy/mine_others.html", context)


# --- simulate ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@page(roles=selectors.EXPLAIN_ROLES)
def simulate(request: HttpRequest) -> HttpResponse:
    """The form (bureau roles) and the runs the user may see (the auditor reads only)."""
    user = signed_in_user(request)
    can_start = selectors.can_start_simulation(user)
    form = SimulationForm(initial={"on": timezone.localdate()})
    rows = _adjustment_rows(request)
    status = 200
    if request.method == "POST":
        if not can_start:
            raise PermissionDenied
        form = SimulationForm(request.POST, request.FILES)
        on = form.cleaned_data["on"] if form.is_valid() else timezone.localdate()
        overrides = _row_overrides(rows, on)
        if form.is_valid() and overrides is not None:
            try:
                run = _start(user, form.cleaned_data, overrides)
            except ValidationFailed as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                return HttpResponseRedirect(reverse("policy:simulation", args=[run.pk]))
        status = 400
    runs = list(selectors.simulation_runs_visible_to(user)[:50])
    context = {
        "form": form,
        "can_start": can_start,
        "rows": rows,
        "items": selectors.adjustable_items(timezone.localdate()) if can_start else [],
        "runs": [(run, selectors.describe_overrides(run.overrides)) for run in runs],
    }
    return render(request, "policy/simulate.html", context, status=status)


@page(roles=selectors.EXPLAIN_ROLES)
def item_parameters(request: HttpRequest, item_id: str) -> JsonResponse:
    """The item's parameters with their names and current values, for the what-if form's list."""
    item = selectors.policy_item(item_id)
    parameters = whatif.item_parameters(item, _on(request))
    return JsonResponse(
        {
            "item": item.id,
            "title": item.title,
            "parameters": [
                {"path": p.path, "label": p.label, "current": p.current} for p in parameters
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _start(user: User, data: dict[str, Any], overrides: list[str]) -> SimulationRun:
    population: str | services.FactsUpload = PopulationSource.CITY
    if data["population"] == PopulationSource.FILE:
        upload = data["facts_file"]
        population = services.read_facts_upload(name=upload.name or "", content=upload.read())
    return services.simulation_start(
        actor=user, on=data["on"], overrides=overrides, population=population
    )


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    height: int
    fen: int
    series: str  # baseline | scenario


@dataclass(frozen=True)
class YearBars:
    year: int
    label_x: int
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    y: int
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    left: int
    bar_width: int
    years: tuple[YearBars, ...]
    ticks: tuple[Tick, ...]


CHART_PLOT = 200  # px of the plot area's height
CHART_TOP, CHART_BOTTOM, CHART_LEFT = 12, 28, 76
BAR, GAP = 28, 28


def _nice_ceiling(fen: int) -> int:
    """The smallest 1, 2 or 5 × 10^n yuan (in fen) at or above `fen`: the axis top."""
    if fen <= 0:
        return 100
    step = 100
    while True:
        for m in (1, 2, 5):
            if m * step >= fen:
                return m * step
        step *= 10


def _wan(fen: int) -> str:
    if fen == 0:
        return "0"
    yuan = Decimal(fen) / 100
    value = yuan / 10_000
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    return f"{text}万"


def budget_chart(years: list[dict[str, Any]]) -> Chart | None:
    """Bars of the amount by year, baseline beside what-if, as coordinates for an inline SVG."""
    if not years:
        return None
    top = _nice_ceiling(max(max(y["baseline_fen"], y["scenario_fen"]) for y in years))
    bottom = CHART_TOP + CHART_PLOT

    def bar(x: int, fen: int, series: str) -> Bar:
        height = round(CHART_PLOT * fen / top)
        return Bar(x, bottom - height, height, fen, series)

    groups = []
    for i, y in enumerate(years):
        x = CHART_LEFT + GAP + i * (2 * BAR + GAP)
        groups.append(
            YearBars(
                year=y["year"],
                label_x=x + BAR,
                bars=(
                    bar(x, y["baseline_fen"], "baseline"),
                    bar(x + BAR, y["scenario_fen"], "scenario"),
                ),
            )
        )
    ticks = tuple(
        Tick(y=bottom - round(CHART_PLOT * k / 4), label=_wan(top * k // 4)) for k in range(5)
    )
    width = CHART_LEFT + GAP + len(years) * (2 * BAR + GAP)
    return Chart(
        width=width,
        height=bottom + CHART_BOTTOM,
        plot_top=CHART_TOP,
        plot_bottom=bottom,
        left=CHART_LEFT,
        bar_width=BAR,
        years=tuple(groups),
        ticks=ticks,
    )


@page(roles=selectors.EXPLAIN_ROLES)
def simulation(request: HttpRequest, pk: int) -> HttpResponse:
    run = selectors.access_simulation_run_by_id(signed_in_user(request), pk)
    result: dict[str, Any] | None = run.result if isinstance(run.result, dict) else None
    context = {
        "run": run,
        "overrides": selectors.describe_overrides(run.overrides),
        "result": result,
        "chart": budget_chart(result["years"]) if result else None,
    }
    return render(request, "policy/simulation.html", context)
