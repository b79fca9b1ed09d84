"""The certificates app's pages and API in the scope matrix (`jineng.web.tests.scope`).

Verification is public (anyone, no log-in) and shows only the certificate, the holder's name
masked; the list and the PDF are for whoever may see the holder (or works at the issuer) and
answer 404 for the other side's certificate."""

from __future__ import annotations

import datetime as dt

from jineng.certificates.models import Certificate
from jineng.certificates.services import (
    ScopeEntry,
    certificate_issue,
    certificate_suspend,
    issuer_register,
)
from jineng.identity.models import BUREAU_ROLES, Role
from jineng.identity.roles import CONSOLE_ROLES
from jineng.identity.testing import make_organisation
from jineng.organisations.models import OrgKind
from jineng.web.tests.scope import GET, POST, Case, role_api, role_page
from jineng.web.tests.world import SIDE_ROLES, Side

EVERYONE = frozenset(SIDE_ROLES)
CONSOLE = frozenset(CONSOLE_ROLES)
# The side's organisation employs the holder but did not issue: only the bureau may revoke.
REVOKERS = frozenset(BUREAU_ROLES)
REVOKE = {"reason": "矩阵测试撤销"}
TURNER = "6-18-01-01"


def certificate_of(side: Side, *, fresh: bool = False) -> Certificate:
    """The side's person's certificate from an evaluation organisation in the side's city
    (`fresh`: a new one, for a request that revokes it)."""
    found = Certificate.objects.filter(person=side.person).select_related("issuer").first()
    if found is not None and not fresh:
        return found
    if found is not None:
        org = found.issuer
    else:
        org = make_organisation(kind=OrgKind.EVALUATION_ORG, region=side.home)
        issuer_register(
            actor=None,
            organisation=org,
            agency_code="1234" if side.key == "甲" else "5678",
            site_code=side.home,
            scope=[ScopeEntry(TURNER, "4")],
        )
    return certificate_issue(
        actor=None,
        person=side.person,
        occupation=TURNER,
        level="4",
        issuer=org,
        issued_on=dt.date(2024, 3, 1),
    )


def suspended_of(side: Side) -> Certificate:
    """A new certificate of the side's person, suspended (for a request that lifts it)."""
    certificate = certificate_of(side, fresh=True)
    return certificate_suspend(actor=None, certificate=certificate, reason="矩阵测试暂停")


def _anyone(role: str) -> int:
    return 200


PAGES = {
    "verify/": Case(own=lambda s: GET("/verify/"), own_status=_anyone, public=True),
    "verify/<str:token>": Case(
        own=lambda s: GET(f"/verify/{certificate_of(s).token}"),
        own_status=_anyone,
        public=True,
    ),
    "certificates/": Case(
        own=lambda s: (certificate_of(s), GET("/certificates/"))[1],
        own_status=role_page(EVERYONE),
        shows_own=EVERYONE,
    ),
    "certificates/<str:number>.pdf": Case(
        own=lambda s: GET(f"/certificates/{certificate_of(s).number}.pdf"),
        own_status=role_page(EVERYONE),
        foreign=lambda o: [GET(f"/certificates/{certificate_of(o).number}.pdf")],
    ),
    "certificates/<str:number>/credential/": Case(
        own=lambda s: GET(f"/certificates/{certificate_of(s).number}/credential/"),
        own_status=role_page(EVERYONE),
        foreign=lambda o: [GET(f"/certificates/{certificate_of(o).number}/credential/")],
    ),
    "credentials/status/<str:purpose>": Case(
        own=lambda s: (certificate_of(s), GET("/credentials/status/revocation"))[1],
        own_status=_anyone,
        public=True,
    ),
    "certificates/<str:number>/revoke/": Case(
        own=lambda s: GET(f"/certificates/{certificate_of(s).number}/revoke/"),
        own_status=role_page(REVOKERS),
        shows_own=REVOKERS,
        foreign=lambda o: [
            GET(f"/certificates/{certificate_of(o).number}/revoke/"),
            POST(f"/certificates/{certificate_of(o, fresh=True).number}/revoke/", REVOKE),
        ],
    ),
    "certificates/integrity/": Case(
        own=lambda s: (certificate_of(s), GET("/certificates/integrity/"))[1],
        own_status=role_page(CONSOLE),
    ),
    "certificates/import/": Case(
        own=lambda s: GET("/certificates/import/"),
        own_status=role_page(REVOKERS),
        foreign=lambda o: [
            # the other side's record keeper is not a choice: the form refuses, nothing imported
            POST(
                "/certificates/import/",
                {"keeper": certificate_of(o).issuer_id, "source": "矩阵测试"},
                ok=frozenset({200, 403}),
            )
        ],
    ),
    "certificates/<str:number>/photo/": Case(
        own=lambda s: GET(f"/certificates/{certificate_of(s).number}/photo/"),
        own_status=role_page(REVOKERS),
        shows_own=REVOKERS,
        foreign=lambda o: [
            GET(f"/certificates/{certificate_of(o).number}/photo/"),
            POST(f"/certificates/{certificate_of(o).number}/photo/", {}),
        ],
    ),
    "certificates/<str:number>/suspend/": Case(
        own=lambda s: GET(f"/certificates/{certificate_of(s).number}/suspend/"),
        own_status=role_page(REVOKERS),
        shows_own=REVOKERS,
        foreign=lambda o: [
            GET(f"/certificates/{certificate_of(o).number}/suspend/"),
            POST(f"/certificates/{certificate_of(o, fresh=True).number}/suspend/", REVOKE),
        ],
    ),
    "certificates/<str:number>/reinstate/": Case(
        own=lambda s: GET(f"/certificates/{certificate_of(s).number}/reinstate/"),
        own_status=role_page(REVOKERS),
        shows_own=REVOKERS,
        foreign=lambda o: [
            GET(f"/certificates/{certificate_of(o).number}/reinstate/"),
            POST(f"/certificates/{certificate_of(o, fresh=True).number}/reinstate/", REVOKE),
        ],
    ),
}

API = {
    ("POST", "/api/v1/certificates/verify"): Case(
        own=lambda s: POST("/api/v1/certificates/verify", {"token": certificate_of(s).token}),
        own_status=_anyone,  # anonymous too: no log-in
        public=True,
    ),
    ("GET", "/api/v1/certificates/{number}/credential"): Case(
        own=lambda s: GET(f"/api/v1/certificates/{certificate_of(s).number}/credential"),
        own_status=role_api(lambda role: 200),
        foreign=lambda o: [GET(f"/api/v1/certificates/{certificate_of(o).number}/credential")],
    ),
    ("GET", "/api/v1/certificates/integrity"): Case(
        own=lambda s: (certificate_of(s), GET("/api/v1/certificates/integrity"))[1],
        own_status=role_api(lambda role: 200 if role in CONSOLE else 403),
    ),
    ("GET", "/api/v1/certificates/jwks"): Case(
        own=lambda s: GET("/api/v1/certificates/jwks"), own_status=_anyone, public=True
    ),
    ("POST", "/api/v1/certificates/{number}/revoke"): Case(
        own=lambda s: POST(
            f"/api/v1/certificates/{certificate_of(s, fresh=True).number}/revoke", REVOKE
        ),
        own_status=role_api(lambda role: 200 if role in REVOKERS else 403),
        shows_own=REVOKERS,
        foreign=lambda o: [
            POST(f"/api/v1/certificates/{certificate_of(o, fresh=True).number}/revoke", REVOKE)
        ],
    ),
    ("POST", "/api/v1/certificates/{number}/suspend"): Case(
        own=lambda s: POST(
            f"/api/v1/certificates/{certificate_of(s, fresh=True).number}/suspend", REVOKE
        ),
        own_status=role_api(lambda role: 200 if role in REVOKERS else 403),
        shows_own=REVOKERS,
        foreign=lambda o: [
            POST(f"/api/v1/certificates/{certificate_of(o, fresh=True).number}/suspend", REVOKE)
        ],
    ),
    ("POST", "/api/v1/certificates/{number}/reinstate"): Case(
        own=lambda s: POST(f"/api/v1/certificates/{suspended_of(s).number}/reinstate", REVOKE),
        own_status=role_api(lambda role: 200 if role in REVOKERS else 403),
        shows_own=REVOKERS,
        foreign=lambda o: [
            POST(f"/api/v1/certificates/{suspended_of(o).number}/reinstate", REVOKE)
        ],
    ),
}


# --- issuing from final results, and uploading historical certificates -----------------------
ISSUERS = frozenset(BUREAU_ROLES | {Role.ORG_ADMIN, Role.SYSADMIN})


def _session_id(side: Side) -> int:
    from jineng.assessment.tests.scope_cases import _session_of

    return _session_of(side).pk


def _batch_id(side: Side) -> int:
    from jineng.certificates.models import IssueBatch

    found = IssueBatch.objects.filter(issuer=side.org).first()
    return (found or IssueBatch.objects.create(issuer=side.org, total=0)).pk


def _bad_csv(keeper: int) -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = "证书编号,姓名\n1,某人\n".encode()  # columns missing: refused, nothing imported
    return {
        "file": SimpleUploadedFile("历史证书.csv", data, content_type="text/csv"),
        "keeper": keeper,
        "source": "矩阵测试",
    }


PAGES.update(
    {
        "certificates/issue/": Case(
            own=lambda s: GET("/certificates/issue/"), own_status=role_page(ISSUERS)
        ),
        "certificates/issue/sessions/<int:pk>/": Case(
            own=lambda s: GET(f"/certificates/issue/sessions/{_session_id(s)}/"),
            own_status=role_page(ISSUERS),
            foreign=lambda o: [
                GET(f"/certificates/issue/sessions/{_session_id(o)}/"),
                POST(f"/certificates/issue/sessions/{_session_id(o)}/"),
            ],
        ),
        "certificates/issue/batches/<int:pk>/": Case(
            own=lambda s: GET(f"/certificates/issue/batches/{_batch_id(s)}/"),
            own_status=role_page(ISSUERS),
            foreign=lambda o: [GET(f"/certificates/issue/batches/{_batch_id(o)}/")],
        ),
    }
)
API.update(
    {
        ("POST", "/api/v1/certificates/imports"): Case(
            own=lambda s: POST(
                "/api/v1/certificates/imports", _bad_csv(certificate_of(s).issuer_id)
            ),
            # the auditor sees the keeper but never writes
            own_status=role_api(
                lambda role: (
                    400
                    if role in REVOKERS or role == Role.SYSADMIN
                    else (403 if role == Role.AUDITOR else 404)
                )
            ),
            foreign=lambda o: [
                POST("/api/v1/certificates/imports", _bad_csv(certificate_of(o).issuer_id))
            ],
        ),
    }
)
