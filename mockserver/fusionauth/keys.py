"""FusionAuth's Key API (Key Master): generate, import, retrieve, rename and delete signing keys.

A stored key keeps its private part (`privateKey`, PKCS#8 PEM) or HMAC `secret` for tokens.py to sign with;
answers never carry either (`hasPrivateKey` says whether there is one). RSA and EC keys also keep their
`publicKey` (SubjectPublicKeyInfo PEM), and an X.509 `certificate` when one was generated or imported. A key
with a public part only (imported for verification) is published in the JWKS but never signs.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import secrets
import uuid
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ..clock import now_ms
from ..routing import Call, Handler, Reply
from ..store import Store, Tx
from .collections import APPLICATIONS, KEYS, TENANTS
from .errors import Errors, FusionAuthError, must_specify
from .features import Feature

RSA_ALGORITHMS = ("RS256", "RS384", "RS512")
EC_ALGORITHMS = {"ES256": ("P-256", 256), "ES384": ("P-384", 384), "ES512": ("P-521", 521)}
HMAC_ALGORITHMS = {"HS256": 32, "HS384": 48, "HS512": 64}  # generated secret sizes in bytes
RSA_LENGTHS = (2048, 3072, 4096)
CURVES = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
CERTIFICATE_YEARS = 10  # validity of a generated self-signed certificate
DEFAULT_ISSUER = "acme.com"
# The HMAC keys of a fresh FusionAuth install (its "shadow" keys): id tokens are signed with one by default.
DEFAULT_HMAC_KEYS = (("092dbedc-30af-4149-9c61-b578f2c72f59", "HS256"),)


def key_type(algorithm: str) -> str:
    return "HMAC" if algorithm.startswith("HS") else "EC" if algorithm.startswith("ES") else "RSA"


def new_kid() -> str:
    # FusionAuth's generated kids are short hex strings (its documentation's example: "10d51735a5").
    return secrets.token_hex(5)


def _pem_private(private: Any) -> str:
    return private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _pem_public(public: Any) -> str:
    return public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


@cache
def private_key(pem: str) -> Any:
    return serialization.load_pem_private_key(pem.encode(), password=None)


@cache
def public_key(pem: str) -> Any:
    return serialization.load_pem_public_key(pem.encode())


@cache
def certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def verifying_key(key: dict[str, Any]) -> Any:
    """The public key of an RSA or EC key document, from whichever part it has."""
    if key.get("publicKey"):
        return public_key(key["publicKey"])
    if key.get("privateKey"):
        return private_key(key["privateKey"]).public_key()
    return certificate(key["certificate"]).public_key()


def can_sign(key: dict[str, Any]) -> bool:
    return bool(key.get("secret")) if key["algorithm"].startswith("HS") else bool(key.get("privateKey"))


def _length(public: Any) -> int:
    return public.key_size if isinstance(public, rsa.RSAPublicKey | ec.EllipticCurvePublicKey) else 0


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def certificate_information(pem: str) -> dict[str, Any]:
    cert = certificate(pem)
    der = cert.public_bytes(serialization.Encoding.DER)
    return {
        "issuer": cert.issuer.rfc4514_string(),
        "md5Fingerprint": hashlib.md5(der, usedforsecurity=False).hexdigest(),
        "serialNumber": str(cert.serial_number),
        "sha1Fingerprint": hashlib.sha1(der, usedforsecurity=False).hexdigest(),
        "sha1Thumbprint": _b64url(hashlib.sha1(der, usedforsecurity=False).digest()),
        "sha256Fingerprint": hashlib.sha256(der).hexdigest(),
        "sha256Thumbprint": _b64url(hashlib.sha256(der).digest()),
        "subject": cert.subject.rfc4514_string(),
        "validFrom": int(cert.not_valid_before_utc.timestamp() * 1000),
        "validTo": int(cert.not_valid_after_utc.timestamp() * 1000),
    }


def x509_members(key: dict[str, Any]) -> dict[str, Any]:
    """The JWK members of a key's certificate (RFC 7517 §4.7-4.9), as FusionAuth's JWKS carries them."""
    if not key.get("certificate"):
        return {}
    der = certificate(key["certificate"]).public_bytes(serialization.Encoding.DER)
    return {
        "x5c": [base64.b64encode(der).decode()],
        "x5t": _b64url(hashlib.sha1(der, usedforsecurity=False).digest()),
        "x5t#S256": _b64url(hashlib.sha256(der).digest()),
    }


def _self_signed(private: Any, algorithm: str, issuer: str) -> str:
    """A self-signed certificate for a generated key pair, as FusionAuth makes one (subject = issuer)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)])
    now = datetime.datetime.now(datetime.UTC)
    digest = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}[algorithm[2:]]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365 * CERTIFICATE_YEARS))
        .sign(private, digest)
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def public_view(key: dict[str, Any]) -> dict[str, Any]:
    """The key as the Key API returns it: never the private key nor the HMAC secret."""
    algorithm = key["algorithm"]
    view: dict[str, Any] = {"id": key["id"], "algorithm": algorithm, "kid": key["kid"], "type": key_type(algorithm)}
    for field in ("name", "insertInstant", "lastUpdateInstant"):
        if field in key:
            view[field] = key[field]
    if algorithm.startswith("HS"):
        return view  # FusionAuth omits every field about public parts and certificates for HMAC keys
    public = verifying_key(key)
    view["publicKey"] = key.get("publicKey") or _pem_public(public)
    view["length"] = key.get("length") or _length(public)
    view["hasPrivateKey"] = bool(key.get("privateKey"))
    if key.get("certificate"):
        view["certificate"] = key["certificate"]
        view["certificateInformation"] = certificate_information(key["certificate"])
        view["expirationInstant"] = view["certificateInformation"]["validTo"]
    if key.get("issuer"):
        view["issuer"] = key["issuer"]
    return view


def _bad(path: str, rule: str, message: str) -> FusionAuthError:
    return FusionAuthError(400, Errors().field(path, f"[{rule}]{path}", message).body())


def _check_name(tx: Tx, name: str, own_id: str | None) -> None:
    if not name.strip():
        raise _bad("key.name", "blank", must_specify("key.name"))
    for other in tx.all(KEYS):
        if other["id"] != own_id and other.get("name") == name:
            raise _bad("key.name", "duplicate", f"A Key with name [{name}] already exists.")


def _check_new(tx: Tx, key_id: str, kid: str) -> None:
    if tx.get(KEYS, key_id) is not None:
        raise _bad("keyId", "duplicate", f"A Key with Id [{key_id}] already exists.")
    if any(other["kid"] == kid for other in tx.all(KEYS)):
        raise _bad("key.kid", "duplicate", f"A Key with kid [{kid}] already exists.")


def _default_issuer(tx: Tx) -> str:
    tenants = tx.all(TENANTS)
    default = next((t for t in tenants if t.get("name") == "Default"), tenants[0] if tenants else {})
    return default.get("issuer", DEFAULT_ISSUER)


def build_generated(algorithm: str, name: str, length: int | None, issuer: str, key_id: str, kid: str) -> dict:
    """A new key document: a key pair with its self-signed certificate, or an HMAC secret."""
    now = now_ms()
    key: dict[str, Any] = {"id": key_id, "kid": kid, "algorithm": algorithm, "name": name, "type": key_type(algorithm)}
    if algorithm in HMAC_ALGORITHMS:
        key["secret"] = base64.b64encode(secrets.token_bytes(HMAC_ALGORITHMS[algorithm])).decode()
    else:
        if algorithm in EC_ALGORITHMS:
            curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[algorithm]
            private: Any = ec.generate_private_key(curve)
        else:
            private = rsa.generate_private_key(public_exponent=65537, key_size=length or 2048)
        key["privateKey"] = _pem_private(private)
        key["publicKey"] = _pem_public(private.public_key())
        key["certificate"] = _self_signed(private, algorithm, issuer)
        key["issuer"] = issuer
        key["length"] = _length(private.public_key())
    key["insertInstant"] = key["lastUpdateInstant"] = now
    return key


def generate(store: Store, body: dict[str, Any], key_id: str | None) -> dict[str, Any]:
    """POST /api/key/generate: the key pair is made outside the write transaction (an RSA-4096 pair takes
    a second or more; every other write would wait for it)."""
    request = body["key"]
    errors = Errors()
    algorithm = request.get("algorithm")
    if algorithm is None:
        errors.field("key.algorithm", "[missing]key.algorithm", must_specify("key.algorithm"))
    elif algorithm not in (*RSA_ALGORITHMS, *EC_ALGORITHMS, *HMAC_ALGORITHMS):
        # Ed25519 keys and secrets (None) are not served by mockserver.
        errors.field("key.algorithm", "[invalid]key.algorithm", f"The [key.algorithm] value [{algorithm}] is invalid.")
    length = request.get("length")
    if algorithm in RSA_ALGORITHMS:
        if length is None:
            errors.field("key.length", "[missing]key.length", must_specify("key.length"))
        elif length not in RSA_LENGTHS:
            errors.field("key.length", "[invalid]key.length", "The RSA key length must be 2048, 3072 or 4096.")
    elif algorithm in EC_ALGORITHMS and length is not None and length != EC_ALGORITHMS[algorithm][1]:
        errors.field(
            "key.length",
            "[invalid]key.length",
            f"The key length of an [{algorithm}] key must be [{EC_ALGORITHMS[algorithm][1]}].",
        )
    if not request["name"].strip():
        errors.field("key.name", "[blank]key.name", must_specify("key.name"))
    errors.raise_if_any()
    key_id = (key_id or str(uuid.uuid4())).lower()
    kid = request.get("kid") or new_kid()
    tx = store.read()
    _check_name(tx, request["name"], None)  # checked before the slow part, and again below
    _check_new(tx, key_id, kid)
    issuer = request.get("issuer") or _default_issuer(tx)
    key = build_generated(algorithm, request["name"], length, issuer, key_id, kid)
    with store.write() as tx:
        _check_name(tx, request["name"], None)
        _check_new(tx, key_id, kid)
        tx.put(KEYS, key_id, key)
    return key


def _algorithm_of(public: Any) -> str | None:
    if isinstance(public, rsa.RSAPublicKey):
        return "RS256"
    if isinstance(public, ec.EllipticCurvePublicKey):
        return CURVES.get(public.curve.name)
    return None  # Ed25519 and others: not served


def _load(request: dict[str, Any], field: str, errors: Errors) -> Any:
    pem = request.get(field)
    if not pem:
        return None
    try:
        if field == "privateKey":
            loaded: Any = private_key(pem)
        elif field == "publicKey":
            loaded = public_key(pem)
        else:
            loaded = certificate(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        errors.field(f"key.{field}", f"[invalid]key.{field}", f"The [key.{field}] is not a valid PEM encoded {field}.")
        return None
    return loaded


def _public_numbers_equal(a: Any, b: Any) -> bool:
    return _pem_public(a) == _pem_public(b)


def import_key(tx: Tx, body: dict[str, Any], key_id: str | None) -> dict[str, Any]:
    request = body["key"]
    errors = Errors()
    algorithm = request.get("algorithm")
    now = now_ms()
    key_id = (key_id or str(uuid.uuid4())).lower()
    kid = request.get("kid") or new_kid()
    key: dict[str, Any] = {"id": key_id, "kid": kid, "name": request["name"]}
    if algorithm in ("Ed25519", "None"):  # EdDSA keys and secrets: not served by mockserver
        raise _bad("key.algorithm", "invalid", f"The [key.algorithm] value [{algorithm}] is invalid.")
    secret = request.get("secret")
    if secret is not None or request.get("type") == "HMAC" or (algorithm or "").startswith("HS"):
        if not secret:
            errors.field("key.secret", "[blank]key.secret", must_specify("key.secret"))
        algorithm = algorithm or "HS256"
        if algorithm not in HMAC_ALGORITHMS:
            errors.field(
                "key.algorithm", "[invalid]key.algorithm", "An HMAC secret needs an HS256, HS384 or HS512 algorithm."
            )
        errors.raise_if_any()
        key.update(algorithm=algorithm, type="HMAC", secret=secret)
    else:
        private = _load(request, "privateKey", errors)
        public = _load(request, "publicKey", errors)
        cert = _load(request, "certificate", errors)
        if errors:
            errors.raise_if_any()
        if private is None and public is None and cert is None:
            errors.field("key.publicKey", "[missing]key.publicKey", must_specify("key.publicKey"))
            errors.raise_if_any()
        parts = [p for p in (private.public_key() if private is not None else None, public) if p is not None]
        if cert is not None:
            parts.append(cert.public_key())
        if any(not _public_numbers_equal(parts[0], other) for other in parts[1:]):
            raise _bad("key.publicKey", "invalid", "The [key.publicKey] does not match the private key or certificate.")
        inferred = _algorithm_of(parts[0])
        if inferred is None or (algorithm is not None and key_type(algorithm) != key_type(inferred)):
            raise _bad("key.algorithm", "invalid", f"The [key.algorithm] value [{algorithm or ''}] is invalid.")
        if algorithm is not None and algorithm in EC_ALGORITHMS and algorithm != inferred:
            raise _bad("key.algorithm", "invalid", "The [key.algorithm] does not match the curve of the key.")
        algorithm = algorithm or inferred
        length = _length(parts[0])
        if algorithm in RSA_ALGORITHMS and length not in RSA_LENGTHS and not (length == 1024 and private is None):
            raise _bad("key.length", "invalid", "The RSA key length must be 2048, 3072 or 4096.")
        key.update(algorithm=algorithm, type=key_type(algorithm), publicKey=_pem_public(parts[0]), length=length)
        if private is not None:
            key["privateKey"] = _pem_private(private)
        if cert is not None:
            key["certificate"] = request["certificate"]
            key["issuer"] = cert.issuer.rfc4514_string()
    _check_name(tx, request["name"], None)
    _check_new(tx, key_id, kid)
    key["insertInstant"] = key["lastUpdateInstant"] = now
    tx.put(KEYS, key_id, key)
    return key


def update(tx: Tx, key_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """PUT: FusionAuth changes the name only; everything else of the request is ignored."""
    key = tx.get(KEYS, key_id)
    if key is None:
        raise FusionAuthError(404)
    name = body["key"]["name"]
    _check_name(tx, name, key_id)
    key = {**key, "name": name, "lastUpdateInstant": now_ms()}
    tx.put(KEYS, key_id, key)
    return key


def _uses(tx: Tx, key_id: str) -> list[str]:
    """Where a key is configured, in FusionAuth's field names."""
    found = []
    for kind, label in ((TENANTS, "tenant"), (APPLICATIONS, "application")):
        for document in tx.all(kind):
            settings = document.get("jwtConfiguration") or {}
            for field in ("accessTokenKeyId", "idTokenKeyId"):
                if settings.get(field) == key_id:
                    found.append(f"{label} [{document.get('name', document['id'])}] jwtConfiguration.{field}")
    return found


def delete(tx: Tx, key_id: str) -> None:
    if tx.get(KEYS, key_id) is None:
        raise FusionAuthError(404)
    uses = _uses(tx, key_id)
    if uses:
        raise _bad(
            "keyId",
            "inUse",
            f"The Key with Id [{key_id}] cannot be deleted because it is in use by the " + ", ".join(uses) + ".",
        )
    tx.delete(KEYS, key_id)


def default_keys(issuer: str = DEFAULT_ISSUER, signing_key_id: str | None = None) -> list[dict[str, Any]]:
    """The keys of a fresh FusionAuth install: one RSA pair (RS256, 2048 bits, the default access-token signing
    key) and the HMAC key 092dbedc-… (HS256, the default id-token key). Fresh secrets each call."""
    keys = [
        build_generated("RS256", "Default signing key", 2048, issuer, signing_key_id or str(uuid.uuid4()), new_kid())
    ]
    for key_id, algorithm in DEFAULT_HMAC_KEYS:
        name = f"OpenID Connect compliant HMAC using SHA-{algorithm[2:]}"
        keys.append(build_generated(algorithm, name, None, issuer, key_id, new_kid()))
    return keys


def _global_only(call: Call) -> None:
    # The Key API needs a global key: a tenant-locked one gets FusionAuth's empty 401.
    api_key = call.context.get("api_key") or {}
    if api_key.get("tenantId"):
        raise FusionAuthError(401)


def handlers(feature: Feature) -> dict[str, Handler]:
    store = feature.store

    def one(key: dict[str, Any]) -> Reply:
        return Reply(200, {"key": public_view(key)})

    def generate_key(call: Call) -> Reply:
        _global_only(call)
        return one(generate(store, call.body, call.path.get("keyId")))

    def import_(call: Call) -> Reply:
        _global_only(call)
        with store.write() as tx:
            return one(import_key(tx, call.body, call.path.get("keyId")))

    def retrieve_all(call: Call) -> Reply:
        _global_only(call)
        return Reply(200, {"keys": [public_view(k) for k in store.read().all(KEYS)]})

    def retrieve(call: Call) -> Reply:
        _global_only(call)
        key = store.read().get(KEYS, call.path["keyId"].lower())
        if key is None:
            raise FusionAuthError(404)
        return one(key)

    def update_key(call: Call) -> Reply:
        _global_only(call)
        with store.write() as tx:
            return one(update(tx, call.path["keyId"].lower(), call.body))

    def delete_key(call: Call) -> Reply:
        _global_only(call)
        with store.write() as tx:
            delete(tx, call.path["keyId"].lower())
        return Reply(200)

    return {
        "generateKey": generate_key,
        "generateKeyWithId": generate_key,
        "importKey": import_,
        "importKeyWithId": import_,
        "retrieveKeys": retrieve_all,
        "retrieveKey": retrieve,
        "updateKey": update_key,
        "deleteKey": delete_key,
    }
