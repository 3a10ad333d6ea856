import pytest

from mdt.patients.nhs import InvalidNhsNumber, parse_nhs_number


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919", " 943 4765 919 "])
def test_a_valid_number_is_accepted_in_any_spacing(typed):
    assert parse_nhs_number(typed) == "9434765919"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("943 476 5918", "check digit"),
        ("943 476 591", "10 digits; this has 9"),
        ("943 476 59190", "10 digits; this has 11"),
        ("943 476 59AB", "only digits"),
        ("999 000 0000", "no NHS number starts with these nine digits"),
        ("", "Enter the NHS number"),
    ],
)
def test_each_kind_of_wrong_number_is_named(typed, says):
    with pytest.raises(InvalidNhsNumber, match=says):
        parse_nhs_number(typed)
