"""One HTML file with no server: the app's scripts, styles and their images inlined."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from mapservice.web.standalone import MissingAsset, inline_assets

#: The smallest valid PNG (1×1, transparent), to check the bytes survive the data: URI.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


@pytest.fixture
def static(tmp_path: Path) -> Path:
    """An app static folder: one script, one stylesheet with an image, a secret beside it."""
    root = tmp_path / "static"
    (root / "js").mkdir(parents=True)
    (root / "css" / "images").mkdir(parents=True)
    (root / "js" / "x.js").write_text("window.X = 1 < 2;\n", encoding="utf-8")
    (root / "css" / "y.css").write_text(
        ".marker { background: url(images/a.png) no-repeat; }\n"
        ".quoted { background: url('images/a.png'); }\n"
        '.double { background: url("images/a.png"); }\n'
        ".missing { background: url(images/none.png); }\n"
        ".remote { background: url(https://tile.example/a.png); }\n"
        ".inline { background: url(data:image/gif;base64,R0lGOD==); }\n",
        encoding="utf-8",
    )
    (root / "css" / "images" / "a.png").write_bytes(PNG)
    (tmp_path / "secret.js").write_text("window.SECRET = 'leaked';", encoding="utf-8")
    (tmp_path / "outside.png").write_bytes(b"not for the page")
    return root


def inline(html: str, static: Path) -> str:
    return inline_assets(html, static_url="/static", static_dir=static)


def test_script_is_inlined(static):
    html = '<head><script src="/static/js/x.js"></script></head>'
    assert inline(html, static) == "<head><script>window.X = 1 < 2;\n</script></head>"


@pytest.mark.parametrize(
    "tag",
    [
        '<script defer src="/static/js/x.js?v=3"></script>',
        '<script src="/static/js/x.js" type="text/javascript">\n</script>',
    ],
)
def test_script_with_attributes_or_version(static, tag):
    out = inline(f"<body>{tag}</body>", static)
    assert "window.X = 1 < 2;" in out and "src=" not in out


def test_stylesheet_is_inlined_with_its_images_as_data_uris(static):
    out = inline('<link rel="stylesheet" href="/static/css/y.css"/>', static)
    assert out.startswith("<style>") and out.endswith("</style>")
    assert "<link" not in out
    uri = "url(data:image/png;base64," + base64.b64encode(PNG).decode() + ")"
    assert out.count(uri) == 3  # bare, single- and double-quoted
    assert "images/a.png" not in out
    # What cannot or must not be inlined stays as written.
    assert "url(images/none.png)" in out
    assert "url(https://tile.example/a.png)" in out
    assert "url(data:image/gif;base64,R0lGOD==)" in out


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="https://cdn.example/leaflet.js"></script>',
        '<script src="//cdn.example/leaflet.js"></script>',
        '<link rel="stylesheet" href="https://cdn.example/leaflet.css"/>',
        '<script src="/other/x.js"></script>',
        '<script src="static/js/x.js"></script>',
        "<script>window.inline = 1;</script>",
        '<link rel="icon" href="https://example.org/favicon.ico"/>',
    ],
)
def test_other_links_are_left_alone(static, tag):
    html = f"<head>{tag}</head>"
    assert inline(html, static) == html


def test_the_pages_icon_travels_as_a_data_uri(static):
    (static / "icon.svg").write_text("<svg/>", encoding="utf-8")
    out = inline('<link rel="icon" href="/static/icon.svg" type="image/svg+xml">', static)
    uri = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    assert out == f'<link rel="icon" href="{uri}" type="image/svg+xml">'


def test_several_assets_in_one_page(static):
    html = (
        '<link rel="stylesheet" href="/static/css/y.css">'
        '<script src="https://cdn.example/a.js"></script>'
        '<script src="/static/js/x.js"></script><p>map</p>'
    )
    out = inline(html, static)
    assert out.count("<style>") == 1 and out.count("window.X") == 1
    assert '<script src="https://cdn.example/a.js"></script>' in out
    assert out.endswith("<p>map</p>")


@pytest.mark.parametrize(
    "tag",
    [
        '<script src="/static/../secret.js"></script>',
        '<script src="/static/js/../../secret.js"></script>',
        '<script src="/static/js/missing.js"></script>',
        '<link rel="stylesheet" href="/static/../outside.css"/>',
        '<link rel="stylesheet" href="/static/css/missing.css"/>',
        '<script src="/static/js"></script>',
    ],  # a folder, not a file
)
def test_missing_or_escaping_asset_raises(static, tag):
    with pytest.raises(MissingAsset):
        inline(tag, static)


def test_a_static_url_with_a_trailing_slash(static):
    out = inline_assets(
        '<script src="/assets/js/x.js"></script>', static_url="/assets/", static_dir=static
    )
    assert out == "<script>window.X = 1 < 2;\n</script>"


@pytest.mark.parametrize("closing", ["</script>", "</SCRIPT>", "</Script >"])
def test_a_closing_tag_inside_a_script_is_neutralised(static, closing):
    (static / "js" / "x.js").write_text(f'document.write("{closing}");\n', encoding="utf-8")
    out = inline('<script src="/static/js/x.js"></script><p>after</p>', static)
    # The only end of a script element left is the one inline_assets wrote.
    assert out.lower().count("</script") == 1
    assert out.endswith("</script><p>after</p>")


@pytest.mark.parametrize("closing", ["</style>", "</STYLE>"])
def test_a_closing_tag_inside_a_stylesheet_is_neutralised(static, closing):
    (static / "css" / "y.css").write_text(
        f'p::after {{ content: "{closing}"; }}\n', encoding="utf-8"
    )
    out = inline('<link rel="stylesheet" href="/static/css/y.css"/>', static)
    assert out.lower().count("</style") == 1 and out.endswith("</style>")


def test_a_stylesheet_image_outside_the_static_folder_is_not_inlined(static):
    (static / "css" / "y.css").write_text(
        ".x { background: url(../../outside.png); }", encoding="utf-8"
    )
    out = inline('<link rel="stylesheet" href="/static/css/y.css"/>', static)
    assert base64.b64encode(b"not for the page").decode() not in out
