#!/usr/bin/env python3
"""Independent implementation of Warden's vault envelope v1 (SPEC §4) with PyNaCl (libsodium).

    vault_interop.py seal --key KEY [--kid KID] --namespace NS --name NAME  < plaintext > envelope
    vault_interop.py open --key KEY --namespace NS --name NAME              < envelope  > plaintext

KEY is 64 hex chars or base64url without padding. KID defaults to the first 16 hex chars of
SHA-256(key). `open` exits 1 (message on stderr) when the envelope does not authenticate,
is malformed, or names another kid. Written from docs/VAULT_FORMAT.md, not from the Rust code.
"""

import argparse
import base64
import hashlib
import sys

from nacl import bindings, utils

MAGIC = b"WSV1"
ALG_XCHACHA20POLY1305 = 0x02
NONCE = bindings.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES  # 24
TAG = bindings.crypto_aead_xchacha20poly1305_ietf_ABYTES  # 16


def parse_key(text):
    text = text.strip()
    if len(text) == 64:
        return bytes.fromhex(text)
    key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if len(key) != 32 or "=" in text:
        raise ValueError("key must be 32 bytes")
    return key


def default_kid(key):
    return hashlib.sha256(key).hexdigest()[:16]


def seal(key, kid, namespace, name, plaintext):
    kid_bytes = kid.encode("ascii")
    header = MAGIC + bytes([ALG_XCHACHA20POLY1305, len(kid_bytes)]) + kid_bytes
    dek = utils.random(32)
    wrap_nonce = utils.random(NONCE)
    data_nonce = utils.random(NONCE)
    wrapped = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(dek, header, wrap_nonce, key)
    context = namespace.encode() + b"\x00" + name.encode()
    ct = bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(
        plaintext, header + context, data_nonce, dek
    )
    return header + wrap_nonce + wrapped + data_nonce + ct


def open_(key, namespace, name, envelope):
    if envelope[:4] != MAGIC or len(envelope) < 6 or envelope[4] != ALG_XCHACHA20POLY1305:
        raise ValueError("malformed")
    kid_len = envelope[5]
    hlen = 6 + kid_len
    if len(envelope) < hlen + NONCE + 32 + TAG + NONCE + TAG:
        raise ValueError("malformed")
    header = envelope[:hlen]
    kid = header[6:].decode("ascii")
    if kid != default_kid(key) and kid != ARGS.kid:
        raise ValueError("unknown kid " + kid)
    pos = hlen
    wrap_nonce = envelope[pos : pos + NONCE]
    pos += NONCE
    wrapped = envelope[pos : pos + 32 + TAG]
    pos += 32 + TAG
    data_nonce = envelope[pos : pos + NONCE]
    pos += NONCE
    ct = envelope[pos:]
    dek = bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(wrapped, header, wrap_nonce, key)
    context = namespace.encode() + b"\x00" + name.encode()
    return bindings.crypto_aead_xchacha20poly1305_ietf_decrypt(
        ct, header + context, data_nonce, dek
    )


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("op", choices=["seal", "open"])
    p.add_argument("--key", required=True)
    p.add_argument("--kid")
    p.add_argument("--namespace", required=True)
    p.add_argument("--name", required=True)
    ARGS = p.parse_args()
    key = parse_key(ARGS.key)
    data = sys.stdin.buffer.read()
    if ARGS.op == "seal":
        sys.stdout.buffer.write(seal(key, ARGS.kid or default_kid(key), ARGS.namespace, ARGS.name, data))
        return 0
    try:
        sys.stdout.buffer.write(open_(key, ARGS.namespace, ARGS.name, data))
    except Exception as e:  # nacl.exceptions.CryptoError, ValueError
        print("open failed: %s" % e, file=sys.stderr)
        return 1
    return 0


ARGS = None

if __name__ == "__main__":
    sys.exit(main())
