"""A small QR encoder for payment strings: byte mode, error correction M, a fixed mask.

Why not a general library: the ЕПД must render at 60 documents a second on one core (SPEC 4),
and a general pure-Python encoder spends 15 ms per code (segmenting, scoring eight masks).
Here everything that depends only on the version (function patterns, format and version
information, the order of data modules and the mask) is computed once per version and cached, so
a code costs its Reed–Solomon blocks and one pass over its data modules. The algorithm follows
ISO/IEC 18004 as laid out in Project Nayuki's reference «QR Code generator library» (MIT); the
tests check the matrices against segno's with the same mask.
"""

from __future__ import annotations

from functools import cache

# Error correction level M, versions 1..40 (index 0 unused).
ECC_PER_BLOCK = (
    -1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
    26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
)  # fmt: skip
BLOCKS = (
    -1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
    17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
)  # fmt: skip
FORMAT_BITS_M = 0
MASK = 0  # (x + y) % 2 == 0

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
EXP = [0] * 512
LOG = [0] * 256
_value = 1
for _i in range(255):
    EXP[_i] = _value
    LOG[_value] = _i
    _value <<= 1
    if _value & 0x100:
        _value ^= 0x11D
for _i in range(255, 512):
    EXP[_i] = EXP[_i - 255]


def raw_data_modules(version: int) -> int:
    result = (16 * version + 128) * version + 64
    if version >= 2:
        count = version // 7 + 2
        result -= (25 * count - 10) * count - 55
        if version >= 7:
            result -= 36
    return result


def data_codewords(version: int) -> int:
    return raw_data_modules(version) // 8 - ECC_PER_BLOCK[version] * BLOCKS[version]


@cache
def rs_divisor(degree: int) -> tuple[int, ...]:
    """The generator polynomial's coefficients (highest first, leading 1 dropped), as logs."""
    result = [0] * (degree - 1) + [1]
    root = 1
    for _ in range(degree):
        for j in range(degree):
            result[j] = EXP[LOG[result[j]] + LOG[root]] if result[j] and root else 0
            if j + 1 < degree:
                result[j] ^= result[j + 1]
        root = EXP[LOG[root] + 1]
    return tuple(LOG[c] if c else -1 for c in result)


@cache
def rs_tables(degree: int) -> tuple[tuple[int, ...], ...]:
    """For each divisor coefficient, its product with every byte: the inner loop becomes lookups."""
    return tuple(
        tuple(0 if log_coef < 0 or not b else EXP[log_coef + LOG[b]] for b in range(256))
        for log_coef in rs_divisor(degree)
    )


def rs_remainder(data: list[int], degree: int) -> list[int]:
    tables = rs_tables(degree)
    result = [0] * degree
    for byte in data:
        factor = byte ^ result[0]
        shifted = result[1:]
        shifted.append(0)
        result = [r ^ t[factor] for r, t in zip(shifted, tables, strict=True)]
    return result


def alignment_positions(version: int, size: int) -> list[int]:
    if version == 1:
        return []
    count = version // 7 + 2
    step = (version * 8 + count * 3 + 5) // (count * 4 - 4) * 2
    return list(reversed([size - 7 - i * step for i in range(count - 1)] + [6]))


@cache
def template(version: int) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """For a version: the function modules with format/version info and the fixed mask applied
    (flat, row-major), the flat index of each data module in placement order, and the mask bit
    of each data module in that order."""
    size = version * 4 + 17
    modules = [0] * (size * size)
    is_function = [False] * (size * size)

    def put(x: int, y: int, dark: bool) -> None:
        modules[y * size + x] = int(dark)
        is_function[y * size + x] = True

    for i in range(size):
        put(6, i, i % 2 == 0)
        put(i, 6, i % 2 == 0)
    for cx, cy in ((3, 3), (size - 4, 3), (3, size - 4)):
        for dy in range(-4, 5):
            for dx in range(-4, 5):
                x, y = cx + dx, cy + dy
                if 0 <= x < size and 0 <= y < size:
                    put(x, y, max(abs(dx), abs(dy)) not in (2, 4))
    positions = alignment_positions(version, size)
    last = len(positions) - 1
    for i, ax in enumerate(positions):
        for j, ay in enumerate(positions):
            if (i, j) in ((0, 0), (0, last), (last, 0)):
                continue
            for dy in range(-2, 3):
                for dx in range(-2, 3):
                    put(ax + dx, ay + dy, max(abs(dx), abs(dy)) != 1)

    data = FORMAT_BITS_M << 3 | MASK
    rem = data
    for _ in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    bits = (data << 10 | rem) ^ 0x5412

    def bit(value: int, i: int) -> bool:
        return (value >> i) & 1 != 0

    for i in range(6):
        put(8, i, bit(bits, i))
    put(8, 7, bit(bits, 6))
    put(8, 8, bit(bits, 7))
    put(7, 8, bit(bits, 8))
    for i in range(9, 15):
        put(14 - i, 8, bit(bits, i))
    for i in range(8):
        put(size - 1 - i, 8, bit(bits, i))
    for i in range(8, 15):
        put(8, size - 15 + i, bit(bits, i))
    put(8, size - 8, True)

    if version >= 7:
        rem = version
        for _ in range(12):
            rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
        vbits = version << 12 | rem
        for i in range(18):
            a, b = size - 11 + i % 3, i // 3
            put(a, b, bit(vbits, i))
            put(b, a, bit(vbits, i))

    order: list[int] = []
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        upward = (right + 1) & 2 == 0
        for vert in range(size):
            y = size - 1 - vert if upward else vert
            for x in (right, right - 1):
                if not is_function[y * size + x]:
                    order.append(y * size + x)
        right -= 2
    mask = tuple(int((i % size + i // size) % 2 == 0) for i in order)
    return tuple(modules), tuple(order), mask


def choose_version(length: int) -> int:
    for version in range(1, 41):
        count_bits = 8 if version < 10 else 16
        if 4 + count_bits + 8 * length <= data_codewords(version) * 8:
            return version
    raise ValueError("data too long for a QR code")


def codewords(payload: bytes, version: int) -> list[int]:
    """Data in byte mode, terminated and padded, split in blocks with ECC and interleaved."""
    count_bits = 8 if version < 10 else 16
    capacity = data_codewords(version)
    # Mode 0100, the length, then the bytes: assemble as one big integer of bits.
    bits = (0b0100 << count_bits | len(payload)) << (8 * len(payload)) | int.from_bytes(payload)
    length = 4 + count_bits + 8 * len(payload)
    terminator = min(4, capacity * 8 - length)
    bits <<= terminator
    length += terminator
    pad = -length % 8
    bits <<= pad
    length += pad
    data = list(bits.to_bytes(length // 8))
    filler = (0xEC, 0x11)
    data += [filler[i % 2] for i in range(capacity - len(data))]

    blocks_count, ecc_len = BLOCKS[version], ECC_PER_BLOCK[version]
    raw = raw_data_modules(version) // 8
    short_blocks = blocks_count - raw % blocks_count
    short_len = raw // blocks_count
    blocks = []
    k = 0
    for i in range(blocks_count):
        size = short_len - ecc_len + (0 if i < short_blocks else 1)
        block = data[k : k + size]
        k += size
        ecc = rs_remainder(block, ecc_len)
        if i < short_blocks:
            block.append(0)
        blocks.append(block + ecc)
    result = []
    for i in range(len(blocks[0])):
        for j, block in enumerate(blocks):
            if i != short_len - ecc_len or j >= short_blocks:
                result.append(block[i])
    return result


def qr_matrix(text: str) -> list[list[int]]:
    """Rows of modules (1 = dark), without the quiet zone, for `text` encoded as UTF-8."""
    payload = text.encode("utf-8")
    version = choose_version(len(payload))
    base, order, mask = template(version)
    modules = list(base)
    stream = int.from_bytes(bytes(codewords(payload, version)))
    total = raw_data_modules(version) // 8 * 8
    # Remainder bits beyond the codewords stay light (before masking).
    bits = bin(stream)[2:].zfill(total)
    for index, bit, flip in zip(order, bits, mask, strict=False):
        modules[index] = (bit == "1") ^ flip
    for index, flip in zip(order[total:], mask[total:], strict=False):
        modules[index] = flip
    size = version * 4 + 17
    return [modules[r * size : (r + 1) * size] for r in range(size)]
