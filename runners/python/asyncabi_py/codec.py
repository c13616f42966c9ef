"""Serialization of values into and out of RustBuffers (docs/fixture-interface.md).

Values on the Python side are plain JSON-like data, so that a scenario can state them:
  integers, floats, bools, str as themselves; bytes as `bytes`; optional as None or the value;
  sequence as list; map as dict; record as dict of fields; enum and error as
  {"variant": name, <field>: value, ...} (a field-less enum variant may be written as its name);
  objects and callback interfaces as whatever the binding's hooks lift them to.
Serialized integers and floats are big-endian; enum variant indexes count from 1.
"""
import struct

PRIMITIVE_FORMATS = {
    "u8": ">B", "i8": ">b", "u16": ">H", "i16": ">h", "u32": ">I", "i32": ">i",
    "u64": ">Q", "i64": ">q", "f32": ">f", "f64": ">d",
}


def parse_type(text: str):
    """'sequence<optional<string>>' -> ('sequence', ('optional', 'string')); names stay str."""
    text = text.strip()
    if "<" not in text:
        return text
    head, rest = text.split("<", 1)
    if not rest.endswith(">"):
        raise ValueError(f"bad type {text!r}")
    inner = rest[:-1]
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(inner):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(inner[start:i])
            start = i + 1
    parts.append(inner[start:])
    return (head.strip(), *[parse_type(p) for p in parts])


class Reader:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise ValueError(f"buffer underflow: need {n} bytes at {self.pos} of {len(self.data)}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str):
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def done(self) -> bool:
        return self.pos == len(self.data)


class Codec:
    """Reads and writes the serialized form of every type an interface.json declares.

    `hooks` supplies the four conversions that need the binding: lower_object(name, value),
    lift_object(name, handle), lower_callback(name, value), lift_callback(name, handle).
    """

    def __init__(self, types: dict, hooks):
        self.types = types
        self.hooks = hooks

    def kind(self, type_name) -> str:
        if isinstance(type_name, tuple):
            return type_name[0]
        if type_name in PRIMITIVE_FORMATS or type_name in ("bool", "string", "bytes"):
            return type_name
        if type_name not in self.types:
            raise KeyError(f"unknown type {type_name!r}")
        return self.types[type_name]["kind"]

    # --- writing ---------------------------------------------------------------------------
    def write(self, out: bytearray, type_name, value) -> None:
        kind = self.kind(type_name)
        if kind in PRIMITIVE_FORMATS:
            out += struct.pack(PRIMITIVE_FORMATS[kind], value)  # struct.error if out of range
        elif kind == "bool":
            out += struct.pack(">b", 1 if value else 0)
        elif kind in ("string", "bytes"):
            raw = value.encode("utf-8") if kind == "string" else bytes(value)
            out += struct.pack(">i", len(raw)) + raw
        elif kind == "optional":
            if value is None:
                out += b"\x00"
            else:
                out += b"\x01"
                self.write(out, type_name[1], value)
        elif kind == "sequence":
            out += struct.pack(">i", len(value))
            for item in value:
                self.write(out, type_name[1], item)
        elif kind == "map":
            out += struct.pack(">i", len(value))
            for key, item in value.items():
                self.write(out, type_name[1], key)
                self.write(out, type_name[2], item)
        elif kind == "record":
            for field in self.types[type_name]["fields"]:
                self.write(out, field["type"], value[field["name"]])
        elif kind in ("enum", "error"):
            name = value if isinstance(value, str) else value["variant"]
            variants = self.types[type_name]["variants"]
            index = next((i for i, v in enumerate(variants) if _variant_name(v) == name), None)
            if index is None:
                raise ValueError(f"{type_name} has no variant {name!r}")
            out += struct.pack(">i", index + 1)
            for field in _variant_fields(variants[index]):
                self.write(out, field["type"], value[field["name"]])
        elif kind == "object":
            out += struct.pack(">Q", self.hooks.lower_object(type_name, value))
        elif kind == "callback_interface":
            out += struct.pack(">Q", self.hooks.lower_callback(type_name, value))
        else:
            raise ValueError(f"cannot serialize kind {kind!r}")

    def serialize(self, type_name, value) -> bytes:
        """The bytes of a top-level RustBuffer argument (strings and bytes: the raw bytes)."""
        kind = self.kind(type_name)
        if kind == "string":
            return value.encode("utf-8")
        if kind == "bytes":
            return bytes(value)
        out = bytearray()
        self.write(out, type_name, value)
        return bytes(out)

    # --- reading ---------------------------------------------------------------------------
    def read(self, reader: Reader, type_name):
        kind = self.kind(type_name)
        if kind in PRIMITIVE_FORMATS:
            return reader.unpack(PRIMITIVE_FORMATS[kind])
        if kind == "bool":
            return reader.unpack(">b") != 0
        if kind in ("string", "bytes"):
            raw = reader.take(reader.unpack(">i"))
            return raw.decode("utf-8") if kind == "string" else raw
        if kind == "optional":
            tag = reader.unpack(">B")
            return None if tag == 0 else self.read(reader, type_name[1])
        if kind == "sequence":
            return [self.read(reader, type_name[1]) for _ in range(reader.unpack(">i"))]
        if kind == "map":
            count = reader.unpack(">i")
            return {self.read(reader, type_name[1]): self.read(reader, type_name[2])
                    for _ in range(count)}
        if kind == "record":
            return {f["name"]: self.read(reader, f["type"])
                    for f in self.types[type_name]["fields"]}
        if kind in ("enum", "error"):
            index = reader.unpack(">i")
            variants = self.types[type_name]["variants"]
            if not 1 <= index <= len(variants):
                raise ValueError(f"{type_name}: variant index {index} out of range")
            variant = variants[index - 1]
            value = {"variant": _variant_name(variant)}
            for field in _variant_fields(variant):
                value[field["name"]] = self.read(reader, field["type"])
            return value
        if kind == "object":
            return self.hooks.lift_object(type_name, reader.unpack(">Q"))
        if kind == "callback_interface":
            return self.hooks.lift_callback(type_name, reader.unpack(">Q"))
        raise ValueError(f"cannot deserialize kind {kind!r}")

    def deserialize(self, type_name, data: bytes):
        """The value of a top-level RustBuffer (strings and bytes: the raw bytes)."""
        kind = self.kind(type_name)
        if kind == "string":
            return data.decode("utf-8")
        if kind == "bytes":
            return data
        reader = Reader(data)
        value = self.read(reader, type_name)
        if not reader.done():
            raise ValueError(f"{len(data) - reader.pos} trailing bytes after {type_name}")
        return value


def _variant_name(variant) -> str:
    return variant if isinstance(variant, str) else variant["name"]


def _variant_fields(variant) -> list:
    return [] if isinstance(variant, str) else variant.get("fields", [])
