"""How long a post is, counted the way each platform counts it (X weighted length, Threads,
Telegram UTF-16 units, plain code points), plus URL extraction and hashtag counting."""

import re
import unicodedata
from collections.abc import Callable

from scheduler.platforms import Counter, platform_limit

# --- X (twitter-text "config v3") -------------------------------------------------------------
# Weights are 100 or 200 on a scale of 100, so we count in whole units of 1 and 2 directly.
_X_LIGHT_RANGES = ((0, 4351), (8192, 8205), (8208, 8223), (8242, 8247))
# Any code point outside the light ranges weighs 2.
_X_HEAVY_RE = re.compile(
    "[^" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in _X_LIGHT_RANGES) + "]")
_X_URL_LENGTH = 23  # transformedURLLength: t.co wraps every link
_X_EMOJI_WEIGHT = 2  # a whole emoji sequence weighs the default weight once
_MAX_URL_LENGTH = 4096  # twitter-text refuses to treat anything longer as a link
_MAX_LABEL_LENGTH = 63  # a DNS label, measured after punycode encoding

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

# --- URLs (twitter-text's auto-link rules) ------------------------------------------------------
# Top-level domains a bare "example.tld" may end in: every ASCII ccTLD, the historic gTLDs plus
# the new ones seen in practice, and common internationalised ccTLDs.
_CCTLD_NAMES = """
    ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo
    bq br bs bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm
    do dz ec ee eg eh er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs
    gt gu gw gy hk hm hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp
    kr kw ky kz la lb lc li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms
    mt mu mv mw mx my mz na nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps
    pt pw py qa re ro rs ru rw sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz
    tc td tf tg th tj tk tl tm tn to tp tr tt tv tw tz ua ug uk um us uy uz va vc ve vg vi vn vu
    wf ws ye yt za zm zw
    бел мкд мон рф срб укр қаз հայ გე ελ ישראל الاردن الجزائر السعودية السودان العراق المغرب
    امارات ایران بھارت تونس سودان سورية عمان فلسطين قطر مصر مليسيا موريتانيا پاکستان ڀارت
    भारत বাংলা ভারত ਭਾਰਤ ભારત இந்தியா இலங்கை சிங்கப்பூர் భారత్ ලංකා ไทย 한국 中国 中國 台湾
    台灣 新加坡 澳門 香港"""
_GTLD_NAMES = """
    aero arpa asia biz cat com coop edu gov info int jobs mil mobi museum name net org post
    pro tel travel xxx
    academy agency app art asia audio bank bar beer best bike bio black blog blue boutique build
    business buzz cafe camera camp capital care career careers center chat cheap church city
    click clinic cloud club codes coffee college community company computer consulting cool
    dating deals design dev diet digital directory domains earth eco education email energy
    engineering enterprises equipment estate events exchange expert exposed farm fashion film
    finance fish fitness flights florist foundation fund fun futbol gallery games garden gift
    global gold golf google graphics green group guide guru health help holdings holiday host
    hosting house how inc industries ink institute insure international investments jetzt kim
    kitchen land lat law lawyer lgbt life lighting limited link live llc loan love ltd luxury
    maison management market marketing media menu moda money movie network news ninja one online
    ooo page partners parts photo photography photos pics pink pizza place plus press
    productions properties property pub recipes red rehab rent rentals repair report rest
    restaurant review reviews rich rocks run sale school science services sexy shoes shop
    shopping show singles site social software solar solutions space store studio style support
    surf systems tax team tech technology tips today tools top town toys trade training tube
    university uno vacations ventures vision vote voting voyage wang watch web website wiki win
    wine work works world wtf xyz yoga zone
    みんな コム 中文网 公司 在线 网址 网络 移动 онлайн сайт"""
_CCTLDS = frozenset(_CCTLD_NAMES.split())
_GTLDS = frozenset(_GTLD_NAMES.split())


def _alternation(words: frozenset[str]) -> str:
    """A regex matching any of `words`, nested by leading letter (a trie): with hundreds of TLDs a
    flat alternation would be tried branch by branch at every candidate position."""
    tails: dict[str, set[str]] = {}
    for word in words:
        tails.setdefault(word[0], set()).add(word[1:])
    branches = []
    for first, rest in sorted(tails.items()):
        longer = frozenset(tail for tail in rest if tail)
        suffix = f"(?:{_alternation(longer)})" if longer else ""
        if suffix and "" in rest:
            suffix += "?"  # greedy: "com" is tried before "co"
        branches.append(re.escape(first) + suffix)
    return "|".join(branches)


_TLD_END = r"(?=[^0-9a-z@+\-]|$)"  # "example.com" must not run on into "example.community"
_TLD = rf"(?:(?:{_alternation(_GTLDS | _CCTLDS)}){_TLD_END}|xn--[0-9a-z\-]+)"
_LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    r"\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_SPACES = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID_CHARS = r"\ufffe\ufeff\uffff"
_BIDI_MARKS = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# A domain label character is anything but twitter-text's punctuation, spaces and invisible
# controls, so internationalised hosts such as "http://☃.net" work.
_PUNCT = r"!'#%&()*+,\\\-./:;<=>?@\[\]^_{|}~$"
_LABEL_CHAR = rf"[^{_PUNCT}{_SPACES}{_INVALID_CHARS}{_BIDI_MARKS}]"
# A label may hold "-" (and, below the registered name, "_") but not start or end with one.
# Possessive quantifiers: a label can only be read one way, so there is nothing to backtrack.
_SUBDOMAIN = rf"(?:{_LABEL_CHAR}(?:[_\-]*+{_LABEL_CHAR})*+\.)"
_DOMAIN_NAME = rf"(?:{_LABEL_CHAR}(?:-*+{_LABEL_CHAR})*+\.)"
_PATH_CHAR = rf"[a-z\u0400-\u04ff0-9!*';:=+,.$/%#\[\]\-\u2013_~@|&{_LATIN_ACCENTS}]"
_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
# A path may not end in punctuation, so "see https://kpu.go.id/." keeps its full stop.
_PATH_END = rf"(?:[+\-a-z\u0400-\u04ff0-9=_#/{_LATIN_ACCENTS}]|{_PARENS})"
_PATH_SEGMENT = rf"(?:{_PATH_CHAR}*(?:{_PARENS}{_PATH_CHAR}*)*{_PATH_END}|{_PATH_CHAR}+/)"
_QUERY = r"\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9\-_&=#/]"

# The character before a link is consumed, as in twitter-text: it must not be a letter, digit,
# "@", "$" or "#", and it cannot be the last character of the previous match.
_URL_RE = re.compile(
    rf"(?:[^a-z0-9@$#\uff20\uff03{_INVALID_CHARS}]|\A)"
    r"(?P<url>(?P<protocol>https?://)?"
    rf"(?P<domain>{_SUBDOMAIN}*{_DOMAIN_NAME}{_TLD})"
    r"(?::[0-9]+)?"
    rf"(?P<path>/{_PATH_SEGMENT}*)?"
    rf"(?:{_QUERY})?)",
    re.IGNORECASE,
)
# Without a scheme only the ASCII part of a host is linked, and a lone "name.cc" is not (too
# many false positives) unless it is one of the well-known short hosts like "t.co".
_ASCII_DOMAIN_RE = re.compile(rf"(?:[a-z0-9\-{_LATIN_ACCENTS}]+\.)+{_TLD}", re.IGNORECASE)
_SHORT_CC_DOMAIN_RE = re.compile(
    rf"{_DOMAIN_NAME}(?:{_alternation(_CCTLDS)}){_TLD_END}", re.IGNORECASE
)
_SPECIAL_SHORT_DOMAIN_RE = re.compile(rf"{_DOMAIN_NAME}(?:co|tv){_TLD_END}", re.IGNORECASE)
# t.co links end at the slug; whatever is glued on after it is plain text.
_TCO_RE = re.compile(r"https?://t\.co/([a-z0-9]+)", re.IGNORECASE)
_MAX_TCO_SLUG_LENGTH = 40

# --- Hashtags -----------------------------------------------------------------------------------
# Besides letters, marks, digits and "_", twitter-text lets these join a hashtag (ZWNJ/ZWJ for
# Indic scripts, Japanese and Hebrew punctuation, the middle dot).
_HASHTAG_EXTRA = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)


def _url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every link twitter-text would auto-link in `text`, in order."""
    if "." not in text:  # every link has a dot; skip the (quadratic on long words) scan
        return []
    spans: list[tuple[int, int]] = []
    for match in _URL_RE.finditer(text):
        url, protocol, domain = match.group("url", "protocol", "domain")
        start = match.start("url")
        if not _is_valid_host(domain, len(protocol or "https://") + len(url)):
            continue
        if protocol:
            tco = _TCO_RE.match(url)
            if tco and len(tco.group(1)) > _MAX_TCO_SLUG_LENGTH:
                continue
            spans.append((start, start + len(tco.group()) if tco else match.end()))
            continue
        if text[match.start():start] in ("-", "_", ".", "/"):  # part of a path or longer name
            continue
        has_path = bool(match.group("path"))
        hosts = list(_ASCII_DOMAIN_RE.finditer(domain))
        for index, host in enumerate(hosts):
            if not has_path and not _SPECIAL_SHORT_DOMAIN_RE.fullmatch(host.group()) \
                    and _SHORT_CC_DOMAIN_RE.fullmatch(host.group()):
                continue
            end = match.end() if has_path and index == len(hosts) - 1 else start + host.end()
            spans.append((start + host.start(), end))
    return spans


def _is_valid_host(domain: str, url_length: int) -> bool:
    # twitter-text adds the scheme length even when the match already has one; so do we.
    if url_length > _MAX_URL_LENGTH:
        return False
    if domain.startswith("xn--") and not _ASCII_DOMAIN_RE.search(domain):
        return False  # punycode is ASCII by definition
    for label in domain.split("."):
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        if not 0 < len(encoded) <= _MAX_LABEL_LENGTH:
            return False
    return True


def x_weighted_length(text: str) -> int:
    """X's weighted length (twitter-text v3; the limit is 280).

    The text is NFC-normalised; code points in 0-4351, 8192-8205, 8208-8223 and 8242-8247 weigh
    1 and all others 2; every link counts 23 however long it is; a whole emoji sequence (ZWJ
    chains, skin tones, flags, keycaps) counts 2.
    """
    normalized = unicodedata.normalize("NFC", text)
    total = 0
    start = 0
    for url_start, url_end in _url_spans(normalized):
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


def extract_urls(text: str) -> list[str]:
    """The links in `text`, as X would auto-link them (with http(s) or a bare known-TLD host)."""
    return [text[start:end] for start, end in _url_spans(text)]


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
                link_spans = _url_spans(text)
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
