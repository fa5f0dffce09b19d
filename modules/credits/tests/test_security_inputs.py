"""Hostile values typed into the credits pages' addresses and forms, and the API's query: each
answers the page (or a catalogue refusal), never a server error. Found by trying (sec2): a number
of 5000 digits is past Python's 4300-digit limit of int(str); "²" is a digit to str.isdigit but
not to int()."""

from __future__ import annotations

import pytest

from tests.web.conftest import post_form

BIG = "9" * 5000

# (address, status, catalogue code on the answer or None): {tid} a teacher of 3601020001
ADDRESSES = [
    (f"/credits?offset={BIG}", 200, None),                    # the first page, as for offset=abc
    (f"/credits?claim={BIG}", 200, None),
    (f"/credits?year={BIG}", 422, "W711"),                    # the page without that filter, the message above
    (f"/api/v1/training/balances?year={BIG}", 422, "W711"),
    ("/credits/teachers/{tid}?adjusted=" + BIG, 200, None),
    (f"/credits/claims?done={BIG}", 200, None),
]


@pytest.mark.parametrize("address,status,code", ADDRESSES, ids=[a[:40] for a, _, _ in ADDRESSES])
def test_a_number_of_any_length_in_an_address_is_no_server_error(as_user, world, address, status, code):
    county = as_user("info_manager@360102")
    county.http.raise_server_exceptions = False
    r = county.get(address.replace("{tid}", str(world.teachers["3601020001"][0])))
    assert r.status_code == status, r.text[-600:]
    if code:
        assert code in r.text


@pytest.mark.parametrize("institution", ["²", BIG, "99999999999999999999999"])
def test_an_institution_id_that_is_no_id_is_refused_with_the_form_back(as_user, world, institution):
    county = as_user("info_manager@360102")
    county.http.raise_server_exceptions = False
    data = dict(name="县级骨干教师培训（机构号）", level="county", type="face_to_face", hours="30",
                start="2024-07-01", end="2024-07-10", institution_id=institution)
    r = post_form(county, "/credits/projects", "/credits/projects/new", data)
    assert r.status_code == 422, r.text[-600:]
    assert "W545" in r.text and "没有该培训机构" in r.text
    assert "县级骨干教师培训（机构号）" in r.text  # the form comes back filled in
