"""Every page of every role: log in as each demo account of a small seeded demo city, follow every
link a person can follow, and hand back what was read. A new page is covered as soon as any page
links to it; the two site-wide tests (the Chinese-and-no-machinery check, and the 390 px phone
check in a browser) run over what this finds."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from django.test import Client

from jineng.demo.demo import DEMO_ACCOUNTS, demo_setup
from jineng.identity.models import User
from jineng.identity.testing import otp_login

DEMO_WORKERS = 120
MAX_PAGES_PER_ROLE = 60
PER_SHAPE = 2  # pages of one URL shape (/console/people/<n>/) read per role

# Links that change something, leave the site's pages, or are files, not pages.
SKIP = re.compile(
    r"^/(admin|api|i18n|static|media)/|/logout/|/reveal/|/revoke|\.xlsx$|\.pdf$|\.json$|\.csv$"
    r"|/download|/export|/template"
)
HREF = re.compile(r"""<a\b[^>]*\bhref\s*=\s*["']([^"'#][^"']*)["']""", re.I)


@dataclass(frozen=True)
class Page:
    role: str
    url: str
    status: int
    html: str


def seed_demo_city() -> list[User]:
    """The demo city (small) and one account per role; returns the accounts in DEMO_ACCOUNTS
    order."""
    demo_setup(workers=DEMO_WORKERS, seed=1, progress=False)
    return [User.objects.get(username=username) for username, _, _ in DEMO_ACCOUNTS]


def shape(url: str) -> str:
    path = urlsplit(url).path
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "U", path)
    path = re.sub(r"\d+", "N", path)
    query = urlsplit(url).query
    keys = sorted(k.split("=")[0] for k in query.split("&") if k)
    return path + ("?" + "&".join(keys) if keys else "")


def crawl(user: User, *, start: str = "/") -> list[Page]:
    client = Client()
    otp_login(client, user)
    seen: set[str] = set()
    shapes: dict[str, int] = {}
    queue = [start]
    pages: list[Page] = []
    while queue and len(pages) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        key = shape(url)
        if shapes.get(key, 0) >= PER_SHAPE:
            continue
        shapes[key] = shapes.get(key, 0) + 1
        response = client.get(url, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else url
        if "text/html" not in response.headers.get("Content-Type", ""):
            continue
        body = response.content.decode()
        pages.append(Page(user.username, final, response.status_code, body))
        for href in HREF.findall(body):
            link = urldefrag(htmllib.unescape(href))[0]
            if link.startswith("http") or link.startswith("//") or link.startswith("mailto:"):
                continue
            if not link.startswith("/"):
                continue
            if SKIP.search(urlsplit(link).path) or link in seen:
                continue
            queue.append(link)
    return pages


TAGS = re.compile(r"<(script|style|svg|template)\b.*?</\1>", re.S | re.I)
ELEMENT = re.compile(r"<[^>]+>")


def visible_text(body: str) -> str:
    """What a person reads: the body without scripts, styles, drawings and markup."""
    main = body.split("<body", 1)[-1]
    main = TAGS.sub(" ", main)
    return htmllib.unescape(ELEMENT.sub(" ", main))
