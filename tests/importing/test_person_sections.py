"""Open States person files are parsed only for the sections a record reads
(openstates.read_sections): the same records as a whole parse, and the whole file
parsed whenever it is not plain block-style YAML or does not parse so."""

from pathlib import Path

import pytest
import yaml

from signon.importing.openstates import READ_SECTIONS, load_yaml, read_sections
from signon.importing.records import BadRecord
from tests.shared_data import shared_data

FILE = b"""id: ocd-person/1
name: Ana Diaz
links:
- url: https://example.org/
  note: "name: not a key"
roles:
- type: lower
  district: '15'
sources:
- url: x
"""


def test_unread_sections_are_blanked_and_lines_kept():
    text = read_sections(FILE)
    assert text is not None and text.count(b"\n") == FILE.count(b"\n")
    assert yaml.safe_load(text) == {
        "id": "ocd-person/1",
        "name": "Ana Diaz",
        "roles": [{"type": "lower", "district": "15"}],
    }


@pytest.mark.parametrize(
    "data",
    [
        b'"name": Ana\nid: x\n',  # a quoted key
        b"name: [Ana,\nDiaz]\n",  # a flow collection continued at column 0
        b"---\nname: Ana\n",  # an explicit document
    ],
)
def test_anything_else_is_parsed_whole(data):
    assert read_sections(data) is None
    assert load_yaml(data, "x.yml", sections=True) == load_yaml(data, "x.yml")


def test_an_error_is_reported_as_a_whole_parse_reports_it():
    broken = FILE.replace(b"district: '15'", b"district: [unclosed")
    with pytest.raises(BadRecord, match="line 9: unreadable YAML"):
        load_yaml(broken, "x.yml", sections=True)


def test_real_files_give_the_same_records():
    root = shared_data("openstates-people/data")
    files = sorted(Path(root).glob("*/*/*.yml"))[::25]
    assert len(files) > 500
    wanted = {key.decode() for key in READ_SECTIONS}
    for path in files:
        data = path.read_bytes()
        whole = load_yaml(data, path.name)
        assert load_yaml(data, path.name, sections=True) == {
            key: value for key, value in whole.items() if key in wanted
        }, path
