"""A second province beside the mini content's: KPU Provinsi Uji Timur, in WITA (UTC+8).

The mini content has one province in WIB; planning must keep each province's offices to
their own scope and their own local time, which only shows with two.
"""

from pathlib import Path
from zoneinfo import ZoneInfo

WITA = ZoneInfo("Asia/Makassar")
WITA_REGIONS = ("prov2", "kab-c", "kota-d")
WIB_REGIONS = ("prov", "kab-a", "kota-b")
PLATFORMS = ("facebook", "instagram", "threads", "x", "telegram")
_CREDENTIALS = {
    "facebook": ("page_id", "access_token"),
    "instagram": ("ig_user_id", "access_token"),
    "threads": ("threads_user_id", "access_token"),
    "x": ("access_token",),
    "telegram": ("bot_token", "chat_id"),
}
_OFFICES = {  # key: (kind, office, area, hashtag)
    "prov2": ("provinsi", "KPU Provinsi Uji Timur", "Provinsi Uji Timur", "#KPUUjiTimur"),
    "kab-c": ("kabupaten", "KPU Kabupaten C", "Kabupaten C", "#KPUKabC"),
    "kota-d": ("kota", "KPU Kota D", "Kota D", "#KPUKotaD"),
}


# Region files load in name order: the first puts the WITA offices before the WIB ones
# in the catalog, the second after them. Planning must not care which comes first.
WITA_FIRST, WITA_LAST = "uji-timur.yaml", "wita.yaml"


def add_second_province(mini: Path, file_name: str = WITA_FIRST) -> None:
    """Write the WITA province's region file into a writable copy of the mini content."""
    province, *regencies = (_region_yaml(key, indent) for key, indent in
                            (("prov2", "  "), ("kab-c", "    "), ("kota-d", "    ")))
    text = ("# The second test province, in WITA.\n"
            "timezone: Asia/Makassar\n"
            f"province:\n{province}"
            "regencies:\n" + "".join(regencies))
    (mini / "content" / "regions" / file_name).write_text(text)


def _region_yaml(key: str, indent: str) -> str:
    kind, name, area, hashtag = _OFFICES[key]
    env = key.upper().replace("-", "_")
    first = indent[:-2] + "- " if kind != "provinsi" else indent
    lines = [f"{first}key: {key}", f"{indent}name: {name}", f"{indent}area: {area}",
             f"{indent}kind: {kind}", f"{indent}website: https://{key}.kpu.go.id",
             f'{indent}hashtag: "{hashtag}"', f"{indent}accounts:"]
    for platform in PLATFORMS:
        credentials = ", ".join(f"{field}: SIAR_{env}_{platform.upper()}_{field.upper()}"
                                for field in _CREDENTIALS[platform])
        lines.append(f'{indent}  - {{platform: {platform}, handle: "@{key}", '
                     f"credentials: {{{credentials}}}}}")
    return "\n".join(lines) + "\n"


NATION = "ri"
NATION_YAML = (
    "# The nation over both test provinces (as content/nation.yaml ships it).\n"
    "timezone: Asia/Jakarta\n"
    "nation:\n"
    f"  key: {NATION}\n"
    "  name: KPU RI\n"
    "  area: Indonesia\n"
    "  kind: nasional\n"
    "  website: https://www.kpu.go.id\n"
    '  hashtag: "#KPURI"\n')


def add_nation(mini: Path, text: str = NATION_YAML) -> Path:
    """Write content/nation.yaml (KPU RI, no accounts) into a copy of the mini content."""
    path = mini / "content" / "nation.yaml"
    path.write_text(text)
    return path
