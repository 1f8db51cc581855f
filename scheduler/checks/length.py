"""How long a post is, counted the way each platform counts it (X weighted length, Threads,
Telegram UTF-16 units, plain code points), and hashtag counting. Links are found by
scheduler.checks.urls."""

import re
import unicodedata
from collections.abc import Callable

from scheduler.checks.urls import url_spans
from scheduler.platforms import Counter, platform_limit

# --- X (twitter-text "config v3") -------------------------------------------------------------
# Weights are 100 or 200 on a scale of 100, so we count in whole units of 1 and 2 directly.
_X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# Any code point outside the light ranges weighs 2.
_X_HEAVY_RE = re.compile(
    "[^" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _X_LIGHT_RANGES) + "]")
_X_URL_LENGTH = 23  # transformedURLLength: t.co wraps every link
_X_EMOJI_WEIGHT = 2  # a whole emoji sequence weighs the default weight once

# Emoji: a base is any code point with the Emoji property (BMP, minus digits, # and *, which are
# emoji only inside keycaps) or in the pictographic planes. Sequences then follow UTS #51:
# keycaps, tag (subdivision) flags, regional-indicator pairs, and ZWJ chains of bases that may
# carry VS16 and a skin-tone modifier. Unlike twitter-text's frozen list this needs no update when
# Unicode adds a sequence.
_EMOJI_BMP = (
    r"\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf"
    r"\u23e9-\u23f3\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u2604\u260e"
    r"\u2611\u2614\u2615\u2618\u261d\u2620\u2622\u2623\u2626\u262a\u262e\u262f\u2638-\u263a"
    r"\u2640\u2642\u2648-\u2653\u265f\u2660\u2663\u2665\u2666\u2668\u267b\u267e\u267f"
    r"\u2692-\u2697\u2699\u269b\u269c\u26a0\u26a1\u26a7\u26aa\u26ab\u26b0\u26b1\u26bd\u26be"
    r"\u26c4\u26c5\u26c8\u26ce\u26cf\u26d1\u26d3\u26d4\u26e9\u26ea\u26f0-\u26f5\u26f7-\u26fa"
    r"\u26fd\u2702\u2705\u2708-\u270d\u270f\u2712\u2714\u2716\u271d\u2721\u2728\u2733\u2734"
    r"\u2744\u2747\u274c\u274e\u2753-\u2755\u2757\u2763\u2764\u2795-\u2797\u27a1\u27b0\u27bf"
    r"\u2934\u2935\u2b05-\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299"
)
_EMOJI_SMP = (
    r"\U0001f000-\U0001f0ff\U0001f10d-\U0001f10f\U0001f12f\U0001f16c-\U0001f171"
    r"\U0001f17e\U0001f17f\U0001f18e\U0001f191-\U0001f19a\U0001f1ad-\U0001f1ff"
    r"\U0001f201-\U0001f20f\U0001f21a\U0001f22f\U0001f232-\U0001f23a\U0001f23c-\U0001f23f"
    r"\U0001f249-\U0001f53d\U0001f546-\U0001f64f\U0001f680-\U0001f6ff\U0001f774-\U0001f77f"
    r"\U0001f7d5-\U0001f7ff\U0001f80c-\U0001f80f\U0001f848-\U0001f84f\U0001f85a-\U0001f85f"
    r"\U0001f888-\U0001f88f\U0001f8ae-\U0001f8ff\U0001f90c-\U0001f93a\U0001f93c-\U0001f945"
    r"\U0001f947-\U0001faff\U0001fc00-\U0001fffd"
)
_EMOJI_ELEMENT = rf"[{_EMOJI_BMP}{_EMOJI_SMP}]\ufe0f?[\U0001f3fb-\U0001f3ff]?"
_EMOJI_RE = re.compile(
    r"[0-9#*]\ufe0f?\u20e3"
    r"|\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
    r"|[\U0001f1e6-\U0001f1ff]{2}"
    rf"|{_EMOJI_ELEMENT}(?:\u200d{_EMOJI_ELEMENT})*"
)

# --- Hashtags -----------------------------------------------------------------------------------
# Besides letters, marks, digits and "_", twitter-text lets these join a hashtag (ZWNJ/ZWJ for
# Indic scripts, Japanese and Hebrew punctuation, the middle dot).
_HASHTAG_EXTRA = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)


def x_weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3; the limit is 280).

    The text is NFC-normalised; code points in 0-4351, 8192-8205, 8208-8223 and 8242-8247 weigh
    1 and all others 2; every link counts 23 however long it is; a whole emoji sequence (ZWJ
    chains, skin tones, flags, keycaps) counts 2.
    """
    normalized = unicodedata.normalize("NFC", text)
    total = 0
    start = 0
    for url_start, url_end in url_spans(normalized):
        total += _x_plain_weight(normalized[start:url_start]) + _X_URL_LENGTH
        start = url_end
    return total + _x_plain_weight(normalized[start:])


def _x_plain_weight(segment: str) -> int:
    """Weight of text without links: emoji sequences count 2, other code points 1 or 2.
    Regular expressions do the scanning, so a long post costs microseconds, not a loop."""
    emoji = len(_EMOJI_RE.findall(segment))
    rest = _EMOJI_RE.sub("", segment) if emoji else segment
    return emoji * _X_EMOJI_WEIGHT + len(rest) + len(_X_HEAVY_RE.findall(rest))


def threads_length(text: str) -> int:
    """Threads' length (limit 500): Meta counts emoji as their UTF-8 byte length.

    Read as: every code point outside an emoji sequence counts 1; every code point inside one
    (the pictograph and any VS16, skin tone, ZWJ or tag characters) counts its UTF-8 bytes, so
    "😀" is 4, "❤️" 6 and a four-person family 25. This errs long when unsure, which is the safe
    side for a limit check.
    """
    return len(text) + sum(
        len(sequence.encode("utf-8")) - len(sequence) for sequence in _EMOJI_RE.findall(text))


def telegram_length(text: str) -> int:
    """Telegram's length: UTF-16 code units (our posts are plain text, so no entity parsing)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def plain_length(text: str) -> int:
    """Length in Unicode code points (Facebook, Instagram, and our own sinks)."""
    return len(text)


_HASH_RE = re.compile("[#\uff03]")


def _glued_to_link_text(text: str, index: int) -> bool:
    """Whether the word before `index` (up to white space) could be part of a link."""
    start = index
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return "." in text[start:index]


def _is_hashtag_char(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LM" or category == "Nd" or char in _HASHTAG_EXTRA


def count_hashtags(text: str) -> int:
    """How many hashtags `text` has, by twitter-text's rules.

    A hashtag is "#" (or "＃") not preceded by a word character or "&", followed by letters,
    marks, digits or "_" that include at least one letter, so "#1" is not a hashtag while "#1st"
    is. One glued to a following "#" or "://", or inside a link, does not count.
    """
    if "#" not in text and "\uff03" not in text:
        return 0
    link_spans: list[tuple[int, int]] | None = None  # computed only if a tag may sit in a link
    count = 0
    index = 0
    while index < len(text):
        found = _HASH_RE.search(text, index)
        if found is None:
            break
        index = found.start()
        if index > 0 and (text[index - 1] == "&" or _is_hashtag_char(text[index - 1])):
            index += 1
            continue
        end = index + 1
        if text.startswith(("\ufe0f", "\u20e3"), end):  # "#️⃣" is the keycap emoji
            index = end
            continue
        while end < len(text) and _is_hashtag_char(text[end]):
            end += 1
        body = text[index + 1:end]
        if (
            any(unicodedata.category(char)[0] in "LM" for char in body)
            and not text.startswith(("#", "\uff03", "://"), end)
        ):
            if link_spans is None and _glued_to_link_text(text, index):
                link_spans = url_spans(text)
            if not any(start <= index < stop for start, stop in link_spans or ()):
                count += 1
        index = max(end, index + 1)
    return count


# How a platform counts, by the name its adapter declares (PlatformLimits.counter).
COUNTERS: dict[Counter, Callable[[str], int]] = {
    "plain": plain_length,
    "x_weighted": x_weighted_length,
    "utf8_emoji": threads_length,
    "utf16": telegram_length,
}


def length_for(platform: str, text: str) -> int:
    """`text`'s length as `platform` counts it (the counter its adapter declares)."""
    return COUNTERS[platform_limit(platform).counter](text)
