import pytest

from kabinet.orgs.validators import is_valid_inn


@pytest.mark.parametrize("inn", ["7707083893", "5406012341", "500100732259"])
def test_it_accepts_inns_with_right_check_digits(inn: str) -> None:
    assert is_valid_inn(inn)


@pytest.mark.parametrize("inn", ["7707083894", "500100732258", "12345", "77070838931", "770708389a", "７７０７０８３８９３"])
def test_it_refuses_wrong_check_digits_lengths_and_characters(inn: str) -> None:
    assert not is_valid_inn(inn)
