"""Tulis: the composer (counters as each platform counts, drafts and submission, scope,
images with alt text) and the CSV import with its preview, over the real HTTP stack."""

import dataclasses
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from scheduler.app import Application, create_app
from scheduler.media import media_address, signing_key
from scheduler.web.server import create_web_app
from tests.conftest import posts
from tests.web.conftest import page_csrf, sign_in

TEXT_281 = "a" * 281
WHEN = {"tanggal": "2024-01-20", "jam": "09:00"}  # the clock is 2023-12-20 10:00 WIB


def tiny_png() -> bytes:
    """A real 1x1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def compose(client: TestClient, *, files: dict[str, Any] | None = None,
            csrf: str | None = None, **fields: Any) -> Any:
    data = {"csrf": csrf if csrf is not None else page_csrf(client, "/tulis"), **WHEN,
            **fields}
    return client.post("/tulis", data=data, files=files or {"berkas": ("", b"", "")})


def count(client: TestClient, **fields: Any) -> str:
    answer = client.post("/tulis/hitung", data=fields, headers={
        "X-CSRF-Token": page_csrf(client, "/tulis"), "HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    return answer.text


def counter(html: str, platform: str) -> str:
    found = re.search(rf'<li class="([^"]*)" data-platform="{platform}"[^>]*>([^<]*)</li>', html)
    assert found, f"no counter for {platform} in {html}"
    return f"{found.group(1)}|{found.group(2)}"


def uploads(application: Application) -> list[Path]:
    folder = application.settings.media_dir / "unggahan"
    return sorted(folder.iterdir()) if folder.exists() else []


# --- the counters ----------------------------------------------------------------------


def test_the_counter_turns_x_red_at_281_as_x_counts(signed_in) -> None:
    ani = signed_in("ani")
    assert counter(count(ani, teks=TEXT_281, platform=["x", "facebook"]), "x") == \
        "counter over|x: 281 / 280"
    assert counter(count(ani, teks="a" * 280, platform="x"), "x") == "counter|x: 280 / 280"
    # X weighs a link 23 and an emoji 2, whatever their length.
    link = "https://kpu.go.id/" + "p" * 60
    assert counter(count(ani, teks=f"{link} 😀", platform="x"), "x") == "counter|x: 26 / 280"


def test_telegram_counts_against_the_caption_limit_with_an_image(signed_in) -> None:
    ani = signed_in("ani")
    text = "b" * 1025
    assert counter(count(ani, teks=text, platform="telegram"), "telegram") == \
        "counter|telegram: 1025 / 4096"
    # htmx sends a chosen file's field without its content: the caption limit applies.
    assert counter(count(ani, teks=text, platform="telegram", berkas="foto.png"),
                   "telegram") == "counter over|telegram: 1025 / 1024"


def test_periksa_shows_the_counts_and_problems_without_javascript(signed_in,
                                                                  application) -> None:
    budi = signed_in("budi")
    answer = compose(budi, teks=TEXT_281, platform=["x", "threads"], aksi="periksa")
    assert answer.status_code == 200
    assert counter(answer.text, "x") == "counter over|x: 281 / 280"
    assert counter(answer.text, "threads") == "counter|threads: 281 / 500"
    assert "281/280" in answer.text  # the refusal, named
    assert TEXT_281 in answer.text  # the text is kept
    assert posts(application.engine) == []


# --- submitting --------------------------------------------------------------------------


def test_an_x_post_over_280_is_refused_with_the_values_kept(signed_in, application) -> None:
    budi = signed_in("budi")
    answer = compose(budi, teks=TEXT_281, platform="x", aksi="ajukan")
    assert answer.status_code == 400
    assert "teks 281/280 karakter berbobot" in answer.text
    assert TEXT_281 in answer.text
    assert 'value="x" checked' in answer.text
    assert 'value="2024-01-20"' in answer.text
    assert posts(application.engine) == []


def test_an_x_post_of_280_is_submitted_for_review(signed_in, application) -> None:
    budi = signed_in("budi")
    answer = compose(budi, teks="a" * 280, platform="x", aksi="ajukan")
    assert answer.status_code == 303
    [post] = posts(application.engine)
    assert answer.headers["location"] == f"/unggahan?batch={post.batch}"
    assert (post.region_key, post.platform, post.status, post.created_by) == \
        ("kab-a", "x", "pending", "budi")
    assert post.scheduled_at.isoformat() == "2024-01-20T02:00:00+00:00"  # 09:00 WIB
    assert budi.get(answer.headers["location"]).status_code == 200


def test_a_regency_author_writes_for_their_own_region_only(signed_in, application) -> None:
    budi = signed_in("budi")
    assert compose(budi, teks="Info TPS.", platform="facebook", wilayah="kab-a",
                   aksi="draf").status_code == 303
    for elsewhere in ("kota-b", "kab-b"):
        answer = compose(budi, teks="Info TPS.", platform="facebook", wilayah=elsewhere,
                         aksi="draf")
        assert answer.status_code == 403
        assert f"bukan {elsewhere}" in answer.text
    assert [p.region_key for p in posts(application.engine)] == ["kab-a"]


def test_a_regency_author_sees_only_their_region_on_the_form(signed_in) -> None:
    page = signed_in("budi").get("/tulis").text
    assert 'name="wilayah" value="kab-a"' in page
    assert "kota-b" not in page and "semua_kabkota" not in page


def test_a_province_author_drafts_for_every_region_then_submits(signed_in,
                                                                application) -> None:
    ani = signed_in("ani")
    page = ani.get("/tulis").text
    assert "semua kabupaten/kota" in page
    answer = compose(ani, teks="Cek DPT Anda.", platform=["facebook", "x"], wilayah="prov",
                     semua_kabkota="1", aksi="draf")
    assert answer.status_code == 303
    made = posts(application.engine)
    assert sorted((p.region_key, p.platform) for p in made) == [
        (r, p) for r in ("kab-a", "kota-b", "prov") for p in ("facebook", "x")]
    assert {p.status for p in made} == {"draft"}
    batch = made[0].batch
    page = ani.get("/tulis").text
    assert f'data-batch="{batch}"' in page  # listed among the drafts, with its button
    answer = ani.post("/tulis/ajukan", data={"csrf": page_csrf(ani, "/tulis"), "batch": batch})
    assert answer.status_code == 303
    assert {p.status for p in posts(application.engine)} == {"pending"}
    assert f'data-batch="{batch}"' not in ani.get("/tulis").text


def test_reviewers_cannot_write(signed_in, application) -> None:
    rudi = signed_in("rudi")
    assert rudi.get("/tulis").status_code == 403
    assert rudi.get("/tulis/impor").status_code == 403
    csrf = page_csrf(rudi, "/unggahan")
    answer = compose(rudi, csrf=csrf, teks="Halo.", platform="x", wilayah="kab-a",
                     aksi="ajukan")
    assert answer.status_code == 403
    answer = rudi.post("/tulis/impor", data={"csrf": csrf},
                       files={"berkas": ("a.csv", b"region,platform,scheduled_at,text\n")})
    assert answer.status_code == 403
    assert posts(application.engine) == []


def test_every_post_form_needs_its_csrf_token(signed_in, application) -> None:
    ani = signed_in("ani")
    answer = compose(ani, csrf="", teks="Halo.", platform="x", wilayah="kab-a",
                     aksi="ajukan")
    assert answer.status_code == 403
    assert ani.post("/tulis/hitung", data={"teks": "a"}).status_code == 403
    assert ani.post("/tulis/ajukan", data={"batch": "x"}).status_code == 403
    assert ani.post("/tulis/impor", files={"berkas": ("a.csv", b"x")}).status_code == 403
    assert ani.post("/tulis/impor/konfirmasi", data={"token": "x" * 32}).status_code == 403
    assert posts(application.engine) == []


def test_a_time_in_the_past_and_missing_choices_are_named(signed_in, application) -> None:
    ani = signed_in("ani")
    answer = compose(ani, teks="Halo.", platform="x", wilayah="kab-a", aksi="ajukan",
                     tanggal="2023-12-19")
    assert answer.status_code == 400
    assert "sudah lewat" in answer.text
    answer = compose(ani, teks="Halo.", aksi="ajukan")
    assert "pilih sedikitnya satu platform" in answer.text
    assert "pilih sedikitnya satu wilayah" in answer.text
    answer = compose(ani, teks="Halo.", platform="x", wilayah="kab-a", tanggal="besok",
                     aksi="ajukan")
    assert "tanggal tidak valid: &#39;besok&#39;" in answer.text
    assert posts(application.engine) == []


def test_quiet_period_and_neutrality_problems_need_acknowledging(signed_in,
                                                                 application) -> None:
    ani = signed_in("ani")
    fields = {"teks": "Dukung Partai Contoh!", "platform": "facebook", "wilayah": "kab-a",
              "tanggal": "2024-02-12", "aksi": "ajukan"}
    answer = compose(ani, **fields)
    assert answer.status_code == 400
    assert "menyebut peserta pemilu (netralitas): Partai Contoh" in answer.text
    assert "tidak ditandai aman untuk masa tenang" in answer.text
    assert posts(application.engine) == []
    assert compose(ani, **fields, terima_masalah="1").status_code == 303
    [post] = posts(application.engine)
    assert {p["code"] for p in post.problems} == {"neutrality", "quiet_period"}


def test_post_text_is_escaped_on_the_form(signed_in) -> None:
    answer = compose(signed_in("ani"), teks="<script>alert(1)</script>", platform="x",
                     aksi="periksa")
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


# --- images ------------------------------------------------------------------------------


def test_an_image_is_stored_with_a_random_name_and_its_alt_text(signed_in,
                                                                application) -> None:
    budi = signed_in("budi")
    answer = compose(budi, teks="Kartu pemilih.", platform="telegram", alt="Kartu pemilih",
                     aksi="draf", files={"berkas": ("../../rahasia.png", tiny_png(),
                                                    "image/png")})
    assert answer.status_code == 303, answer.text
    [stored] = uploads(application)
    assert stored.read_bytes() == tiny_png()
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}\.png", stored.name)
    [post] = posts(application.engine)
    assert (post.image, post.image_alt) == (f"unggahan/{stored.name}", "Kartu pemilih")


def test_an_image_needs_alt_text_and_is_kept_while_the_form_is_fixed(signed_in,
                                                                     application) -> None:
    budi = signed_in("budi")
    answer = compose(budi, teks="Kartu.", platform="telegram", aksi="ajukan",
                     files={"berkas": ("kartu.png", tiny_png(), "image/png")})
    assert answer.status_code == 400
    assert "teks alternatif gambar wajib diisi" in answer.text
    assert posts(application.engine) == []
    kept = re.search(r'name="gambar" value="([^"]+)"', answer.text)
    assert kept
    # The preview shows it at its signed address, which serves the bytes.
    source = re.search(r'id="pratinjau-gambar" src="([^"]+)"', answer.text)
    assert source
    assert source.group(1).startswith("/media/")
    shown = budi.get(source.group(1))
    assert (shown.status_code, shown.content) == (200, tiny_png())
    # Sent again with the alt text, without uploading again.
    answer = compose(budi, teks="Kartu.", platform="telegram", aksi="ajukan", alt="Kartu",
                     gambar=kept.group(1))
    assert answer.status_code == 303
    [post] = posts(application.engine)
    assert post.image == kept.group(1)
    assert len(uploads(application)) == 1


def test_a_form_cannot_point_at_an_arbitrary_file(signed_in, application) -> None:
    answer = compose(signed_in("budi"), teks="Kartu.", platform="telegram", alt="x",
                     gambar="kartu.jpg", aksi="ajukan")
    assert answer.status_code == 400
    assert "gambar yang diunggah sebelumnya tidak ditemukan" in answer.text
    assert posts(application.engine) == []


@pytest.mark.parametrize(("name", "data"), [
    ("surat.png", b"%PDF-1.7 not an image"),
    ("anim.gif", b"GIF89a\x01\x00\x01\x00"),
    ("kosong.jpg", b""),
])
def test_a_non_image_upload_is_refused_and_not_stored(signed_in, application, name,
                                                      data) -> None:
    answer = compose(signed_in("budi"), teks="Kartu.", platform="telegram", alt="x",
                     aksi="ajukan", files={"berkas": (name, data, "image/png")})
    assert answer.status_code == 400
    assert "berkas bukan gambar JPEG atau PNG" in answer.text
    assert uploads(application) == []
    assert posts(application.engine) == []


def test_an_oversized_body_is_refused_before_it_is_read(signed_in) -> None:
    budi = signed_in("budi")
    big = b"\x89PNG\r\n\x1a\n" + b"\x00" * (9 * 1024 * 1024)
    answer = compose(budi, teks="Kartu.", platform="telegram", alt="x", aksi="ajukan",
                     files={"berkas": ("besar.png", big, "image/png")})
    assert answer.status_code == 400
    assert "terlalu besar" in answer.text


# --- CSV import --------------------------------------------------------------------------

BAD_CSV = (
    "region,platform,scheduled_at,text\n"
    "kab-a,facebook,2024-01-20 09:00,Baris baik.\n"
    "kab-z,facebook,2024-01-20 09:00,Wilayah salah.\n"
    f"kab-a,x,2024-01-20 09:00,{'a' * 281}\n"
)
GOOD_CSV = (
    "region,platform,scheduled_at,text,image,image_alt\n"
    "kab-a,facebook,2024-01-20 09:00,\"Info TPS, lengkap.\",,\n"
    "kota-b,telegram,2024-01-20 10:00,\"Dua baris:\nbaris kedua.\",kartu.jpg,Kartu pemilih\n"
)


def upload_csv(client: TestClient, text: str, name: str = "impor.csv") -> Any:
    return client.post("/tulis/impor", data={"csrf": page_csrf(client, "/tulis/impor")},
                       files={"berkas": (name, text.encode(), "text/csv")})


def row_of(html: str, line: int) -> str:
    found = re.search(rf'<tr data-line="{line}".*?</tr>', html, re.S)
    assert found, f"no row for line {line}"
    return found.group(0)


def test_the_import_preview_names_every_rows_problem_and_writes_nothing(signed_in,
                                                                        application) -> None:
    ani = signed_in("ani")
    assert 'enctype="multipart/form-data"' in ani.get("/tulis/impor").text
    answer = upload_csv(ani, BAD_CSV)
    assert answer.status_code == 200
    assert "2 baris bermasalah" in answer.text
    assert 'class="ok">baik' in row_of(answer.text, 2)
    assert "wilayah tidak dikenal: &#39;kab-z&#39;" in row_of(answer.text, 3)
    assert 'class="refused"' in row_of(answer.text, 3)
    assert "281/280" in row_of(answer.text, 4)
    assert 'class="bad"' in row_of(answer.text, 4)
    assert "/tulis/impor/konfirmasi" not in answer.text  # nothing to confirm
    assert posts(application.engine) == []


def test_a_clean_import_is_previewed_then_confirmed_as_pending_posts(signed_in,
                                                                     application) -> None:
    ani = signed_in("ani")
    answer = upload_csv(ani, GOOD_CSV, name="januari.csv")
    assert "Semua 2 baris dapat diimpor" in answer.text
    assert "2024-01-20 10.00 WIB" in row_of(answer.text, 3)  # read as the author's time
    assert posts(application.engine) == []
    token = re.search(r'name="token" value="([^"]+)"', answer.text)
    assert token
    # Another author cannot use it, even with their own valid form.
    budi = signed_in("budi")
    stolen = budi.post("/tulis/impor/konfirmasi",
                       data={"csrf": page_csrf(budi, "/tulis"), "token": token.group(1)})
    assert stolen.status_code == 404
    answer = ani.post("/tulis/impor/konfirmasi",
                      data={"csrf": page_csrf(ani, "/tulis"), "token": token.group(1)})
    assert answer.status_code == 303
    made = posts(application.engine)
    assert answer.headers["location"] == f"/unggahan?batch={made[0].batch}"
    assert [(p.region_key, p.platform, p.status) for p in made] == [
        ("kab-a", "facebook", "pending"), ("kota-b", "telegram", "pending")]
    assert made[1].text == "Dua baris:\nbaris kedua."
    assert (made[1].image, made[1].image_alt) == ("kartu.jpg", "Kartu pemilih")
    # Used once.
    again = ani.post("/tulis/impor/konfirmasi",
                     data={"csrf": page_csrf(ani, "/tulis"), "token": token.group(1)})
    assert again.status_code == 404
    assert len(posts(application.engine)) == 2


def confirm(client: TestClient, html: str) -> Any:
    token = re.search(r'name="token" value="([^"]+)"', html)
    assert token, "nothing to confirm"
    data = {"csrf": page_csrf(client, "/tulis"), "token": token.group(1)}
    skip = re.search(r'name="lewati_duplikat" value="([^"]+)"', html)
    if skip:
        data["lewati_duplikat"] = skip.group(1)
    return client.post("/tulis/impor/konfirmasi", data=data)


def test_the_import_preview_shows_duplicates_and_the_confirmation_skips_them(
        signed_in, application) -> None:
    ani = signed_in("ani")
    assert confirm(ani, upload_csv(ani, GOOD_CSV).text).status_code == 303
    existing = posts(application.engine)
    # An Excel file: the first row repeats an existing post, the third repeats the second.
    excel = ("\ufeffregion;platform;scheduled_at;text\r\n"
             "kab-a;facebook;20/01/2024 09.00;Info TPS, lengkap.\r\n"
             "kab-a;x;20/01/2024 09.00;Info baru.\r\n"
             "kab-a;x;2024-01-20 09:00;Info baru.\r\n")
    answer = upload_csv(ani, excel)
    assert "1 baris dapat diimpor; 2 baris duplikat akan dilewati" in answer.text
    assert f"duplikat unggahan #{existing[0].id} yang sudah ada" in row_of(answer.text, 2)
    assert 'class="ok">baik' in row_of(answer.text, 3)
    assert "duplikat baris 3" in row_of(answer.text, 4)
    assert "impor 1 unggahan untuk ditinjau" in answer.text
    assert confirm(ani, answer.text).status_code == 303
    made = posts(application.engine)
    assert [p.text for p in made[len(existing):]] == ["Info baru."]
    # Everything a duplicate now: nothing to confirm.
    answer = upload_csv(ani, excel)
    assert "Semua baris duplikat" in answer.text
    assert "/tulis/impor/konfirmasi" not in answer.text


def test_an_import_outside_the_authors_region_is_refused_in_the_preview(signed_in,
                                                                        application) -> None:
    answer = upload_csv(signed_in("budi"), GOOD_CSV)
    assert "di luar wilayah budi (kab-a)" in row_of(answer.text, 3)
    assert "/tulis/impor/konfirmasi" not in answer.text


def test_import_files_that_cannot_be_read_are_named(signed_in) -> None:
    ani = signed_in("ani")
    answer = upload_csv(ani, "region,text\nkab-a,Halo\n")
    assert "kolom wajib tidak ada: platform, scheduled_at" in answer.text
    answer = ani.post("/tulis/impor", data={"csrf": page_csrf(ani, "/tulis/impor")},
                      files={"berkas": ("biner.csv", b"\xff\xfe\x00garbage", "text/csv")})
    assert answer.status_code == 400
    assert "bukan teks UTF-8" in answer.text
    answer = ani.post("/tulis/impor", data={"csrf": page_csrf(ani, "/tulis/impor")},
                      files={"berkas": ("besar.csv", b"a" * (3 * 1024 * 1024), "text/csv")})
    assert answer.status_code == 400
    assert "berkas CSV terlalu besar" in answer.text
    assert "tidak berisi baris data" in upload_csv(ani, "region,platform,scheduled_at,text\n").text


def test_import_text_is_escaped_in_the_preview(signed_in) -> None:
    answer = upload_csv(signed_in("ani"), "region,platform,scheduled_at,text\n"
                                          "kab-a,x,2024-01-20 09:00,<script>alert(1)</script>\n")
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;" in answer.text


# --- media addresses ---------------------------------------------------------------------


def key_of(application: Application) -> bytes:
    from scheduler.instance import instance_id

    key = signing_key(application.settings.secret_key, instance_id(application.engine))
    assert key is not None
    return key


def test_a_media_address_serves_the_image_to_anyone_with_its_token(client,
                                                                   application) -> None:
    address = media_address(key_of(application), "kartu.jpg")
    answer = client.get(address)  # no session: platforms fetch these
    assert answer.status_code == 200
    assert answer.content == (application.settings.media_dir / "kartu.jpg").read_bytes()
    assert answer.headers["content-type"] == "image/jpeg"
    assert "public" in answer.headers["cache-control"]
    assert client.head(address).status_code == 200


def test_a_wrong_token_or_a_path_outside_the_folder_is_not_found(client, application,
                                                                 tmp_path) -> None:
    key = key_of(application)
    good = media_address(key, "kartu.jpg")
    token = good.split("/")[2]
    (tmp_path / "rahasia.jpg").write_bytes(b"\xff\xd8\xff secret")
    outside = "../../rahasia.jpg"  # media_dir is tmp_path/mini/content/media
    for address in (
        f"/media/{'0' * 32}/kartu.jpg",  # wrong token
        f"/media/{token}/kartu.jpeg",  # another path
        f"/media/{token[:-1]}/kartu.jpg",  # short token
        f"/media/{token}/",  # a listing
        f"/media/{token}",
        media_address(key, outside).replace("../", "%2E%2E/"),  # signed, yet outside
        media_address(key, "/etc/hostname"),
        f"/media/{media_address(key, 'x').split('/')[2]}/%2E%2E/%2E%2E/rahasia.jpg",
    ):
        answer = client.get(address, follow_redirects=True)
        assert answer.status_code == 404, address
        assert b"secret" not in answer.content


def test_only_images_are_served_from_the_media_folder(client, application) -> None:
    (application.settings.media_dir / "catatan.html").write_text("<script>x</script>")
    answer = client.get(media_address(key_of(application), "catatan.html"))
    assert answer.status_code == 404


def test_a_secret_key_signs_the_addresses_and_never_shows(application, session_clock) -> None:
    secret = "PLANTED-MEDIA-SECRET-0123456789"
    app = create_app(dataclasses.replace(application.settings, secret_key=secret),
                     clock=application.clock)
    with TestClient(create_web_app(app, session_clock=session_clock),
                    follow_redirects=False) as budi:
        sign_in(budi, "budi")
        answer = compose(budi, teks="Kartu.", platform="telegram", aksi="periksa",
                         files={"berkas": ("k.png", tiny_png(), "image/png")})
        kept = re.search(r'name="gambar" value="([^"]+)"', answer.text)
        assert kept
        key = signing_key(secret, "")
        assert key is not None
        address = media_address(key, kept.group(1))
        assert f'src="{address}"' in answer.text
        assert budi.get(address).status_code == 200
        pages = [answer.text, budi.get("/tulis").text, budi.get("/tulis/impor").text]
    assert all(secret not in page for page in pages)
