"""Everything the suite installs from a registry is pinned, so `make test` works on any day.

A spec like `latest` or `^1.2.0` in a package.json that `npm ci` installs from
fails as soon as the registry publishes a release the lock does not hold (npm
ci refuses a lock that no longer satisfies its package.json); an unpinned pip
install resolves to whatever PyPI serves that day. So every package.json the
suite installs from holds exact versions that its lock holds too, the suite's
scripts only ever `npm ci`, and every Python distribution `make` installs is
pinned in constraints.txt at the version installed here.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import distribution
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from benchmarks.dev_server import ROOT

NPM_PROJECTS = [
    (ROOT / "tests/browser/package.json", ROOT / "tests/browser/package-lock.json"),
    (ROOT / "tests/browser/agent-chat-ui.package.json",
     ROOT / "tests/browser/agent-chat-ui.package-lock.json"),
    (ROOT / "benchmarks/okx-npm/package.json", ROOT / "benchmarks/okx-npm/package-lock.json"),
]
"""Each package.json the suite runs `npm ci` on, with its lock."""
SPEC_SECTIONS = ("dependencies", "devDependencies", "optionalDependencies", "overrides")
EXACT = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$")
SHELL_SCRIPTS = [ROOT / "Makefile", ROOT / ".ci" / "run", *sorted(ROOT.glob("tests/**/*.sh"))]
PYTHON_FILES = [*sorted(ROOT.glob("benchmarks/**/*.py")), *sorted(ROOT.glob("tests/**/*.py"))]
FLOATING_NPM_COMMAND = re.compile(r"\bnpm\s+(?:install|i|add|update)\b|\bnpx\s+(?!--no-install)")
"""An npm command line that resolves versions against the registry."""
FLOATING_NPM_ARGV = re.compile(
    r"""\[\s*(?:npm|["']npm["'])\s*,\s*["'](?:install|i|add|update)["']"""
)
"""The same, as the argv list a Python file hands to subprocess."""
CONSTRAINTS = ROOT / "constraints.txt"


def _specs(manifest: dict[str, dict[str, str]]) -> dict[str, str]:
    return {
        name: spec for section in SPEC_SECTIONS for name, spec in manifest.get(section, {}).items()
    }


@pytest.mark.parametrize(("package", "lock"), NPM_PROJECTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_npm_spec_is_an_exact_version_the_lock_holds(package: Path, lock: Path) -> None:
    specs = _specs(json.loads(package.read_text(encoding="utf-8")))
    locked = json.loads(lock.read_text(encoding="utf-8"))["packages"]
    assert specs
    floating = {name: spec for name, spec in specs.items() if not EXACT.match(spec)}
    assert floating == {}, f"{package.name}: not exact versions"
    for name, version in specs.items():
        assert locked[f"node_modules/{name}"]["version"] == version, name
    manifest, root = json.loads(package.read_text(encoding="utf-8")), locked[""]
    for section in ("dependencies", "devDependencies"):
        assert root.get(section, {}) == manifest.get(section, {}), section


def test_the_exact_version_check_refuses_what_npm_would_float() -> None:
    for spec in ("latest", "^1.2.0", "~5.7.2", ">=1", "1.x", "*", "", "next"):
        assert not EXACT.match(spec), spec
    assert EXACT.match("2.11.11")
    assert EXACT.match("1.3.1-beta.17")


def _matches(paths: list[Path], pattern: re.Pattern[str]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in paths
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and not line.lstrip().startswith("#")
    ]


def test_the_suite_installs_npm_packages_only_from_locks() -> None:
    here = Path(__file__).resolve()
    assert _matches(SHELL_SCRIPTS, FLOATING_NPM_COMMAND) == []
    assert _matches([p for p in PYTHON_FILES if p.resolve() != here], FLOATING_NPM_ARGV) == []


def test_the_patterns_see_a_floating_npm_call_and_pass_a_locked_one() -> None:
    assert FLOATING_NPM_ARGV.search('[npm, "install", "--prefix", str(prefix), package]')
    assert FLOATING_NPM_ARGV.search('["npm", "i", "some-package"]')
    assert not FLOATING_NPM_ARGV.search('[npm, "ci", "--prefix", str(prefix)]')
    assert FLOATING_NPM_COMMAND.search("npm install --no-audit")
    assert FLOATING_NPM_COMMAND.search("npx create-agent-chat-app")
    assert not FLOATING_NPM_COMMAND.search("npm ci --no-audit --no-fund")
    assert not FLOATING_NPM_COMMAND.search("npx --no-install vite build")


def _pins() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in CONSTRAINTS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, separator, version = line.partition("==")
        assert separator, f"constraints.txt: {line!r} is not name==version"
        assert version, f"constraints.txt: {line!r} names no version"
        pins[canonicalize_name(name)] = version
    return pins


def _makefile_extras() -> set[str]:
    found = re.search(r"^EXTRAS := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert found
    return set(found.group(1).split(","))


def _closure(name: str, extras: set[str]) -> set[str]:
    """Every distribution `name[extras]` needs, as installed here (markers evaluated)."""
    visited: set[tuple[str, frozenset[str]]] = set()
    pending = [(canonicalize_name(name), frozenset(extras))]
    while pending:
        current = pending.pop()
        if current in visited:
            continue
        visited.add(current)
        environments = [{"extra": extra} for extra in current[1]] or [{"extra": ""}]
        for text in distribution(current[0]).requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or any(
                requirement.marker.evaluate(env) for env in environments
            ):
                pending.append(
                    (canonicalize_name(requirement.name), frozenset(requirement.extras))
                )
    return {name for name, _ in visited}


def test_every_python_package_make_installs_is_pinned_at_the_installed_version() -> None:
    pins = _pins()
    needed = _closure("okx-auth-graph", _makefile_extras()) - {"okx-auth-graph"}
    assert len(needed) > 50  # the closure is really walked
    unpinned = sorted(name for name in needed if name not in pins)
    assert unpinned == []
    drifted = {name: (pins[name], distribution(name).version) for name in needed
               if pins[name] != distribution(name).version}
    assert drifted == {}
    assert {"pip", "setuptools"} <= pins.keys()  # the installer and the build backend too


def test_make_installs_through_the_constraints() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line for line in makefile.splitlines()
                if "pip install" in line and "$(PY)" in line]
    assert installs
    for line in installs:
        assert "-c constraints.txt" in line or "$(PIN)" in line, line
    assert "PIN := -c constraints.txt --build-constraint constraints.txt" in makefile
