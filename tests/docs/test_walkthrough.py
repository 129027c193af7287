"""The walkthrough reads the guide's blocks as CommonMark does, under the right headings."""

from __future__ import annotations

from tests.docs.walkthrough import graphql_blocks, shell_blocks

GUIDE = """\
## 1. Start

~~~sh
echo tilde
~~~

````markdown
## Not a heading
```sh
echo quoted, never run
```
````

## 2. Then

- in a list item:

  ```bash
  echo indented
  ```

```GraphQL
{ viewer { id } }
```
"""


def test_shell_blocks_in_any_fence_run_and_quoted_ones_do_not():
    blocks = shell_blocks(GUIDE)

    assert [(block.section, block.text) for block in blocks] == [
        ("1. Start", "echo tilde\n"),
        ("2. Then", "echo indented\n"),
    ]


def test_graphql_blocks_are_found_whatever_the_case_of_their_info_string():
    assert [block.text for block in graphql_blocks(GUIDE)] == ["{ viewer { id } }\n"]
