#!/usr/bin/env python3
"""Independent readers for Bright Run export files, used by the unit tests (test/unit/export).

Python's standard library reads JSON, JSONL and CSV (in the file's encoding); TFRecord framing and masked
CRC-32C are checked by a reader written here from the TensorFlow spec (tensorflow/core/lib/io/record_writer.h,
checked against its golden vectors at start), and each record is parsed as a tf.train.Example by the `protobuf`
package (a dynamic message built from example.proto / feature.proto). Prints one JSON document on stdout:
{"count": n, "rows": [...]} (CSV: "header" too).

Usage: read_export.py jsonl|json|tfrecord FILE
       read_export.py csv FILE ENCODING DELIMITER QUOTE
"""
import csv
import gzip
import json
import struct
import sys


def open_binary(path):
    return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")


def read_jsonl(path):
    rows = []
    with open_binary(path) as f:
        for raw in f.read().decode("utf-8").split("\n"):
            if raw:
                rows.append(json.loads(raw))
    return {"count": len(rows), "rows": rows}


def read_json(path):
    with open_binary(path) as f:
        rows = json.loads(f.read().decode("utf-8"))
    assert isinstance(rows, list), "a JSON array"
    return {"count": len(rows), "rows": rows}


PY_ENCODINGS = {"utf-8": "utf-8", "utf-8-bom": "utf-8-sig", "utf-16le": "utf-16", "windows-1252": "cp1252"}


def read_csv(path, encoding, delimiter, quote):
    raw = open_binary(path).read()
    if encoding == "utf-8-bom":
        assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM"
    if encoding == "utf-16le":
        assert raw.startswith(b"\xff\xfe"), "UTF-16LE BOM"
    text = raw.decode(PY_ENCODINGS[encoding])
    import io
    # The csv module refuses fields over 131,072 characters unless told otherwise (docs/export.md says so too).
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar=quote, strict=True)
    rows = list(reader)
    header, body = rows[0], rows[1:]
    assert all(len(r) == len(header) for r in body), "every record has the header's width"
    assert text.endswith("\r\n"), "records end with CRLF"
    return {"count": len(body), "header": header, "rows": [dict(zip(header, r)) for r in body]}


# --- TFRecord: framing and CRC-32C from the spec -------------------------------------------------------------
def _crc_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (0x82F63B78 ^ (c >> 1)) if c & 1 else (c >> 1)
        table.append(c)
    return table


CRC_TABLE = _crc_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283
assert masked(crc32c(b"123456789")) == 0xC78AB0E5


def tfrecord_frames(data):
    at = 0
    while at < len(data):
        assert len(data) - at >= 12, "truncated header"
        (length,) = struct.unpack_from("<Q", data, at)
        (len_crc,) = struct.unpack_from("<I", data, at + 8)
        assert masked(crc32c(data[at:at + 8])) == len_crc, "length CRC"
        body = data[at + 12:at + 12 + length]
        assert len(body) == length, "truncated record"
        (data_crc,) = struct.unpack_from("<I", data, at + 12 + length)
        assert masked(crc32c(body)) == data_crc, "data CRC"
        yield body
        at += 16 + length


def example_class():
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    F = descriptor_pb2.FieldDescriptorProto
    fdp = descriptor_pb2.FileDescriptorProto(name="bright_example.proto", package="tensorflow", syntax="proto3")

    def message(name, fields, nested=None, oneofs=None):
        m = fdp.message_type.add(name=name)
        for o in oneofs or []:
            m.oneof_decl.add(name=o)
        for fname, number, ftype, label, type_name, oneof in fields:
            f = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                f.type_name = type_name
            if oneof is not None:
                f.oneof_index = oneof
        for n in nested or []:
            m.nested_type.add().CopyFrom(n)
        return m

    R, O = F.LABEL_REPEATED, F.LABEL_OPTIONAL
    message("BytesList", [("value", 1, F.TYPE_BYTES, R, None, None)])
    message("FloatList", [("value", 1, F.TYPE_FLOAT, R, None, None)])
    message("Int64List", [("value", 1, F.TYPE_INT64, R, None, None)])
    message("Feature", [
        ("bytes_list", 1, F.TYPE_MESSAGE, O, ".tensorflow.BytesList", 0),
        ("float_list", 2, F.TYPE_MESSAGE, O, ".tensorflow.FloatList", 0),
        ("int64_list", 3, F.TYPE_MESSAGE, O, ".tensorflow.Int64List", 0),
    ], oneofs=["kind"])
    entry = descriptor_pb2.DescriptorProto(name="FeatureEntry")
    entry.field.add(name="key", number=1, type=F.TYPE_STRING, label=O)
    entry.field.add(name="value", number=2, type=F.TYPE_MESSAGE, label=O, type_name=".tensorflow.Feature")
    entry.options.map_entry = True
    message("Features", [("feature", 1, F.TYPE_MESSAGE, R, ".tensorflow.Features.FeatureEntry", None)], nested=[entry])
    message("Example", [("features", 1, F.TYPE_MESSAGE, O, ".tensorflow.Features", None)])
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorflow.Example"))


def read_tfrecord(path):
    Example = example_class()
    golden = Example()
    golden.ParseFromString(bytes.fromhex("0a100a0e0a047465787412060a040a026869"))
    assert golden.features.feature["text"].bytes_list.value[0] == b"hi", "golden Example"
    rows = []
    with open_binary(path) as f:
        data = f.read()
    for body in tfrecord_frames(data):
        ex = Example()
        ex.ParseFromString(body)
        row = {}
        for key, feat in ex.features.feature.items():
            kind = feat.WhichOneof("kind")
            if kind == "bytes_list":
                row[key] = {"bytes": [v.decode("utf-8") for v in feat.bytes_list.value]}
            elif kind == "int64_list":
                row[key] = {"int64": list(feat.int64_list.value)}
            else:
                row[key] = {"float": list(feat.float_list.value)}
        rows.append(row)
    return {"count": len(rows), "rows": rows}


def main(argv):
    kind, path = argv[1], argv[2]
    if kind == "jsonl":
        out = read_jsonl(path)
    elif kind == "json":
        out = read_json(path)
    elif kind == "csv":
        out = read_csv(path, argv[3], argv[4], argv[5])
    elif kind == "tfrecord":
        out = read_tfrecord(path)
    else:
        raise SystemExit("unknown kind " + kind)
    json.dump(out, sys.stdout, ensure_ascii=True)


if __name__ == "__main__":
    main(sys.argv)
