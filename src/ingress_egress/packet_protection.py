"""Packet protection: the cryptography a QUIC Initial packet carries, in plain Python.

QUIC (RFC 9000) encrypts almost everything, even the first packets of a connection.
Those *Initial* packets are protected with keys derived from the Destination Connection
ID that the client chose and sent in clear text (RFC 9001, section 5.2): anyone who sees
the packet can derive the keys and read the TLS ClientHello inside, server name
included. That protection defends against tampering by off-path attackers, not against
reading by an observer on the path: this is how Wireshark shows the server name of a
QUIC connection, and how a middlebox can too.

The course builds such packets so that its captures open in Wireshark exactly as real
ones do, without any package outside the standard library. This module holds the pieces,
each checked against its specification's test vectors in the tests:

=======================  ===========================  ==================================
piece                    function                     reference
=======================  ===========================  ==================================
HKDF-Extract, -Expand    :func:`hkdf_extract`,        RFC 5869 (HMAC-SHA-256)
                         :func:`hkdf_expand`
HKDF-Expand-Label        :func:`hkdf_expand_label`    RFC 8446, section 7.1
AES-128 block cipher     :func:`aes128_encrypt_block` FIPS 197
AES-128-GCM              :func:`aes128_gcm_seal`      NIST SP 800-38D
QUIC Initial keys        :func:`initial_keys`         RFC 9001 section 5.2; RFC 9369
                                                      section 3.3 (v2)
Header protection mask   :func:`header_protection_mask`  RFC 9001 section 5.4.3
=======================  ===========================  ==================================

It is written for clarity, not speed (a 1,200-byte packet takes a few milliseconds), and
it only *encrypts*: the course never needs to decrypt. Do not use it to protect anything
real.

Examples
--------
The client's Initial keys of RFC 9001, Appendix A.1 (Destination Connection ID
``8394c8f03e515708``):

>>> keys = initial_keys(bytes.fromhex("8394c8f03e515708"), client=True)
>>> keys.key.hex(), keys.iv.hex(), keys.hp.hex()
('1f369613dd76d5467730efcbe3b1a22d', 'fa044b2f42a3fd3b46fb255c',
 '9f50449e04a0e810283a1e9933adedd2')
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

QUIC_V1 = 0x00000001
"""QUIC version 1 (RFC 9000)."""
QUIC_V2 = 0x6B3343CF
"""QUIC version 2 (RFC 9369, section 3.1): the same protocol with new constants, against
ossification.
"""

INITIAL_SALTS = {
    QUIC_V1: bytes.fromhex(
        "38762cf7f55934b34d179ae6a4c80cadccbb7f0a"
    ),  # RFC 9001, section 5.2
    QUIC_V2: bytes.fromhex(
        "0dede3def700a6db819381be6e269dcbf9bd2ed9"
    ),  # RFC 9369, section 3.3.1
}
"""The Initial salt of each QUIC version: public constants, which is why anyone can
derive the keys.
"""

_LABEL_PREFIX = {QUIC_V1: b"quic ", QUIC_V2: b"quicv2 "}  # RFC 9369, section 3.3.2


# --------------------------------------------------------------------------------------
# HKDF (RFC 5869) and TLS 1.3's HKDF-Expand-Label (RFC 8446, section 7.1)
# --------------------------------------------------------------------------------------


def hkdf_extract(salt: bytes, key_material: bytes) -> bytes:
    """HKDF-Extract with SHA-256: ``HMAC(salt, key_material)``, a 32-byte pseudorandom
    key.

    >>> hkdf_extract(bytes(range(13)), bytes([0x0B]) * 22).hex()[
    ...     :16
    ... ]  # RFC 5869, test case 1
    '077709362c2e32df'
    """
    return hmac.new(salt, key_material, hashlib.sha256).digest()


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """HKDF-Expand with SHA-256: ``length`` bytes of output keying material (at most
    8,160).

    >>> prk = hkdf_extract(bytes(range(13)), bytes([0x0B]) * 22)
    >>> hkdf_expand(prk, bytes(range(0xF0, 0xFA)), 42).hex()[
    ...     :16
    ... ]  # RFC 5869, test case 1
    '3cb25f25faacd57a'
    """
    if not 0 < length <= 255 * 32:
        raise ValueError(f"HKDF-Expand: length {length} must be 1 to {255 * 32} bytes")
    output, block, counter = b"", b"", 1
    while len(output) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        output += block
        counter += 1
    return output[:length]


def hkdf_expand_label(
    secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    """TLS 1.3's HKDF-Expand-Label: the label is prefixed with ``"tls13 "`` inside an
    HkdfLabel.

    >>> len(hkdf_expand_label(bytes(32), b"quic key", b"", 16))
    16
    """
    full = b"tls13 " + label
    info = (
        struct.pack("!HB", length, len(full)) + full + bytes([len(context)]) + context
    )
    return hkdf_expand(secret, info, length)


# --------------------------------------------------------------------------------------
# AES-128 (FIPS 197), encryption only
# --------------------------------------------------------------------------------------


def _xtime(b: int) -> int:
    """Multiply by x (that is, 2) in AES's field GF(2^8), modulo x^8 + x^4 + x^3 + x +
    1.
    """
    b <<= 1
    return (b ^ 0x11B) if b & 0x100 else b


def _make_sbox() -> bytes:
    """The AES S-box (FIPS 197, section 5.1.1): the inverse in GF(2^8), then an affine
    map.
    """
    exp, log = [0] * 255, [0] * 256
    x = 1
    for i in range(255):  # 3 generates the multiplicative group of GF(2^8)
        exp[i], log[x] = x, i
        x ^= _xtime(x)
    box = bytearray(256)
    for a in range(256):
        inverse = 0 if a == 0 else exp[(255 - log[a]) % 255]
        s = inverse
        for shift in range(1, 5):
            s ^= ((inverse << shift) | (inverse >> (8 - shift))) & 0xFF
        box[a] = s ^ 0x63
    return bytes(box)


SBOX = _make_sbox()
"""The AES S-box, computed from its definition (``SBOX[0x53] == 0xED``, FIPS 197 section
5.1.1).
"""


def _expand_key(key: bytes) -> list[bytes]:
    """The 11 round keys of AES-128 (FIPS 197, section 5.2)."""
    if len(key) != 16:
        raise ValueError(f"AES-128 needs a 16-byte key, got {len(key)} bytes")
    words = [key[i : i + 4] for i in range(0, 16, 4)]
    rcon = 1
    for i in range(4, 44):
        t = words[i - 1]
        if i % 4 == 0:
            t = bytes([SBOX[t[1]] ^ rcon, SBOX[t[2]], SBOX[t[3]], SBOX[t[0]]])
            rcon = _xtime(rcon)
        words.append(bytes(a ^ b for a, b in zip(words[i - 4], t)))
    return [b"".join(words[r * 4 : r * 4 + 4]) for r in range(11)]


def _encrypt_with(round_keys: list[bytes], block: bytes) -> bytes:
    s = [a ^ b for a, b in zip(block, round_keys[0])]
    for r in range(1, 11):
        s = [SBOX[b] for b in s]  # SubBytes
        s = [
            s[(i + 4 * (i % 4)) % 16] for i in range(16)
        ]  # ShiftRows (column-major state)
        if r < 10:  # MixColumns
            mixed = []
            for c in range(4):
                a = s[4 * c : 4 * c + 4]
                total = a[0] ^ a[1] ^ a[2] ^ a[3]
                mixed += [
                    a[i] ^ total ^ _xtime(a[i] ^ a[(i + 1) % 4]) for i in range(4)
                ]
            s = mixed
        s = [a ^ b for a, b in zip(s, round_keys[r])]  # AddRoundKey
    return bytes(s)


def aes128_encrypt_block(key: bytes, block: bytes) -> bytes:
    """Encrypt one 16-byte block with AES-128.

    >>> aes128_encrypt_block(
    ...     bytes(range(16)), bytes.fromhex("00112233445566778899aabbccddeeff")
    ... ).hex()
    '69c4e0d86a7b0430d8cdb78070b4c55a'

    (FIPS 197, Appendix C.1.)
    """
    if len(block) != 16:
        raise ValueError(f"AES works on 16-byte blocks, got {len(block)} bytes")
    return _encrypt_with(_expand_key(key), block)


# --------------------------------------------------------------------------------------
# AES-128-GCM (NIST SP 800-38D)
# --------------------------------------------------------------------------------------

_GCM_R = 0xE1 << 120


def _gf128_multiply(x: int, y: int) -> int:
    """Multiply two elements of GF(2^128) in GCM's bit order (SP 800-38D, algorithm
    1).
    """
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ _GCM_R if v & 1 else v >> 1
    return z


def _ghash(h: int, data: bytes) -> int:
    y = 0
    for i in range(0, len(data), 16):
        y = _gf128_multiply(y ^ int.from_bytes(data[i : i + 16], "big"), h)
    return y


def _pad16(data: bytes) -> bytes:
    return data + bytes(-len(data) % 16)


def _ctr(round_keys: list[bytes], nonce: bytes, data: bytes) -> bytes:
    """GCM's counter mode: XOR with the encrypted counter blocks 2, 3, ... (block 1
    masks the tag).
    """
    out = bytearray()
    for k, i in enumerate(range(0, len(data), 16), start=2):
        stream = _encrypt_with(round_keys, nonce + struct.pack("!I", k))
        out += bytes(a ^ b for a, b in zip(data[i : i + 16], stream))
    return bytes(out)


def _tag(
    round_keys: list[bytes], nonce: bytes, ciphertext: bytes, associated_data: bytes
) -> bytes:
    h = int.from_bytes(_encrypt_with(round_keys, bytes(16)), "big")
    lengths = struct.pack("!QQ", 8 * len(associated_data), 8 * len(ciphertext))
    s = _ghash(h, _pad16(associated_data) + _pad16(ciphertext) + lengths)
    return (
        int.from_bytes(_encrypt_with(round_keys, nonce + b"\x00\x00\x00\x01"), "big")
        ^ s
    ).to_bytes(16, "big")


def aes128_gcm_seal(
    key: bytes, nonce: bytes, plaintext: bytes, associated_data: bytes = b""
) -> bytes:
    """AES-128-GCM encryption with a 96-bit nonce: the ciphertext followed by the
    16-byte tag.

    >>> aes128_gcm_seal(
    ...     bytes(16), bytes(12), b""
    ... ).hex()  # GCM specification, test case 1
    '58e2fccefa7e3061367f1d57a4e7455a'
    """
    if len(nonce) != 12:
        raise ValueError(f"AES-GCM here takes a 12-byte nonce, got {len(nonce)} bytes")
    round_keys = _expand_key(key)
    ciphertext = _ctr(round_keys, nonce, plaintext)
    return ciphertext + _tag(round_keys, nonce, ciphertext, associated_data)


def aes128_gcm_open(
    key: bytes, nonce: bytes, sealed: bytes, associated_data: bytes = b""
) -> bytes:
    """Decrypt what :func:`aes128_gcm_seal` sealed; a wrong tag (wrong key, or altered
    bytes) is an error.

    >>> sealed = aes128_gcm_seal(bytes(16), bytes(12), b"hello", b"header")
    >>> aes128_gcm_open(bytes(16), bytes(12), sealed, b"header")
    b'hello'
    >>> aes128_gcm_open(bytes(16), bytes(12), sealed, b"other")
    Traceback (most recent call last):
    ...
    ValueError: AES-GCM: the authentication tag does not match (wrong key, or the bytes
        were altered)
    """
    if len(sealed) < 16:
        raise ValueError("AES-GCM: fewer than 16 bytes, no room for the tag")
    ciphertext, tag = sealed[:-16], sealed[-16:]
    round_keys = _expand_key(key)
    if _tag(round_keys, nonce, ciphertext, associated_data) != tag:
        raise ValueError(
            "AES-GCM: the authentication tag does not match "
            "(wrong key, or the bytes were altered)"
        )
    return _ctr(round_keys, nonce, ciphertext)


# --------------------------------------------------------------------------------------
# QUIC Initial packet protection (RFC 9001, section 5; RFC 9369 for version 2)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PacketKeys:
    """One direction's packet protection keys: AEAD key, IV, header protection key."""

    key: bytes
    iv: bytes
    hp: bytes

    def nonce(self, packet_number: int) -> bytes:
        """The AEAD nonce: the IV XORed with the packet number (RFC 9001, section
        5.3).
        """
        return bytes(a ^ b for a, b in zip(self.iv, packet_number.to_bytes(12, "big")))


def initial_keys(
    destination_cid: bytes, *, client: bool, version: int = QUIC_V1
) -> PacketKeys:
    """The Initial keys of one side, derived from the client's first Destination
    Connection ID.

    The salt is a published constant, so these keys protect nothing from an observer:
    they only make the packet tamper-evident to those who do not see it.
    """
    if version not in INITIAL_SALTS:
        raise ValueError(
            f"QUIC version 0x{version:08x}: expected 1 (RFC "
            "9000) or 0x6b3343cf (RFC 9369)"
        )
    initial_secret = hkdf_extract(INITIAL_SALTS[version], destination_cid)
    secret = hkdf_expand_label(
        initial_secret, b"client in" if client else b"server in", b"", 32
    )
    prefix = _LABEL_PREFIX[version]
    return PacketKeys(
        hkdf_expand_label(secret, prefix + b"key", b"", 16),
        hkdf_expand_label(secret, prefix + b"iv", b"", 12),
        hkdf_expand_label(secret, prefix + b"hp", b"", 16),
    )


def header_protection_mask(hp_key: bytes, sample: bytes) -> bytes:
    """The 5-byte header protection mask for AES-based protection (RFC 9001, section
    5.4.3).

    >>> header_protection_mask(
    ...     bytes.fromhex("9f50449e04a0e810283a1e9933adedd2"),
    ...     bytes.fromhex("d1b1c98dd7689fb8ec11d242b123dc9b"),
    ... ).hex()  # RFC 9001, A.2
    '437b9aec36'
    """
    return aes128_encrypt_block(hp_key, sample)[:5]


def open_initial(
    packet: bytes, *, client: bool, keys_dcid: bytes | None = None
) -> tuple[int, bytes]:
    """Remove the protection of a QUIC Initial packet: its packet number and its frames.

    The keys come from the Destination Connection ID of the client's first Initial
    (``keys_dcid``; by default this packet's own, right for the client's first packet).
    This is what any observer can do, and what Wireshark does to show a QUIC
    connection's server name. Bytes after this packet in the datagram (coalesced
    packets) are ignored.
    """
    if len(packet) < 7 or packet[0] & 0x80 == 0:
        raise ValueError("QUIC: not a long-header packet")
    version = int.from_bytes(packet[1:5], "big")
    if version not in INITIAL_SALTS:
        raise ValueError(f"QUIC version 0x{version:08x}: no Initial keys known for it")
    initial_type = 0 if version == QUIC_V1 else 1
    if (packet[0] >> 4) & 0x03 != initial_type:
        raise ValueError("QUIC: not an Initial packet")
    pos = 5
    dcid = packet[pos + 1 : pos + 1 + packet[pos]]
    pos += 1 + packet[pos]
    pos += 1 + packet[pos]  # source connection ID
    token_length, pos = _varint(packet, pos)
    pos += token_length
    length, pos = _varint(packet, pos)
    if pos + length > len(packet) or length < 20:
        raise ValueError("QUIC: the Initial packet is cut short")
    keys = initial_keys(keys_dcid or dcid, client=client, version=version)
    mask = header_protection_mask(keys.hp, packet[pos + 4 : pos + 20])
    first = packet[0] ^ (mask[0] & 0x0F)
    pn_length = (first & 0x03) + 1
    number = bytes(b ^ m for b, m in zip(packet[pos : pos + pn_length], mask[1:]))
    header = bytes([first]) + packet[1:pos] + number
    packet_number = int.from_bytes(number, "big")
    frames = aes128_gcm_open(
        keys.key,
        keys.nonce(packet_number),
        packet[pos + pn_length : pos + length],
        header,
    )
    return packet_number, frames


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """A QUIC variable-length integer at ``pos`` (RFC 9000 section 16) and the position
    after it.
    """
    size = 1 << (data[pos] >> 6)
    return int.from_bytes(
        bytes([data[pos] & 0x3F]) + data[pos + 1 : pos + size], "big"
    ), pos + size
