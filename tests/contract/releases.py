"""Released contracts, announced breaks, and cutting a release.

schema/released/<version>/schema.graphql and backoffice.graphql are copies of the two committed
contracts as they were released. schema/released/announced-breaks.toml lists the breaking changes
made since the last release, each with the reason clients were given.

Cut a release (after setting the version in pyproject.toml):

    .venv/bin/python -m tests.contract.releases [VERSION]

It refuses while a break is unannounced or an announcement is stale, copies both contracts under
the version, prints the announced breaks for the release notes and empties the announcement list.
"""

from __future__ import annotations

import re
import shutil
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from graphql import (
    BreakingChange,
    DangerousChange,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
)

from tests.contract.documents import ROOT, Target

CONTRACTS: dict[Target, tuple[str, str]] = {
    # target: (committed contract, its name inside a release folder)
    "public": ("schema.graphql", "schema.graphql"),
    "backoffice": ("backoffice/schema.graphql", "backoffice.graphql"),
}
RELEASED = Path("schema/released")
ANNOUNCEMENTS = RELEASED / "announced-breaks.toml"
REASON_PLACEHOLDER = "<what clients were told, and what to use instead>"
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")

ANNOUNCEMENTS_HEADER = """\
# Breaking changes to the contracts since the last release in this folder, each announced to
# the clients with its reason. The contract tests fail on a break that is not listed here and on
# an entry that no longer matches a break. Cutting a release prints this list for the release
# notes and empties it.
#
# [[break]]
# schema = "public"  # or "backoffice"
# change = "Field App.useCase was removed."  # exactly as the failing test prints it
# reason = "Reviewer-only data moved to the back-office schema; read it there."
"""


class ReleaseError(Exception):
    """A release folder or announcement list that cannot be used as it is."""


@dataclass(frozen=True)
class Announcement:
    schema: Target
    change: str
    reason: str


@dataclass(frozen=True)
class Comparison:
    target: Target
    released: str  # the version compared against
    breaks: list[BreakingChange]
    dangers: list[DangerousChange]
    unannounced: list[BreakingChange]
    stale: list[Announcement]

    @property
    def ok(self) -> bool:
        return not self.unannounced and not self.stale


def version_key(version: str) -> tuple[int, int, int]:
    match = _VERSION.match(version)
    if not match:
        raise ReleaseError(f"{version!r} is not a release version (MAJOR.MINOR.PATCH)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def released_versions(root: Path = ROOT) -> list[str]:
    """Oldest first; each must hold both contracts."""
    folder = root / RELEASED
    versions = sorted(
        (path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else [],
        key=version_key,
    )
    for version in versions:
        for _, released_name in CONTRACTS.values():
            if not (folder / version / released_name).is_file():
                raise ReleaseError(f"{RELEASED / version / released_name} is missing")
    return versions


def read_announcements(root: Path = ROOT) -> list[Announcement]:
    path = root / ANNOUNCEMENTS
    if not path.is_file():
        return []
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("break", [])
    except tomllib.TOMLDecodeError as error:
        raise ReleaseError(f"{ANNOUNCEMENTS}: {error}") from error
    announcements = []
    for number, entry in enumerate(entries, start=1):
        where = f"{ANNOUNCEMENTS}, break {number}"
        if set(entry) != {"schema", "change", "reason"}:
            raise ReleaseError(f"{where}: needs exactly schema, change and reason")
        if entry["schema"] not in CONTRACTS:
            raise ReleaseError(f"{where}: schema is {entry['schema']!r}, not one of {[*CONTRACTS]}")
        if not str(entry["reason"]).strip() or str(entry["reason"]).startswith("<"):
            raise ReleaseError(f"{where}: give the reason clients were told")
        announcement = Announcement(entry["schema"], entry["change"], entry["reason"])
        if announcement.change in {a.change for a in announcements if a.schema == entry["schema"]}:
            raise ReleaseError(f"{where}: announced twice")
        announcements.append(announcement)
    return announcements


def compare(root: Path = ROOT) -> list[Comparison]:
    """Each current contract against the last released one, and the announcements."""
    versions = released_versions(root)
    if not versions:
        raise ReleaseError(f"no release in {RELEASED}")
    latest = versions[-1]
    announcements = read_announcements(root)
    comparisons = []
    for target, (committed, released_name) in CONTRACTS.items():
        released = build_schema((root / RELEASED / latest / released_name).read_text())
        current = build_schema((root / committed).read_text())
        breaks = find_breaking_changes(released, current)
        announced = {a.change for a in announcements if a.schema == target}
        found = {b.description for b in breaks}
        comparisons.append(
            Comparison(
                target=target,
                released=latest,
                breaks=breaks,
                dangers=find_dangerous_changes(released, current),
                unannounced=[b for b in breaks if b.description not in announced],
                stale=[a for a in announcements if a.schema == target and a.change not in found],
            )
        )
    return comparisons


def report(comparisons: list[Comparison]) -> str:
    """What is wrong, with the entries to paste into the announcement list once clients know."""
    lines = []
    for c in comparisons:
        if c.unannounced:
            lines.append(
                f"{c.target} schema: {len(c.unannounced)} breaking change(s) since {c.released} are"
                f" not announced in {ANNOUNCEMENTS}. Undo them, or announce each:"
            )
            for change in c.unannounced:
                lines += [
                    "",
                    "[[break]]",
                    f'schema = "{c.target}"',
                    f"change = {_toml_string(change.description)}",
                    f"reason = {_toml_string(REASON_PLACEHOLDER)}",
                ]
            lines.append("")
        for stale in c.stale:
            lines.append(
                f"{c.target} schema: the announced break {stale.change!r} is no longer a change"
                f" since {c.released}; remove it from {ANNOUNCEMENTS}"
            )
        if (c.unannounced or c.stale) and c.dangers:
            # Context only: dangerous changes never fail the check (see test_breaking_changes).
            lines.append(f"{c.target} schema: dangerous (not breaking) changes since {c.released}:")
            lines += [f"  {danger.description}" for danger in c.dangers]
    return "\n".join(lines)


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def project_version(root: Path = ROOT) -> str:
    with (root / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["project"]["version"]


def cut_release(version: str, root: Path = ROOT) -> list[Announcement]:
    """Copy both contracts under `version`; returns the announcements it empties."""
    new = version_key(version)
    versions = released_versions(root)
    if versions and new <= version_key(versions[-1]):
        raise ReleaseError(f"{version} is not newer than the last release, {versions[-1]}")
    comparisons = compare(root) if versions else []
    if not all(c.ok for c in comparisons):
        raise ReleaseError("the contracts cannot be released as they are:\n" + report(comparisons))
    announcements = read_announcements(root)
    folder = root / RELEASED / version
    folder.mkdir(parents=True)
    for committed, released_name in CONTRACTS.values():
        shutil.copyfile(root / committed, folder / released_name)
    (root / ANNOUNCEMENTS).write_text(ANNOUNCEMENTS_HEADER, encoding="utf-8")
    return announcements


def main(argv: list[str]) -> int:
    version = argv[0] if argv else project_version()
    try:
        announced = cut_release(version)
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    print(f"Released the contracts as {version} in {RELEASED / version}.")
    if announced:
        print("Breaking changes in this release (for the release notes):")
        for announcement in announced:
            print(f"- {announcement.schema}: {announcement.change} {announcement.reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
