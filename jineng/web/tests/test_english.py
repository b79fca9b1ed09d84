"""English is a complete second language. The catalogues (jineng/locale, jineng/web/locale,
jineng/api/locale) translate every entry, none fuzzy, with the placeholders kept; the compiled .mo
files say what the .po files say; the source holds no translatable string the catalogues lack.
A visitor who picks English with the header's switch (/i18n/setlang/, the language cookie) reads
English on the key pages, and everyone else still reads Chinese.

After adding or changing a translatable string: `make messages`, translate every new entry in the
.po files, `make messages` again (compiles), commit the .po and .mo files."""

from __future__ import annotations

import gettext
import html as htmllib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from jineng.identity.models import Role
from jineng.identity.testing import login, make_person, make_user, otp_login, resident_id
from jineng.web.tests.pofiles import PACKAGE, ROOT, Entry, catalogues, placeholders, read_po

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _entries(path: Path) -> list[Entry]:
    return [e for e in read_po(path) if e.msgid and not e.obsolete]


def _untranslated(paths: list[Path], root: Path) -> list[str]:
    problems: list[str] = []
    for path in paths:
        name = path.relative_to(root).parts[0:-3]
        for e in _entries(path):
            if "fuzzy" in e.flags:
                problems.append(f"{'/'.join(name)}: fuzzy {e.msgid!r} ({e.where})")
            elif not e.translated or len(e.msgstr) != (2 if e.msgid_plural else 1):
                problems.append(f"{'/'.join(name)}: untranslated {e.msgid!r} ({e.where})")
    return problems


def test_the_catalogues_are_where_the_settings_look() -> None:
    found = {p.relative_to(PACKAGE).parts[0] for p in catalogues()}
    # jineng/locale is settings.LOCALE_PATHS; web and api are installed apps with their own.
    assert found == {"locale", "web", "api"}


def test_every_entry_is_translated_and_none_is_fuzzy() -> None:
    problems = _untranslated(catalogues(), ROOT)
    assert problems == [], "\n".join(problems[:50])


def test_the_checks_catch_an_untranslated_and_a_fuzzy_entry(tmp_path: Path) -> None:
    po = tmp_path / "jineng" / "x" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: a.py:1\nmsgid "姓名"\nmsgstr ""\n\n'
        '#: a.py:2\n#, fuzzy\n#| msgid "性别"\nmsgid "性别说明"\nmsgstr "Sex"\n\n'
        '#: a.py:3\nmsgid "共 %(n)s 人"\nmsgid_plural "共 %(n)s 人"\nmsgstr[0] "%(n)s person"\n'
        'msgstr[1] ""\n\n'
        '#: a.py:4\nmsgid "日期"\nmsgstr ""\n"Da"\n"te"\n',
        encoding="utf-8",
    )
    problems = _untranslated([po], tmp_path)
    assert [p.split(": ", 1)[1].split(" (")[0] for p in problems] == [
        "untranslated '姓名'",
        "fuzzy '性别说明'",
        "untranslated '共 %(n)s 人'",
    ]


def test_translations_keep_the_placeholders() -> None:
    problems: list[str] = []
    for path in catalogues():
        for e in _entries(path):
            for i, text in enumerate(e.msgstr):
                source = e.msgid if i == 0 else (e.msgid_plural or e.msgid)
                if placeholders(text) != placeholders(source):
                    problems.append(f"{e.msgid!r} → {text!r} ({e.where})")
    assert problems == [], "\n".join(problems)


def test_a_string_in_two_catalogues_reads_the_same_in_both() -> None:
    # Django looks in LOCALE_PATHS first, then the apps: a second, different translation of the
    # same msgid would never be shown, and whoever edited it would wonder why.
    seen: dict[tuple[str | None, str], tuple[list[str], Path]] = {}
    problems: list[str] = []
    for path in catalogues():
        for e in _entries(path):
            key = (e.msgctxt, e.msgid)
            if key in seen and seen[key][0] != e.msgstr:
                problems.append(f"{e.msgid!r}: {seen[key][0]} ({seen[key][1]}) ≠ {e.msgstr}")
            seen.setdefault(key, (e.msgstr, path))
    assert problems == [], "\n".join(problems)


def test_the_compiled_catalogues_match_the_po_files() -> None:
    # The .mo files are committed (a fresh machine may lack GNU gettext's msgfmt), so a .po
    # edited without `make messages` would silently keep the old English.
    problems: list[str] = []
    for path in catalogues():
        mo = path.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run make messages"
        with mo.open("rb") as f:
            compiled = gettext.GNUTranslations(f)
        for e in _entries(path):
            if e.msgid_plural is None:
                got = [compiled.gettext(e.msgid)]
            else:
                got = [compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
            if got != e.msgstr:
                problems.append(f"{path.parts[-5]}: {e.msgid!r} compiled as {got}, .po {e.msgstr}")
    assert problems == [], "run make messages:\n" + "\n".join(problems[:30])


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogues_hold_every_translatable_string_of_the_source(tmp_path: Path) -> None:
    """makemessages on a copy of the source: a string wrapped in gettext or {% translate %} but
    missing from the catalogues comes back untranslated."""
    copy = tmp_path / "jineng"
    for source in PACKAGE.rglob("*"):
        if source.is_file() and (
            source.suffix in {".py", ".html", ".txt"} or source.name == "django.po"
        ):
            if "__pycache__" in source.parts:
                continue
            target = copy / source.relative_to(PACKAGE)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    with override_settings(LOCALE_PATHS=[copy / "locale"]), pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        call_command("makemessages", locale=["en"], no_obsolete=True, verbosity=0)
    copied = sorted(copy.rglob("locale/en/LC_MESSAGES/django.po"))
    assert len(copied) == len(catalogues())
    problems = _untranslated(copied, tmp_path)
    assert problems == [], "run make messages and translate:\n" + "\n".join(problems[:50])


# --- Pages -----------------------------------------------------------------------------------


class _Reader(HTMLParser):
    """The text a person reads on a page: text nodes and the attributes shown on screen."""

    SHOWN = {"placeholder", "aria-label", "data-label", "title", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "svg"}:
            self._skip += 1
        self.texts += [v.strip() for k, v in attrs if k in self.SHOWN and v and v.strip()]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "svg"} and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(htmllib.unescape(data).strip())


def _texts(body: str) -> list[str]:
    reader = _Reader()
    reader.feed(body.split("<body", 1)[-1])
    return reader.texts


def _chinese_ui_strings() -> set[str]:
    return {e.msgid for p in catalogues() for e in _entries(p) if CJK.search(e.msgid)}


def _english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def _page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _leaks(body: str) -> list[str]:
    """Chinese interface strings left untranslated on an English page (names of people, places
    and policy documents are data and stay as they are)."""
    ui = _chinese_ui_strings()
    return [t for t in _texts(body) if t in ui]


@pytest.mark.django_db
def test_the_login_page_in_english_has_no_chinese_but_the_language_name() -> None:
    client = _english(Client(headers={"accept-language": "zh-CN"}))
    body = _page(client, "/login/")
    assert '<html lang="en">' in body
    texts = _texts(body)
    for english in ("Log in", "Username", "Password", "Skilled Talent Services"):
        assert english in texts, english
    chinese = [t for t in texts if CJK.search(t) and t != "简体中文"]
    assert chinese == []


@pytest.mark.django_db
def test_the_default_is_chinese_even_for_an_english_browser() -> None:
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    body = _page(client, "/login/")
    assert '<html lang="zh-Hans">' in body
    texts = _texts(body)
    assert {"登录", "用户名", "密码"} <= set(texts)
    assert "Log in" not in texts and "Username" not in texts


@pytest.mark.django_db
def test_a_worker_reads_their_record_in_english_after_choosing_it() -> None:
    person = make_person(name="张小明", id_number=resident_id(serial=101))  # odd: a man
    worker = make_user(Role.WORKER, person=person)
    client = Client()
    otp_login(client, worker)
    chinese = _page(client, "/me/")
    assert "我的档案" in _texts(chinese) and "居民身份证" in _texts(chinese)

    body = _page(_english(client), "/me/")
    texts = _texts(body)
    assert '<html lang="en">' in body
    for english in ("My record", "Name", "Resident identity card", "Male", "Log out"):
        assert english in texts, english
    assert "张小明" in texts  # a person's name is data, not translated
    assert _leaks(body) == []
    home = client.get("/")
    assert home.status_code == 302 and home["Location"] == "/me/"


@pytest.mark.django_db
def test_an_officer_reads_the_console_in_english_after_choosing_it() -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    make_person(name="李四")
    client = Client()
    otp_login(client, officer)
    assert "人员查询" in _texts(_page(client, "/console/"))

    body = _page(_english(client), "/console/")
    texts = _texts(body)
    assert '<html lang="en">' in body
    assert "Find people" in texts
    assert "人员查询" not in texts
    assert _leaks(body) == []
    # and back to Chinese with the same switch
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "人员查询" in _texts(_page(client, "/console/"))


@pytest.mark.django_db
def test_the_one_time_code_step_follows_the_switch() -> None:
    officer = make_user(Role.BUREAU_REVIEWER, region="441900")
    client = Client()
    login(client, officer)  # password done, TOTP step still to pass
    assert "动态验证码" in _texts(client.get("/console/", follow=True).content.decode())

    body = _english(client).get("/console/", follow=True).content.decode()
    texts = _texts(body)
    assert "One-time code" in texts and "Verify" in texts
    assert _leaks(body) == []
    rejected = client.post("/login/otp/", {"token": "000000", "next": "/console/"})
    assert "The code is wrong" in rejected.content.decode()


def test_the_leak_check_sees_an_untranslated_label() -> None:
    body = '<body><h1>My record</h1><th data-label="姓名">张三</th><p>人员查询</p></body>'
    assert sorted(_leaks(body)) == ["人员查询", "姓名"]
