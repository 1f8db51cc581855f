"""Links in a post as X's twitter-text auto-links them (with http(s), or a bare host with a
known top-level domain): X counts each one as 23 characters, and a hashtag inside one is
not a hashtag."""

import re
from functools import cache

_MAX_URL_LENGTH = 4096  # twitter-text refuses to treat anything longer as a link
_MAX_LABEL_LENGTH = 63  # a DNS label, measured after punycode encoding

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
# The three link patterns below are compiled at their first use (compiling them took
# most of the length checks' import, paid otherwise by every command that never measures
# a text).
@cache
def _url_re() -> re.Pattern[str]:
    return re.compile(
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
@cache
def _ascii_domain_re() -> re.Pattern[str]:
    return re.compile(rf"(?:[a-z0-9\-{_LATIN_ACCENTS}]+\.)+{_TLD}", re.IGNORECASE)


@cache
def _short_cc_domain_re() -> re.Pattern[str]:
    return re.compile(rf"{_DOMAIN_NAME}(?:{_alternation(_CCTLDS)}){_TLD_END}", re.IGNORECASE)


_SPECIAL_SHORT_DOMAIN_RE = re.compile(rf"{_DOMAIN_NAME}(?:co|tv){_TLD_END}", re.IGNORECASE)
# t.co links end at the slug; whatever is glued on after it is plain text.
_TCO_RE = re.compile(r"https?://t\.co/([a-z0-9]+)", re.IGNORECASE)
_MAX_TCO_SLUG_LENGTH = 40


def url_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every link twitter-text would auto-link in `text`, in order."""
    if "." not in text:  # every link has a dot; skip the (quadratic on long words) scan
        return []
    spans: list[tuple[int, int]] = []
    for match in _url_re().finditer(text):
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
        hosts = list(_ascii_domain_re().finditer(domain))
        for index, host in enumerate(hosts):
            if not has_path and not _SPECIAL_SHORT_DOMAIN_RE.fullmatch(host.group()) \
                    and _short_cc_domain_re().fullmatch(host.group()):
                continue
            end = match.end() if has_path and index == len(hosts) - 1 else start + host.end()
            spans.append((start + host.start(), end))
    return spans


def _is_valid_host(domain: str, url_length: int) -> bool:
    # twitter-text adds the scheme length even when the match already has one; so do we.
    if url_length > _MAX_URL_LENGTH:
        return False
    if domain.startswith("xn--") and not _ascii_domain_re().search(domain):
        return False  # punycode is ASCII by definition
    for label in domain.split("."):
        encoded = label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
        if not 0 < len(encoded) <= _MAX_LABEL_LENGTH:
            return False
    return True


def extract_urls(text: str) -> list[str]:
    """The links in `text`, as X would auto-link them (with http(s) or a bare known-TLD host)."""
    return [text[start:end] for start, end in url_spans(text)]
