import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image

from covenant.uploads import MultipleImageField, reencode_image, validate_image
from tests import images


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("make_file", "message"),
    [
        (images.text_named_jpg, "is not a photo we can read"),
        (images.truncated_jpeg, "is damaged or incomplete"),
        (images.png_bomb, "at most 40 million pixels"),
        (images.twelve_megabytes, "photos may be at most 10 MB"),
    ],
)
def test_it_refuses_bad_uploads_with_a_clear_message(make_file, message):
    upload = make_file()

    with pytest.raises(ValidationError) as refused:
        validate_image(upload)

    assert message in str(refused.value.messages)
    assert upload.name in str(refused.value.messages)


def test_it_refuses_a_real_image_in_a_format_it_does_not_accept():
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")

    with pytest.raises(ValidationError, match="GIF"):
        validate_image(images.upload("anim.gif", buffer.getvalue(), "image/gif"))


def test_it_accepts_jpeg_png_and_webp():
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="WEBP")

    validate_image(images.good_photo())
    validate_image(images.upload("a.png", images.png_bytes(), "image/png"))
    validate_image(images.upload("a.webp", buffer.getvalue(), "image/webp"))


def test_reencoding_removes_gps_and_every_other_exif_tag():
    source = images.upload("gps.jpg", images.jpeg_bytes(exif=images.gps_exif()))
    with Image.open(source) as before:
        assert before.getexif().get_ifd(0x8825), "the test photo must carry GPS data"
    source.seek(0)

    encoded = reencode_image(source, max_side=1600)

    with Image.open(encoded.content) as after:
        assert after.format == "JPEG"
        assert not after.getexif()
        assert "exif" not in after.info


def test_reencoding_applies_the_orientation_and_bounds_the_size():
    encoded = reencode_image(images.upload("r.jpg", images.rotated_jpeg_bytes()), max_side=30)

    assert (encoded.width, encoded.height) == (10, 30)


def test_transparent_images_stay_png():
    encoded = reencode_image(images.upload("t.png", images.png_bytes(), "image/png"), max_side=99)

    assert encoded.content.name.endswith(".png")


def test_the_field_reports_every_bad_file_and_limits_the_count():
    field = MultipleImageField(max_files=2)

    with pytest.raises(ValidationError) as refused:
        field.clean([images.good_photo(), images.text_named_jpg()])
    assert len(refused.value.messages) == 1

    with pytest.raises(ValidationError, match="at most 2 photos"):
        field.clean([images.good_photo(), images.good_photo(), images.good_photo()])

    assert len(field.clean([images.good_photo(), images.good_photo()])) == 2
