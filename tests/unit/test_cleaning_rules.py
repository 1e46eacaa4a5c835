"""The cleaning rules one by one, with the exact canonical forms they promise."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime

import pytest

from streams.cleaning.identity import age_band, age_on, build_cccd, read_cccd
from streams.cleaning.names import normalise_name
from streams.cleaning.person import clean_person_id
from streams.cleaning.phones import normalise_phone
from streams.cleaning.plates import read_plate
from streams.cleaning.reject import Reject
from streams.cleaning.times import local_date, parse_date, parse_timestamp
from streams.lodging.deadline import notification_deadline


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("nguyễn  văn AN", "Nguyễn Văn An"),
        (unicodedata.normalize("NFD", "Trần Thị Hoà"), "Trần Thị Hòa"),
        ("LÊ THUỶ", "Lê Thủy"),
        ("đỗ khoẻ", "Đỗ Khỏe"),
        ("phạm quý", "Phạm Quý"),
        ("  hoàng   yến ", "Hoàng Yến"),
        ("người ngoài", "Người Ngoài"),
        ("nguyễn thị thuý", "Nguyễn Thị Thúy"),
    ],
)
def test_names_have_one_canonical_spelling(raw: str, canonical: str) -> None:
    assert normalise_name(raw) == canonical
    assert unicodedata.is_normalized("NFC", normalise_name(raw))


def test_old_and_new_tone_styles_meet() -> None:
    assert normalise_name("Hoà") == normalise_name("Hòa") == "Hòa"
    assert normalise_name("Thuỷ") == normalise_name("Thủy") == "Thủy"


@pytest.mark.parametrize(
    ("raw", "vehicle", "display", "compact"),
    [
        ("65-B1 234.56", "motorbike", "65-B1 234.56", "65B123456"),
        ("65b1-23456", None, "65-B1 234.56", "65B123456"),
        ("65 B1 23456", None, "65-B1 234.56", "65B123456"),
        ("65-81 234.56", None, "65-B1 234.56", "65B123456"),  # OCR read B as 8
        ("51F-123.45", "car", "51F-123.45", "51F12345"),
        ("5lF-l23.45", "car", "51F-123.45", "51F12345"),  # OCR read 1 as l
        ("51f12345", None, "51F-123.45", "51F12345"),
        ("29-HA 002.33", None, "29-HA 002.33", "29HA00233"),
        ("30A-1234", "car", "30A-1234", "30A1234"),
        ("51LD-123.45", "car", "51LD-123.45", "51LD12345"),
    ],
)
def test_plates_canonicalise(raw: str, vehicle: str | None, display: str, compact: str) -> None:
    plate = read_plate(raw, vehicle)
    assert (plate.status, plate.display, plate.compact) == ("readable", display, compact)


@pytest.mark.parametrize("raw", ["XX", "65-B1", "13A-123.45", "hello world!"])
def test_unreadable_plates_are_kept_as_unreadable(raw: str) -> None:
    assert read_plate(raw).status == "unreadable"


def test_absent_plate() -> None:
    assert read_plate(None).status == read_plate("  ").status == "absent"


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("+84 912.345.678", "+84912345678"),
        ("01688123456", "+84388123456"),  # retired 11-digit prefix 0168 → 038
        ("01234567890", "+84834567890"),  # 0123 → 083
        ("+14155552671", "+14155552671"),
        ("12345", None),
        ("abc", None),
    ],
)
def test_phones_become_e164(raw: str, e164: str | None) -> None:
    assert normalise_phone(raw) == e164


def test_timestamps_are_utc_and_offsetless_means_local() -> None:
    assert parse_timestamp("2026-11-20T21:14:05+07:00") == datetime(
        2026, 11, 20, 14, 14, 5, tzinfo=UTC
    )
    assert parse_timestamp("2026-11-20 21:14:05") == datetime(2026, 11, 20, 14, 14, 5, tzinfo=UTC)
    assert parse_timestamp("2026-11-20T14:14:05.123456789Z") == datetime(
        2026, 11, 20, 14, 14, 5, 123456, tzinfo=UTC
    )
    assert parse_timestamp("20/11/2026") is None
    assert parse_timestamp("yesterday") is None


def test_local_date_buckets_by_vietnam_time() -> None:
    assert local_date(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == date(2027, 1, 1)
    assert local_date(datetime(2026, 12, 31, 16, 59, tzinfo=UTC)) == date(2026, 12, 31)


def test_dates_accept_iso_and_vietnamese_order() -> None:
    assert (
        parse_date("2001-03-09")
        == parse_date("09/03/2001")
        == parse_date("9/3/2001")
        == date(2001, 3, 9)
    )
    assert parse_date("2001-02-30") is None
    assert parse_date("31/02/2001") is None


def test_cccd_round_trip_and_rules() -> None:
    number = build_cccd(93, 1995, "male", 1234)
    assert number == "093095001234"
    assert build_cccd(1, 2005, "female", 7) == "001305000007"
    cccd = read_cccd(build_cccd(38, 2010, "female", 99))
    assert cccd is not None and (cccd.birth_province_code, cccd.birth_year, cccd.sex) == (
        38,
        2010,
        "female",
    )
    assert read_cccd("003095001234") is None  # 003 is no province code
    assert read_cccd("09309500123") is None


def test_person_ids_reject_contradictions_with_a_reason() -> None:
    born = date(1995, 4, 12)
    assert clean_person_id("093 095 001 234", "cccd", born, "male").number == "093095001234"
    legacy = clean_person_id("123456789", "cmnd", born, "male")
    assert (legacy.id_type, legacy.is_legacy) == ("cmnd", True)
    passport = clean_person_id("b1234567", "passport", None, None)
    assert (passport.number, passport.key_material) == ("B1234567", "P:B1234567")
    cases = [
        ("093095001234", date(1996, 1, 1), "male", "id_number_mismatch"),
        ("093195001234", born, "male", "id_number_mismatch"),
        ("003095001234", born, "male", "invalid_id_number"),
        ("0930950012", born, "male", "invalid_id_number"),
        ("09309500123A", born, "male", "invalid_id_number"),
    ]
    for number, birth, sex, reason in cases:
        with pytest.raises(Reject) as raised:
            clean_person_id(number, "cccd", birth, sex)  # type: ignore[arg-type]
        assert raised.value.rejection.reasons == (reason,), number


def test_age_and_bands_follow_the_identity_law() -> None:
    assert age_on(date(2018, 11, 20), date(2024, 11, 20)) == 6  # birthday on the day counts
    assert age_on(date(2018, 11, 21), date(2024, 11, 20)) == 5
    assert [age_band(a) for a in (0, 5, 6, 13, 14, 80)] == [
        "under_6", "under_6", "6_to_13", "6_to_13", "14_plus", "14_plus"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("starts_local", "deadline_utc"),
    [
        ("2026-11-20T10:00:00+07:00", datetime(2026, 11, 20, 16, 0, tzinfo=UTC)),  # 23:00 same day
        ("2026-11-20T22:59:59+07:00", datetime(2026, 11, 20, 16, 0, tzinfo=UTC)),
        ("2026-11-20T23:00:00+07:00", datetime(2026, 11, 21, 1, 0, tzinfo=UTC)),  # 08:00 next day
        ("2026-11-20T23:45:00+07:00", datetime(2026, 11, 21, 1, 0, tzinfo=UTC)),
    ],
)
def test_lodging_notification_deadline(starts_local: str, deadline_utc: datetime) -> None:
    starts = parse_timestamp(starts_local)
    assert starts is not None
    assert notification_deadline(starts) == deadline_utc


# I and O are never issued in civilian series: wherever a digit can stand they are the camera's
# reading of 1 and 0, in the locality, the series' second character and every digit of the number.
@pytest.mark.parametrize(
    ("raw", "vehicle", "position"),
    [
        ("O9-X1 234.56", None, "locality 1"),
        ("5O-X1 234.56", None, "locality 2"),
        ("59-XI 234.56", None, "series 2"),
        ("59-XI 234.56", "motorbike", "series 2"),
        ("59X I23456", None, "series 2, no separators"),
        ("59-X1 I34.56", None, "number 1"),
        ("59-X1 2I4.56", None, "number 2"),
        ("59-X1 23I.56", None, "number 3"),
        ("59-X1 234.I6", None, "number 4"),
        ("59-X1 234.5I", None, "number 5"),
    ],
)
def test_never_issued_letters_read_as_digits_in_every_position(
    raw: str, vehicle: str | None, position: str
) -> None:
    expected = raw.replace("I", "1").replace("O", "0")
    assert read_plate(raw, vehicle).compact == read_plate(expected, vehicle).compact, position
    assert read_plate(raw, vehicle).status == "readable"


def test_a_series_letter_o_is_read_as_zero_where_a_digit_can_stand() -> None:
    assert read_plate("59-XO 234.56").compact == "59X023456"
    # The first series character is always a letter: there nothing is turned into a digit.
    assert read_plate("59-B1 234.56").compact == "59B123456"


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00+07:00",  # year 1 with a positive offset: no UTC instant exists
        "9999-12-31T23:59:59-05:00",  # year 9999 with a negative one: past datetime.max
        "0001-01-01T03:00:00",  # offset-less, so local time: before year 1 in UTC
        "0001-01-01T00:00:00Z",
        "9999-12-31T00:00:00Z",
        "1899-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
        "2024-02-30T10:00:00+07:00",
    ],
)
def test_timestamps_outside_the_calendar_read_are_unreadable(raw: str) -> None:
    assert parse_timestamp(raw) is None


def test_the_calendar_read_runs_from_1900_to_2199() -> None:
    assert parse_timestamp("1900-01-01T00:00:00Z") == datetime(1900, 1, 1, tzinfo=UTC)
    assert parse_timestamp("2199-12-31T16:59:59Z") == datetime(2199, 12, 31, 16, 59, 59, tzinfo=UTC)
    assert parse_date("31/12/1900") == date(1900, 12, 31)
    assert [parse_date(raw) for raw in ("30/02/2024", "0001-01-01", "9999-12-31")] == [None] * 3
