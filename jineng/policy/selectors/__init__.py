"""Reads of the policy app, by topic: the loaded policy files (`documents`), one subject's
explanation (`explanation`), the catalogue (`catalogue`); who may read simulation runs is in
`jineng.policy.access`. Every name is importable from here as before."""

from __future__ import annotations

from jineng.policy.access import EXPLAIN_ROLES as EXPLAIN_ROLES
from jineng.policy.access import SIMULATE_ROLES as SIMULATE_ROLES
from jineng.policy.access import access_simulation_run_by_id as access_simulation_run_by_id
from jineng.policy.access import can_start_simulation as can_start_simulation
from jineng.policy.access import simulation_runs_visible_to as simulation_runs_visible_to
from jineng.policy.selectors.amounts import describe_amount as describe_amount
from jineng.policy.selectors.amounts import describe_rules as describe_rules
from jineng.policy.selectors.amounts import describe_schedule as describe_schedule
from jineng.policy.selectors.catalogue import CatalogueDocument as CatalogueDocument
from jineng.policy.selectors.catalogue import CatalogueItem as CatalogueItem
from jineng.policy.selectors.catalogue import ItemDetail as ItemDetail
from jineng.policy.selectors.catalogue import VersionLine as VersionLine
from jineng.policy.selectors.catalogue import _item_source as _item_source
from jineng.policy.selectors.catalogue import catalogue as catalogue
from jineng.policy.selectors.catalogue import item_detail as item_detail
from jineng.policy.selectors.catalogue import item_source_yaml as item_source_yaml
from jineng.policy.selectors.catalogue import policy_item as policy_item
from jineng.policy.selectors.documents import BENEFICIARY_ZH as BENEFICIARY_ZH
from jineng.policy.selectors.documents import DOCUMENT_STATUS_ZH as DOCUMENT_STATUS_ZH
from jineng.policy.selectors.documents import ITEM_KIND_ZH as ITEM_KIND_ZH
from jineng.policy.selectors.documents import SUBJECT_KIND_ZH as SUBJECT_KIND_ZH
from jineng.policy.selectors.documents import SubjectType as SubjectType
from jineng.policy.selectors.documents import adjustable_items as adjustable_items
from jineng.policy.selectors.documents import check_overrides as check_overrides
from jineng.policy.selectors.documents import describe_overrides as describe_overrides
from jineng.policy.selectors.documents import policies as policies
from jineng.policy.selectors.documents import policy_document as policy_document
from jineng.policy.selectors.explanation import GROUP_ZH as GROUP_ZH
from jineng.policy.selectors.explanation import PENDING as PENDING
from jineng.policy.selectors.explanation import CitationView as CitationView
from jineng.policy.selectors.explanation import DocumentApplicability as DocumentApplicability
from jineng.policy.selectors.explanation import EntitlementView as EntitlementView
from jineng.policy.selectors.explanation import ExplainedItem as ExplainedItem
from jineng.policy.selectors.explanation import PaymentView as PaymentView
from jineng.policy.selectors.explanation import SubjectExplanation as SubjectExplanation
from jineng.policy.selectors.explanation import _applicability as _applicability
from jineng.policy.selectors.explanation import _distinct as _distinct
from jineng.policy.selectors.explanation import _fact_words as _fact_words
from jineng.policy.selectors.explanation import _item_view as _item_view
from jineng.policy.selectors.explanation import _Judged as _Judged
from jineng.policy.selectors.explanation import _next_step as _next_step
from jineng.policy.selectors.explanation import _payments as _payments
from jineng.policy.selectors.explanation import _reading as _reading
from jineng.policy.selectors.explanation import _rejudge as _rejudge
from jineng.policy.selectors.explanation import _trigger_words as _trigger_words
from jineng.policy.selectors.explanation import document_status_on as document_status_on
from jineng.policy.selectors.explanation import explanation_view as explanation_view
from jineng.policy.selectors.subjects import explain_document as explain_document
from jineng.policy.selectors.subjects import explain_facts as explain_facts
from jineng.policy.selectors.subjects import explain_subject as explain_subject
from jineng.policy.selectors.subjects import read_subject_facts as read_subject_facts
from jineng.policy.selectors.subjects import subject_for_explain as subject_for_explain
