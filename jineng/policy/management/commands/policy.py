"""`jineng policy …`: explain, simulate, list, show, schema.

    jineng policy explain FACTS.json --on 2024-06-30 [--policy dg] [--format json|text]
    jineng policy simulate --population city|FILE [--set ITEM.PARAM=VALUE@DATE …] [--on DATE]
    jineng policy list [--policy ID]
    jineng policy show ITEM
    jineng policy schema [--policy-file]

FACTS.json is one facts document (`jineng policy schema`) or a list of them (quotas are then
ranked among them). `--param city=5204` sets a document parameter (002's "XX市").
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jineng.policy.engine.errors import FactsError, PolicyError
from jineng.policy.engine.evaluate import simulate
from jineng.policy.engine.explain import explain, explain_population
from jineng.policy.engine.facts import parse_subject_facts
from jineng.policy.engine.loader import load_policies
from jineng.policy.engine.model import Policies
from jineng.policy.engine.population import Population, population_from_subject_facts
from jineng.policy.engine.schema import FACTS_SCHEMA, POLICY_FILE_SCHEMA
from jineng.policy.engine.serialize import explanation_json, what_if_json
from jineng.policy.engine.text import explanation_text, item_text, policies_text, what_if_text


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式应为 YYYY-MM-DD:{value}") from None


def _params(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise CommandError(f"--param 应为 名称=值:{pair}")
        out[name] = value
    return out


class Command(BaseCommand):
    help = "政策引擎:解释、测算、列表、查看、模式 (explain, simulate, list, show, schema)"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def common(p: CommandParser) -> None:
            p.add_argument(
                "--policy", action="append", default=[], help="document id or prefix (repeatable)"
            )
            p.add_argument(
                "--param", action="append", default=[], help="document parameter, e.g. city=5204"
            )

        p = sub.add_parser("explain", help="explain a subject's entitlements")
        p.add_argument("facts", help="facts JSON file (one document or a list)")
        p.add_argument("--on", required=True, help="evaluation date YYYY-MM-DD")
        p.add_argument("--format", choices=["text", "json"], default="text")
        p.add_argument(
            "--set", action="append", default=[], dest="overrides", help="ITEM.PARAM=VALUE@DATE"
        )
        p.add_argument(
            "--all", action="store_true", help="text: also list items without a trigger fact"
        )
        common(p)

        p = sub.add_parser("simulate", help="budget of a population, and a what-if")
        p.add_argument(
            "--population", required=True, help="'city' (the dossier) or a facts JSON file"
        )
        p.add_argument(
            "--set", action="append", default=[], dest="overrides", help="ITEM.PARAM=VALUE@DATE"
        )
        p.add_argument("--on", default=None, help="evaluation date (default today)")
        p.add_argument(
            "--region", default=None, help="city: only subjects under this region prefix"
        )
        p.add_argument("--format", choices=["text", "json"], default="text")
        common(p)

        p = sub.add_parser("list", help="documents and items")
        common(p)
        p = sub.add_parser("show", help="one item")
        p.add_argument("item")
        p = sub.add_parser("schema", help="JSON Schema of the facts format (or of policy files)")
        p.add_argument("--policy-file", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "schema":
                schema = POLICY_FILE_SCHEMA if options["policy_file"] else FACTS_SCHEMA
                self.stdout.write(json.dumps(schema, ensure_ascii=False, indent=2))
                return
            policies = load_policies()
            if options.get("policy"):
                policies = _only(policies, options["policy"])
            if action == "list":
                self.stdout.write(policies_text(policies))
            elif action == "show":
                try:
                    self.stdout.write(item_text(policies.item(options["item"]), policies))
                except KeyError:
                    raise CommandError(f"没有此项目:{options['item']}") from None
            elif action == "explain":
                self._explain(policies, options)
            elif action == "simulate":
                self._simulate(policies, options)
        except (PolicyError, FactsError) as exc:
            raise CommandError(str(exc)) from None

    def _explain(self, policies: Policies, options: dict[str, Any]) -> None:
        on = _date(options["on"])
        params = _params(options["param"])
        data = _read_json(options["facts"])
        documents = data if isinstance(data, list) else [data]
        population = [parse_subject_facts(d) for d in documents]
        if len(population) == 1:
            explanations = [explain(population[0], on, policies, params, options["overrides"])]
        else:
            explanations = explain_population(
                population, on, policies, params, options["overrides"]
            )
        if options["format"] == "json":
            out: Any = [explanation_json(x) for x in explanations]
            self.stdout.write(
                json.dumps(out if len(out) > 1 else out[0], ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(
                "\n\n".join(explanation_text(x, all_items=options["all"]) for x in explanations)
            )

    def _simulate(self, policies: Policies, options: dict[str, Any]) -> None:
        on = _date(options["on"]) if options["on"] else dt.date.today()
        params = _params(options["param"])
        population = _population(options["population"], on, options["region"])
        what_if = simulate(population, on, policies, params, options["overrides"])
        if options["format"] == "json":
            self.stdout.write(
                json.dumps(what_if_json(what_if), ensure_ascii=False, indent=2, default=str)
            )
        else:
            self.stdout.write(f"人群:{len(population):,} 个主体,{population.facts.height:,} 条事实")
            self.stdout.write(what_if_text(what_if, policies))


def _only(policies: Policies, wanted: list[str]) -> Policies:
    """The named documents, plus those their amounts reference (the national base for uplifts)."""
    try:
        keep = {policies.document(w).id for w in wanted}
    except KeyError as exc:
        raise CommandError(f"没有此文件:{exc.args[0]}") from None
    from jineng.policy.engine.fields import referenced_items

    while True:
        extra = {
            policies.item(ref).document_id
            for i in policies.items
            if i.document_id in keep
            for ref in referenced_items(i)
        }
        if extra <= keep:
            break
        keep |= extra
    return policies.only(tuple(keep))


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"无法读取 {path}:{exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{path} 不是有效的 JSON:{exc}") from None


def _population(source: str, on: dt.date, region: str | None) -> Population:
    if source == "city":
        from jineng.policy.population import load_population_from_dossier

        return load_population_from_dossier(on=on, region=region)
    data = _read_json(source)
    documents = data if isinstance(data, list) else [data]
    return population_from_subject_facts(parse_subject_facts(d) for d in documents)
