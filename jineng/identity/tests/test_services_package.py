"""identity.services is a package by topic: every public name importable from the package, each
topic module short enough to read in one sitting."""

import importlib
from pathlib import Path

import jineng.identity.services as services

TOPICS = ("accounts", "employment", "people", "people_bulk", "roles")


def test_every_public_name_is_re_exported_from_the_package() -> None:
    for topic in TOPICS:
        module = importlib.import_module(f"jineng.identity.services.{topic}")
        public = {
            name
            for name, value in vars(module).items()
            if not name.startswith("_") and getattr(value, "__module__", None) == module.__name__
        }
        missing = public - set(services.__all__)
        assert not missing, f"{topic}: {sorted(missing)}"
    assert all(hasattr(services, name) for name in services.__all__)


def test_no_topic_module_is_over_400_lines() -> None:
    folder = Path(services.__file__).parent
    lengths = {p.name: len(p.read_text().splitlines()) for p in folder.glob("*.py")}
    assert set(lengths) >= {f"{t}.py" for t in TOPICS}
    assert max(lengths.values()) <= 400, lengths
