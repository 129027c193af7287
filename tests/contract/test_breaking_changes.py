"""The contracts change without breaking clients, or the break is announced (releases.py).

Each committed contract is compared with the one of the last release in schema/released/ by
graphql-core's find_breaking_changes. A break must be listed, with its reason, in
schema/released/announced-breaks.toml; an entry that matches no break fails too, so the list says
exactly what the next release breaks.

Dangerous changes (find_dangerous_changes: an enum value, a union member or an optional argument
added, a default value changed) never fail the check. They cannot make a valid operation invalid,
and the clients are built to take them: the TypeScript client types every output enum with a
'%future added value' member, so its code already handles a value it does not know. Requiring an
announcement for each would make announcing a reflex; they are listed beside any failure instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.contract.releases import (
    ANNOUNCEMENTS,
    ANNOUNCEMENTS_HEADER,
    REASON_PLACEHOLDER,
    RELEASED,
    ReleaseError,
    compare,
    cut_release,
    project_version,
    read_announcements,
    released_versions,
    report,
    version_key,
)


def test_no_unannounced_break_since_the_last_release():
    comparisons = compare()

    assert {c.target for c in comparisons} == {"public", "backoffice"}
    assert all(c.ok for c in comparisons), report(comparisons)


def test_the_last_release_is_not_newer_than_the_project():
    versions = released_versions()
    # A development version (0.2.0.dev1) counts as the release it leads to.
    project = re.match(r"\d+\.\d+\.\d+", project_version())

    assert versions, f"no release in {RELEASED}"
    assert project, (
        f"pyproject.toml's version {project_version()!r} does not start MAJOR.MINOR.PATCH"
    )
    assert version_key(versions[-1]) <= version_key(project[0])


PUBLIC = """\
type Query {
  apps(first: Int): [App!]!
}

type App {
  id: ID!
  name: String!
  useCase: String
  status: AppStatus!
}

enum AppStatus {
  DRAFT
  LIVE
}
"""
BACKOFFICE = "type Query {\n  reviewQueue: [ID!]!\n}\n"
REMOVED_USE_CASE = "Field App.useCase was removed."


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with PUBLIC and BACKOFFICE released as 0.1.0 and committed unchanged."""
    (tmp_path / "backoffice").mkdir()
    (tmp_path / "schema.graphql").write_text(PUBLIC)
    (tmp_path / "backoffice" / "schema.graphql").write_text(BACKOFFICE)
    released = tmp_path / RELEASED / "0.1.0"
    released.mkdir(parents=True)
    (released / "schema.graphql").write_text(PUBLIC)
    (released / "backoffice.graphql").write_text(BACKOFFICE)
    (tmp_path / ANNOUNCEMENTS).write_text(ANNOUNCEMENTS_HEADER)
    return tmp_path


def change_public(project: Path, old: str, new: str) -> None:
    path = project / "schema.graphql"
    path.write_text(path.read_text().replace(old, new))


def announce(project: Path, entries: str) -> None:
    (project / ANNOUNCEMENTS).write_text(ANNOUNCEMENTS_HEADER + entries)


def test_an_unchanged_contract_passes(project):
    assert all(c.ok and not c.breaks and not c.dangers for c in compare(project))


def test_a_removed_field_fails_until_it_is_announced(project):
    change_public(project, "  useCase: String\n", "")

    comparisons = compare(project)

    assert not all(c.ok for c in comparisons)
    message = report(comparisons)
    assert "public schema: 1 breaking change(s) since 0.1.0 are not announced" in message
    assert f'change = "{REMOVED_USE_CASE}"' in message

    announce(
        project,
        f'\n[[break]]\nschema = "public"\nchange = "{REMOVED_USE_CASE}"\n'
        'reason = "Reviewer-only; read it in the back-office."\n',
    )
    assert all(c.ok for c in compare(project))


def test_an_announcement_for_the_other_schema_does_not_cover_a_break(project):
    change_public(project, "  useCase: String\n", "")
    announce(
        project,
        f'[[break]]\nschema = "backoffice"\nchange = "{REMOVED_USE_CASE}"\nreason = "r"\n',
    )

    public, backoffice = compare(project)

    assert [b.description for b in public.unannounced] == [REMOVED_USE_CASE]
    assert [a.change for a in backoffice.stale] == [REMOVED_USE_CASE]


def test_an_announcement_that_matches_no_break_is_stale(project):
    announce(
        project,
        '[[break]]\nschema = "public"\nchange = "Field App.name was removed."\n'
        'reason = "Renamed to title."\n',
    )

    comparisons = compare(project)

    assert not all(c.ok for c in comparisons)
    assert "the announced break 'Field App.name was removed.' is no longer a change" in report(
        comparisons
    )


def test_dangerous_changes_pass_and_are_listed_beside_a_failure(project):
    change_public(project, "  LIVE\n", "  LIVE\n  ARCHIVED\n")
    assert all(c.ok for c in compare(project))

    change_public(project, "  name: String!\n", "  name: String\n")
    [public, _] = compare(project)

    assert [d.description for d in public.dangers] == ["Enum value AppStatus.ARCHIVED was added."]
    assert "  Enum value AppStatus.ARCHIVED was added." in report([public])
    assert [b.description for b in public.unannounced] == [
        "Field App.name changed type from String! to String."
    ]


@pytest.mark.parametrize(
    ("entries", "error"),
    [
        ('[[break]]\nschema = "public"\nchange = "x"\n', "needs exactly schema, change and reason"),
        ('[[break]]\nschema = "admin"\nchange = "x"\nreason = "r"\n', "schema is 'admin'"),
        ('[[break]]\nschema = "public"\nchange = "x"\nreason = " "\n', "give the reason"),
        (f'[[break]]\nschema = "public"\nchange = "x"\nreason = "{REASON_PLACEHOLDER}"\n', "give"),
        ('[[break]]\nschema = "public"\nchange = "x"\nreason = "r"\n' * 2, "announced twice"),
        ("[[break]\n", "announced-breaks.toml: "),
    ],
)
def test_malformed_announcements_are_refused(project, entries, error):
    announce(project, entries)

    with pytest.raises(ReleaseError, match=error):
        read_announcements(project)


def test_cutting_a_release_copies_the_contracts_and_empties_the_announcements(project):
    change_public(project, "  useCase: String\n", "")
    announce(
        project,
        f'[[break]]\nschema = "public"\nchange = "{REMOVED_USE_CASE}"\nreason = "Moved."\n',
    )

    announced = cut_release("0.2.0", project)

    assert [a.change for a in announced] == [REMOVED_USE_CASE]
    assert released_versions(project) == ["0.1.0", "0.2.0"]
    release = project / RELEASED / "0.2.0"
    assert (release / "schema.graphql").read_text() == (project / "schema.graphql").read_text()
    assert (release / "backoffice.graphql").read_text() == BACKOFFICE
    assert (project / ANNOUNCEMENTS).read_text() == ANNOUNCEMENTS_HEADER
    assert all(c.ok and c.released == "0.2.0" and not c.breaks for c in compare(project))


def test_a_release_is_refused_while_a_break_is_unannounced(project):
    change_public(project, "  useCase: String\n", "")

    with pytest.raises(ReleaseError, match="not announced"):
        cut_release("0.2.0", project)
    assert released_versions(project) == ["0.1.0"]


@pytest.mark.parametrize("version", ["0.1.0", "0.0.9", "0.2", "v0.2.0"])
def test_a_release_must_be_a_newer_version(project, version):
    with pytest.raises(ReleaseError):
        cut_release(version, project)
    assert released_versions(project) == ["0.1.0"]


def test_versions_sort_as_numbers_not_text(project):
    for version in ("0.9.0", "0.10.0"):
        cut_release(version, project)

    assert released_versions(project) == ["0.1.0", "0.9.0", "0.10.0"]
    assert compare(project)[0].released == "0.10.0"
