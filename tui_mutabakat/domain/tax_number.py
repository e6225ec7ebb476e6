"""Turkish tax identification numbers: VKN (10 digits, companies) and TCKN (11, persons)."""

from __future__ import annotations


def vkn_check_digit(first_nine: str) -> int:
    """The tenth digit of a VKN computed from its first nine (GİB's published algorithm)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("a VKN check digit needs exactly nine digits")
    total = 0
    for index, char in enumerate(first_nine):
        position = 9 - index
        shifted = (int(char) + position) % 10
        if shifted == 0:
            continue
        value = (shifted * 2**position) % 9
        total += 9 if value == 0 else value
    return (10 - total % 10) % 10


def is_valid_vkn(number: str) -> bool:
    return len(number) == 10 and number.isdigit() and vkn_check_digit(number[:9]) == int(number[9])


def is_valid_tckn(number: str) -> bool:
    if len(number) != 11 or not number.isdigit() or number[0] == "0":
        return False
    digits = [int(c) for c in number]
    tenth = ((sum(digits[0:9:2]) * 7) - sum(digits[1:8:2])) % 10
    eleventh = sum(digits[:10]) % 10
    return digits[9] == tenth and digits[10] == eleventh


def is_valid_tax_number(number: str) -> bool:
    """A VKN or a TCKN with a correct check digit."""
    return is_valid_vkn(number) or is_valid_tckn(number)
