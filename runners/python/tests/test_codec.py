"""Serialization round trips and byte layouts (docs/fixture-interface.md)."""
import pytest

from asyncabi_py.codec import Codec, parse_type

TYPES = {
    "Rec": {"kind": "record", "fields": [{"name": "a", "type": "string"},
                                        {"name": "b", "type": "u32"}]},
    "Err": {"kind": "error", "variants": [{"name": "Foo", "fields": []},
                                         {"name": "Bar", "fields": [{"name": "why", "type": "string"}]}]},
    "Color": {"kind": "enum", "variants": ["Red", "Green"]},
}


class NoHooks:
    pass


@pytest.fixture
def codec():
    return Codec(TYPES, NoHooks())


def test_parse_nested_types():
    assert parse_type("sequence<optional<string>>") == ("sequence", ("optional", "string"))
    assert parse_type("map<string, sequence<u8>>") == ("map", "string", ("sequence", "u8"))


def test_top_level_string_is_raw_utf8(codec):
    assert codec.serialize("string", "héllo") == "héllo".encode()


def test_record_layout_is_big_endian_with_length_prefix(codec):
    assert codec.serialize("Rec", {"a": "hi", "b": 7}) == b"\0\0\0\x02hi\0\0\0\x07"


def test_enum_variant_index_counts_from_one(codec):
    assert codec.serialize("Err", {"variant": "Bar", "why": "x"}) == b"\0\0\0\x02\0\0\0\x01x"
    assert codec.serialize("Color", "Green") == b"\0\0\0\x02"


@pytest.mark.parametrize("type_name,value", [
    ("optional<i64>", None), ("optional<i64>", -5), ("sequence<f64>", [1.5, -2.0]),
    ("map<string, bool>", {"a": True, "b": False}), ("Rec", {"a": "", "b": 4294967295}),
    ("Err", {"variant": "Foo"}), ("sequence<Color>", [{"variant": "Red"}]),
])
def test_round_trip(codec, type_name, value):
    parsed = parse_type(type_name)
    assert codec.deserialize(parsed, codec.serialize(parsed, value)) == value


def test_trailing_bytes_are_an_error(codec):
    with pytest.raises(ValueError, match="trailing"):
        codec.deserialize(parse_type("optional<u8>"), b"\x01\x05\x00")
