"""QUIC Initial packet protection, checked against the published test vectors of each
specification.

Every expected value below is copied from the document named beside it (FIPS 197, RFC
5869, the GCM specification of McGrew and Viega, RFC 9001 Appendix A, RFC 9369 Appendix
A), not from the module's own output.
"""

from __future__ import annotations

import pytest

from ingress_egress import packet_protection as pp
from ingress_egress import packets as pk

DCID = bytes.fromhex("8394c8f03e515708")  # RFC 9001, A.1; RFC 9369, A.1
CLIENT_CRYPTO = bytes.fromhex(  # RFC 9001, A.2: the CRYPTO frame
    "060040f1010000ed0303ebf8fa56f12939b9584a3896472ec40bb863cfd3e86804fe3a47f06a2b69484c000004"
    "13011302010000c000000010000e00000b6578616d706c652e636f6dff01000100000a00080006001d0017001800"
    "1000070005"
    "04616c706e000500050100000000003300260024001d00209370b2c9caa47fbabaf4559fedba753d"
    "e171fa71f50f1ce15d43e994ec74d748002b0003020304000d0010000e0403050306030203080408050806002d00"
    "020101001c00024001003900320408ffffffffffffffff05048000ffff07048000ffff0801100104800075300901"
    "100f088394c8f03e51570806048000ffff"
)
SERVER_PAYLOAD = bytes.fromhex(  # RFC 9001, A.3: ACK and CRYPTO frames
    "02000000000600405a020000560303eefce7f7b37ba1d1632e96677825ddf73988cfc79825df566dc5430b9a045a"
    "1200130100002e00330024001d00209d3c940d89690b84d08a60993c144eca684d1081287c834d5311bcf32bb9da"
    "1a002b00020304"
)


def test_aes_sbox_and_fips_197_example():
    assert pp.SBOX[0x00] == 0x63 and pp.SBOX[0x53] == 0xED  # FIPS 197, section 5.1.1
    key = bytes(range(16))
    assert (
        pp.aes128_encrypt_block(
            key, bytes.fromhex("00112233445566778899aabbccddeeff")
        ).hex()
        == "69c4e0d86a7b0430d8cdb78070b4c55a"
    )  # FIPS 197, Appendix C.1
    with pytest.raises(ValueError, match="16-byte key"):
        pp.aes128_encrypt_block(bytes(15), bytes(16))


def test_hkdf_rfc_5869_test_case_1():
    prk = pp.hkdf_extract(bytes(range(13)), bytes([0x0B]) * 22)
    assert (
        prk.hex() == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"
    )
    okm = pp.hkdf_expand(prk, bytes(range(0xF0, 0xFA)), 42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        "34007208d5b887185865"
    )


@pytest.mark.parametrize(
    "plaintext, aad, ciphertext, tag",
    [
        # The Galois/Counter Mode of Operation (McGrew and Viega), test case 2.
        (
            "00000000000000000000000000000000",
            "",
            "0388dace60b6a392f328c2b971b2fe78",
            "ab6e47d42cec13bdf53a67b21257bddf",
        ),
    ],
)
def test_gcm_zero_key_vectors(plaintext, aad, ciphertext, tag):
    sealed = pp.aes128_gcm_seal(
        bytes(16), bytes(12), bytes.fromhex(plaintext), bytes.fromhex(aad)
    )
    assert sealed.hex() == ciphertext + tag


def test_gcm_test_cases_3_and_4():
    key = bytes.fromhex("feffe9928665731c6d6a8f9467308308")
    nonce = bytes.fromhex("cafebabefacedbaddecaf888")
    plaintext = bytes.fromhex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525"
        "b16aedf5aa0de657ba637b391aafd255"
    )
    ciphertext = (
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa05"
        "1ba30b396a0aac973d58e091473f5985"
    )
    assert (
        pp.aes128_gcm_seal(key, nonce, plaintext).hex()
        == ciphertext + "4d5c2af327cd64a62cf35abd2ba6fab4"
    )
    aad = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
    sealed = pp.aes128_gcm_seal(key, nonce, plaintext[:60], aad)
    assert sealed.hex() == ciphertext[:120] + "5bc94fbc3221a5db94fae95ae7121a47"
    assert pp.aes128_gcm_open(key, nonce, sealed, aad) == plaintext[:60]
    with pytest.raises(ValueError, match="authentication tag"):
        pp.aes128_gcm_open(key, nonce, sealed[:-1] + bytes([sealed[-1] ^ 1]), aad)


@pytest.mark.parametrize(
    "client, key, iv, hp",
    [
        (
            True,
            "1f369613dd76d5467730efcbe3b1a22d",
            "fa044b2f42a3fd3b46fb255c",
            "9f50449e04a0e810283a1e9933adedd2",
        ),
        (
            False,
            "cf3a5331653c364c88f0f379b6067e37",
            "0ac1493ca1905853b0bba03e",
            "c206b8d9b9f0f37644430b490eeaa314",
        ),
    ],
)
def test_rfc_9001_initial_keys(client, key, iv, hp):
    keys = pp.initial_keys(DCID, client=client)
    assert (keys.key.hex(), keys.iv.hex(), keys.hp.hex()) == (key, iv, hp)


def test_rfc_9369_version_2_client_keys():
    keys = pp.initial_keys(DCID, client=True, version=pp.QUIC_V2)
    assert keys.key.hex() == "8b1a0bc121284290a29e0971b5cd045d"  # RFC 9369, A.1
    assert keys.iv.hex() == "91f73e2351d8fa91660e909f"
    assert keys.hp.hex() == "45b95e15235d6f45a6b19cbcb0294ba9"
    with pytest.raises(ValueError, match="expected 1"):
        pp.initial_keys(DCID, client=True, version=0xFF00001D)


def test_rfc_9001_client_initial_packet():
    packet = pk.quic_initial(
        pp.QUIC_V1, DCID, b"", 2, CLIENT_CRYPTO, client=True, pad_to=1200
    )
    assert len(packet) == 1200
    assert (
        packet[:32].hex()
        == "c000000001088394c8f03e5157080000449e7b9aec34d1b1c98dd7689fb8ec11"
    )
    assert packet[-48:].hex() == (
        "7e78bfe706ca4cf5e9c5453e9f7cfd2b8b4c8d169a44e55c88d4a9a7f9474241"
        "e221af44860018ab0856972e194cd934"
    )
    number, frames = pp.open_initial(packet, client=True)
    assert (
        number == 2
        and frames[: len(CLIENT_CRYPTO)] == CLIENT_CRYPTO
        and not any(frames[len(CLIENT_CRYPTO) :])
    )


@pytest.mark.parametrize(
    "version, expected",
    [
        (
            pp.QUIC_V1,
            "cf000000010008f067a5502a4262b5004075c0d95a482cd0991cd25b0aac406a5816b6394100f37a1c697975547"
            "80bb38cc5a99f5ede4cf73c3ec2493a1839b3dbcba3f6ea46c5b7684df3548e7ddeb9c3bf9c73cc3f3bded74b5"
            "62bfb19fb84022f8ef4cdd93795d77d06edbb7aaf2f58891850abbdca3d20398c276456cbc42158407dd074ee",
        ),
        (
            pp.QUIC_V2,
            "dc6b3343cf0008f067a5502a4262b5004075d92faaf16f05d8a4398c47089698baeea26b91eb761d9b89237bbf8"
            "7263017915358230035f7fd3945d88965cf17f9af6e16886c61bfc703106fbaf3cb4cfa52382dd16a393e4275"
            "7507698075b2c984c707f0a0812d8cd5a6881eaf21ceda98f4bd23f6fe1a3e2c43edd9ce7ca84bed8521e2e140",
        ),
    ],
    ids=["RFC 9001 A.3", "RFC 9369 A.3"],
)
def test_server_initial_packets(version, expected):
    packet = pk.quic_initial(
        version,
        b"",
        bytes.fromhex("f067a5502a4262b5"),
        1,
        SERVER_PAYLOAD,
        client=False,
        keys_dcid=DCID,
        packet_number_length=2,
    )
    assert packet.hex() == expected
    assert pp.open_initial(packet, client=False, keys_dcid=DCID) == (1, SERVER_PAYLOAD)


def test_open_initial_refuses_what_is_not_an_initial():
    with pytest.raises(ValueError, match="long-header"):
        pp.open_initial(pk.quic_short(bytes(8), 30, fill=bytes), client=True)
    handshake = pk.quic_handshake(pp.QUIC_V1, bytes(8), bytes(8), 40, fill=bytes)
    with pytest.raises(ValueError, match="not an Initial"):
        pp.open_initial(handshake, client=True)
    packet = pk.quic_initial(
        pp.QUIC_V1, DCID, b"", 0, CLIENT_CRYPTO, client=True, pad_to=1200
    )
    with pytest.raises(ValueError, match="authentication tag"):
        pp.open_initial(packet, client=False)  # the server's keys do not open it
