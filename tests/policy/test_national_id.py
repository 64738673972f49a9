import pytest

from gateway.policy.national_id import invalid_reason, is_valid

PERSONAS = [
    "12848510058",
    "03894810369",
    "15861950082",
    "20821250162",
    "01880950017",
    "30819010095",
    "05918210190",
    "09831750127",
    "22877510070",
    "14907910130",
    "01921150268",
]


@pytest.mark.parametrize("pid", PERSONAS)
def test_demo_personas_are_valid_synthetic_numbers(pid: str) -> None:
    assert is_valid(pid)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1284851005", "must be 11 digits"),
        ("128485100588", "must be 11 digits"),
        ("1284851005x", "must be 11 digits"),
        ("", "must be 11 digits"),
        ("²²²²²²²²²²²", "must be 11 digits"),  # superscript digits: isdigit() but not int()
        ("١٢٨٤٨٥١٠٠٥٨", "must be 11 digits"),  # Kari's number in Arabic-Indic digits
        ("１２８４８５１００５８", "must be 11 digits"),  # and in full-width digits
        ("12848510059", "has wrong check digits"),  # last digit changed
        ("12848510048", "has wrong check digits"),  # first check digit changed
        ("00000000000", "does not start with a valid date"),  # check digits of all zeros are 0
    ],
)
def test_invalid_numbers_say_why(value: str, reason: str) -> None:
    assert invalid_reason(value) == reason


def _with_check_digits(nine: str) -> str:
    w1, w2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k1 = (11 - sum(int(d) * w for d, w in zip(nine, w1, strict=True)) % 11) % 11
    ten = nine + str(k1)
    k2 = (11 - sum(int(d) * w for d, w in zip(ten, w2, strict=True)) % 11) % 11
    assert k1 < 10 and k2 < 10, "pick another individual number for this example"
    return ten + str(k2)


def test_d_numbers_and_ordinary_numbers_are_accepted() -> None:
    assert is_valid(_with_check_digits("010185101"))  # ordinary: 1 January 1985
    assert is_valid(_with_check_digits("410185101"))  # D-number: day + 40
    assert is_valid(_with_check_digits("014185101"))  # Helsedirektoratet synthetic: month + 40


def test_impossible_dates_are_rejected() -> None:
    assert invalid_reason(_with_check_digits("320185101")) == "does not start with a valid date"
    assert invalid_reason(_with_check_digits("011385101")) == "does not start with a valid date"
