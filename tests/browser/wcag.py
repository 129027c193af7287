"""WCAG 2.x contrast, measured on what Chromium actually renders (computed styles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

AA_TEXT = 4.5  # 1.4.3, normal-size text
AA_NON_TEXT = 3.0  # 1.4.11, user-interface components such as a focus indicator

# Colours come back as rgb()/rgba(); a background is the element's own blended over its
# ancestors' (the canvas is white), which is what the reader sees behind the text.
_COLOURS = """
const parse = (value) => {
  const parts = value.match(/[\\d.]+/g).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
};
const over = (top, bottom) => {
  const alpha = top[3] + bottom[3] * (1 - top[3]);
  if (alpha === 0) return [0, 0, 0, 0];
  const mix = (i) => (top[i] * top[3] + bottom[i] * bottom[3] * (1 - top[3])) / alpha;
  return [mix(0), mix(1), mix(2), alpha];
};
const backgroundOf = (element) => {
  const layers = [];
  for (let node = element; node; node = node.parentElement) {
    layers.push(parse(getComputedStyle(node).backgroundColor));
  }
  return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
};
"""

VISIBLE_TEXT = f"""() => {{
  {_COLOURS}
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {{
    const own = [...element.childNodes]
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => node.textContent.trim()).join(" ").trim();
    if (!own || !element.checkVisibility({{opacityProperty: true, visibilityProperty: true}})) {{
      continue;
    }}
    const style = getComputedStyle(element);
    found.push({{
      text: own,
      tag: element.tagName.toLowerCase(),
      colour: over(parse(style.color), backgroundOf(element)),
      background: backgroundOf(element),
    }});
  }}
  for (const input of document.querySelectorAll("input")) {{
    if (!input.checkVisibility()) continue;
    found.push({{text: "(typed into " + input.id + ")", tag: "input",
                 colour: parse(getComputedStyle(input).color), background: backgroundOf(input)}});
  }}
  return found;
}}"""

FOCUS_RING = f"""(element) => {{
  {_COLOURS}
  const style = getComputedStyle(element);
  return {{
    focused: document.activeElement === element,
    focusVisible: element.matches(":focus-visible"),
    outlineStyle: style.outlineStyle,
    outlineWidth: parseFloat(style.outlineWidth),
    outline: parse(style.outlineColor),
    // The ring is drawn outside the element (outline-offset), over its parent's background.
    behind: backgroundOf(element.parentElement),
  }};
}}"""


def _luminance(rgb: list[float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(foreground: list[float], background: list[float]) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class TextContrast:
    text: str
    tag: str
    ratio: float


def text_contrasts(page: Page) -> list[TextContrast]:
    return [
        TextContrast(item["text"], item["tag"], contrast(item["colour"], item["background"]))
        for item in page.evaluate(VISIBLE_TEXT)
    ]


def focus_ring(locator: Locator) -> dict[str, Any]:
    return locator.evaluate(FOCUS_RING)
