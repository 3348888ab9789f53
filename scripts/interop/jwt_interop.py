#!/usr/bin/env python3
"""JWT interop with an independent implementation (PyJWT).

Two commands, driven by crates/warden-cli/tests/jwt_interop.rs:

  mint --out-dir DIR [--issuer I] [--audience A]
      For every algorithm Warden must accept (HS256/384/512, EdDSA, ES256, RS256, PS256),
      generate a key with `cryptography`, write DIR/<alg>.jwks.json (the public JWK, or the
      `oct` JWK for HMAC) and mint a full-claims token with PyJWT. Prints one JSON object:
      {"tokens": [{"alg", "kid", "jwks", "token", "sub"}]}.

  verify --jwks FILE --token TOKEN [--issuer I] [--audience A]
      Verify a token (e.g. minted by `warden token mint`) with PyJWT against a JWKS
      (e.g. printed by `warden keys jwks`; for HMAC keys the private key file). The key is
      picked by the token's `kid`; the algorithm is pinned to the key's `alg`.
      Exit 0 and print the claims, or exit 1 and print {"error": "..."}.

Exit 3 when PyJWT or cryptography is missing.
"""

import argparse
import json
import os
import sys
import time
import uuid

try:
    import jwt
    from jwt.algorithms import ECAlgorithm, HMACAlgorithm, OKPAlgorithm, RSAAlgorithm
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
except ImportError as e:  # pragma: no cover - environment dependent
    print(json.dumps({"error": f"missing dependency: {e}"}))
    sys.exit(3)

ALGS = ["HS256", "HS384", "HS512", "EdDSA", "ES256", "RS256", "PS256"]
HS_LEN = {"HS256": 32, "HS384": 48, "HS512": 64}


def new_key(alg):
    """Returns (signing key, public JWK dict)."""
    if alg in HS_LEN:
        secret = os.urandom(HS_LEN[alg])
        return secret, HMACAlgorithm.to_jwk(secret, as_dict=True)
    if alg == "EdDSA":
        k = ed25519.Ed25519PrivateKey.generate()
        return k, OKPAlgorithm.to_jwk(k.public_key(), as_dict=True)
    if alg == "ES256":
        k = ec.generate_private_key(ec.SECP256R1())
        return k, ECAlgorithm.to_jwk(k.public_key(), as_dict=True)
    k = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return k, RSAAlgorithm.to_jwk(k.public_key(), as_dict=True)


def cmd_mint(args):
    os.makedirs(args.out_dir, exist_ok=True)
    now = int(time.time())
    out = []
    for alg in ALGS:
        key, jwk = new_key(alg)
        kid = f"py-{alg.lower()}-{uuid.uuid4().hex[:8]}"
        jwk.update({"kid": kid, "alg": alg, "use": "sig"})
        path = os.path.join(args.out_dir, f"{alg}.jwks.json")
        with open(path, "w") as f:
            json.dump({"keys": [jwk]}, f)
        sub = f"py-user-{alg}"
        claims = {
            "sub": sub,
            "iat": now,
            "exp": now + 600,
            "nbf": now - 5,
            "iss": args.issuer,
            "aud": args.audience,
            "jti": str(uuid.uuid4()),
            "scope": "user mcp",
            "username": "py",
            "email": "py@example.com",
            "user_type": "user",
            "roles": ["user"],
            "token_type": "Bearer",
            "auth_time": now,
            "session_id": "py-session",
            "rate_limit_tier": "user",
        }
        token = jwt.encode(claims, key, algorithm=alg, headers={"kid": kid})
        out.append({"alg": alg, "kid": kid, "jwks": path, "token": token, "sub": sub})
    print(json.dumps({"tokens": out}))
    return 0


def cmd_verify(args):
    with open(args.jwks) as f:
        doc = json.load(f)
    try:
        header = jwt.get_unverified_header(args.token)
        kid = header.get("kid")
        matches = [k for k in doc.get("keys", []) if k.get("kid") == kid]
        if len(matches) != 1:
            raise ValueError(f"no unique key with kid {kid!r}")
        jwk = dict(matches[0])
        alg = jwk["alg"]
        if jwk.get("kty") != "oct":
            for private in ("d", "p", "q", "dp", "dq", "qi"):
                jwk.pop(private, None)
        key = jwt.PyJWK(jwk, algorithm=alg).key
        options = {"require": ["exp", "sub"]}
        claims = jwt.decode(
            args.token,
            key=key,
            algorithms=[alg],
            audience=args.audience,
            issuer=args.issuer,
            options=options,
        )
    except Exception as e:  # noqa: BLE001 - report any verification failure
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
        return 1
    print(json.dumps(claims))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mint")
    m.add_argument("--out-dir", required=True)
    m.add_argument("--issuer", default="warden")
    m.add_argument("--audience", default="api")
    v = sub.add_parser("verify")
    v.add_argument("--jwks", required=True)
    v.add_argument("--token", required=True)
    v.add_argument("--issuer", default=None)
    v.add_argument("--audience", default=None)
    args = p.parse_args()
    return cmd_mint(args) if args.cmd == "mint" else cmd_verify(args)


if __name__ == "__main__":
    sys.exit(main())
