from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from attunement.lib.uploads import sniff_image
from conftest import png_bytes


def test_it_knows_a_png_by_its_content_whatever_its_name() -> None:
    assert sniff_image(SimpleUploadedFile("photo.txt", png_bytes())) == "png"


def test_it_refuses_html_named_like_an_image() -> None:
    assert sniff_image(SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>")) is None


def test_it_refuses_a_truncated_image_with_a_real_signature() -> None:
    assert sniff_image(io.BytesIO(png_bytes()[:40])) is None


def test_it_refuses_svg_which_can_carry_script() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert sniff_image(SimpleUploadedFile("logo.svg", svg)) is None
