"""Reference printer for tests/print_test.cc: numpy's str() and JAX's Array repr.

Usage: python3 print_oracle.py INPUT OUTPUT

INPUT (native byte order), written by print_test.cc:
  b"JXPR", u32 case count, then per case:
  u8 dtype (jx::DType order), u8 weak_type, u8 ndim, i64 dims[ndim],
  i32 precision, i64 threshold, i32 edgeitems, i32 linewidth, u8 suppress,
  u64 nbytes, raw row-major element bytes.
OUTPUT: per case, u32 length + UTF-8 str(array), then u32 length + JAX repr.
"""
import struct
import sys

import numpy as np

DTYPES = [np.bool_, np.uint8, np.uint32, np.int32, np.int64, np.float32, np.float64]


def jax_repr(a, weak_type):
    # Mirrors jax._src.array.ArrayImpl.__repr__ (jax 0.4.x) on top of numpy's array2string.
    prefix = "Array("
    name = np.dtype(a.dtype).name
    dtype_str = f"dtype={name}, weak_type=True)" if weak_type else f"dtype={name})"
    line_width = np.get_printoptions()["linewidth"]
    if a.size == 0:
        s = f"[], shape={a.shape}"
    else:
        s = np.array2string(a, prefix=prefix, suffix=",", separator=", ",
                            max_line_width=line_width)
    last_line_len = len(s) - s.rfind("\n") + 1
    sep = " "
    if last_line_len + len(dtype_str) + 1 > line_width:
        sep = " " * len(prefix)
    return f"{prefix}{s},{sep}{dtype_str}"


def main():
    with open(sys.argv[1], "rb") as f:
        buf = f.read()
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from(fmt, buf, pos)
        pos += struct.calcsize(fmt)
        return vals

    if buf[:4] != b"JXPR":
        raise SystemExit("print_oracle: bad input header")
    pos = 4
    (count,) = take("=I")
    out = bytearray()
    for _ in range(count):
        dtype_code, weak, ndim = take("=BBB")
        shape = take(f"={ndim}q") if ndim else ()
        precision, threshold, edgeitems, linewidth, suppress = take("=iqiiB")
        (nbytes,) = take("=Q")
        data = buf[pos:pos + nbytes]
        pos += nbytes
        a = np.frombuffer(data, dtype=DTYPES[dtype_code]).reshape(shape)
        with np.printoptions(precision=precision, threshold=threshold, edgeitems=edgeitems,
                             linewidth=linewidth, suppress=bool(suppress)):
            texts = [str(a), jax_repr(a, bool(weak))]
        for t in texts:
            b = t.encode("utf-8")
            out += struct.pack("=I", len(b)) + b
    with open(sys.argv[2], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
