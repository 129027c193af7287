"""The fenced code blocks of a Markdown text, found the way CommonMark finds them.

One reader for every test that takes code out of the project's Markdown: the contract tests (the
GraphQL documents it shows) and the API guide's walkthrough (its shell steps, under their
headings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# CommonMark fences: up to three spaces (more inside list items), then ``` or ~~~ and an info
# string; the block ends at a fence of the same character at least as long.
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
SECTION = re.compile(r"^ {0,3}## +(?P<title>.+?)[ \t]*$")


@dataclass(frozen=True)
class FencedBlock:
    info: str  # the info string after the opening fence
    line: int  # line where `text` starts (1-based)
    text: str  # without the fence's indentation, ending with a newline
    section: str  # the `## ` heading above the block ("" before the first one)

    @property
    def language(self) -> str:
        words = self.info.split()
        return words[0].lower() if words else ""


def fenced_blocks(markdown: str) -> list[FencedBlock]:
    """Every fenced block, in order; a fence or heading inside another block is its text."""
    lines = markdown.splitlines()
    blocks: list[FencedBlock] = []
    section = ""
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        heading = SECTION.match(lines[index])
        index += 1
        if heading:
            section = heading["title"]
        if not opening or (opening["fence"][0] == "`" and "`" in opening["info"]):
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        start = index
        body: list[str] = []
        while index < len(lines):
            closing = FENCE.match(lines[index])
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"].strip()
            ):
                break
            line = lines[index]
            body.append(line[min(indent, len(line) - len(line.lstrip())) :])
            index += 1
        index += 1  # the closing fence (or the end of the text: CommonMark closes it there)
        text = "\n".join(body) + "\n"
        blocks.append(FencedBlock(opening["info"].strip(), start + 1, text, section))
    return blocks
