"""WeCom callback crypto: constant-time signatures, AES via wechatpy, safe XML."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import struct
import time
import xml.etree.ElementTree as ET

from wechatpy.enterprise.crypto import PrpCrypto


class CallbackError(Exception):
    """A callback we refuse; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """``sha1`` of the sorted, concatenated parts, lowercase hex."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


_FORBIDDEN_XML = (b"<!doctype", b"<!entity", b"<!element", b"<!attlist")
# UTF-32 before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe", b"\x2b\x2f\x76")
_ROOT_TAG = re.compile(rb"<[A-Za-z_]")  # the first start tag: the prolog ends there
_DECL = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._-]{1,40})[\"']", re.I)


def refuse_declarations(raw: bytes) -> None:
    """Refuse what could make an XML parser slow, before any parse: DTDs and entity declarations,
    in any encoding. WeCom sends UTF-8 only, so a byte-order mark, a NUL byte (UTF-16/32 without a
    mark) or an encoding declaration other than UTF-8 is refused outright; then, in plain bytes, so
    is any ``<!DOCTYPE``/``<!ENTITY`` in the prolog (the only place a declaration can stand).

    Raises:
        CallbackError: 400.
    """
    if raw.startswith(_BOMS) or b"\x00" in raw:
        raise CallbackError(400, "xml must be utf-8")
    decl = _DECL.match(raw)
    if decl and decl.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        raise CallbackError(400, "xml must be utf-8")
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    # A DTD (and so any entity declaration) can only stand in the prolog, before the root element's
    # start tag: what a person types ("<!DOCTYPE html>" in a message's CDATA) is text, not a declaration.
    # The prolog may hold the XML declaration and nothing that starts with "<!" (no DTD, and no comment
    # that could hide where the prolog ends); after the root's start tag a declaration is a syntax error.
    root = _ROOT_TAG.search(raw)
    prolog = raw[:root.start()] if root else raw
    if b"<!" in prolog or any(marker in prolog.lower() for marker in _FORBIDDEN_XML):
        raise CallbackError(400, "xml declarations (DOCTYPE/ENTITY) are not accepted")


_ENCRYPT = re.compile(rb"<Encrypt>\s*+(?:<!\[CDATA\[([A-Za-z0-9+/=]*+)\]\]>|([A-Za-z0-9+/=]*+))\s*+</Encrypt>")


def envelope_encrypt(body: bytes) -> str:
    """The ``Encrypt`` value of a callback envelope, found by a bounded scan (no XML parse).

    The body is already capped in size (``max_body_bytes``); the pattern is linear (one element, a
    base64 alphabet, possessive quantifiers: no backtracking). A valid envelope has
    exactly one ``Encrypt`` element.

    Raises:
        CallbackError: 400 for anything else.
    """
    refuse_declarations(body)
    found = _ENCRYPT.findall(body)
    if len(found) != 1:
        raise CallbackError(400, "no Encrypt element" if not found else "more than one Encrypt element")
    value = (found[0][0] or found[0][1]).strip()
    if not value:
        raise CallbackError(400, "no Encrypt element")
    return value.decode("ascii")


def parse_xml(data: bytes | str) -> dict[str, str]:
    """Parse a flat WeCom XML document into ``{tag: text}``; nested tags are flattened by path.

    Raises:
        CallbackError: for DOCTYPE/entity declarations, encodings other than UTF-8 or malformed XML.
    """
    raw = data.encode() if isinstance(data, str) else data
    refuse_declarations(raw)
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise CallbackError(400, f"malformed xml: {exc}") from None
    out: dict[str, str] = {}

    def walk(node: ET.Element, prefix: str) -> None:
        for child in node:
            key = f"{prefix}{child.tag}"
            if len(child):
                walk(child, key + ".")
            elif key not in out:
                out[key] = (child.text or "").strip() if child.tag != "Content" else (child.text or "")
    walk(root, "")
    return out


class WeComCrypto:
    """Verifies and decrypts callbacks for one app; also encrypts (for simulators and tests)."""

    def __init__(self, token: str, aes_key: str, corp_id: str) -> None:
        self.token = token
        self.corp_id = corp_id
        self.key = base64.b64decode(aes_key + "=")
        if len(self.key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")

    def verify(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypt)
        if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode()):
            raise CallbackError(403, "bad signature")

    def decrypt(self, encrypt: str) -> str:
        """Decrypt and check that receiveid is our corp id.

        A wrong key fails in odd ways (bad padding, struct errors, unicode errors):
        every failure becomes a :class:`CallbackError`.
        """
        try:
            cipher = base64.b64decode(encrypt, validate=True)
            if not cipher or len(cipher) % 16:
                raise ValueError("ciphertext length")
            plain_pad = PrpCrypto(self.key).cipher.decrypt(cipher)
            pad = plain_pad[-1]
            if not 1 <= pad <= 32 or plain_pad[-pad:] != bytes([pad]) * pad:
                raise ValueError("bad padding")
            content = plain_pad[16:-pad]
            (length,) = struct.unpack(">I", content[:4])
            if length > len(content) - 4:
                raise ValueError("bad length")
            message = content[4 : 4 + length].decode("utf-8")
            receive_id = content[4 + length :].decode("utf-8")
        except Exception as exc:  # noqa: BLE001 - any failure is a bad request
            raise CallbackError(400, f"cannot decrypt: {type(exc).__name__}") from None
        if not hmac.compare_digest(receive_id.encode(), self.corp_id.encode()):
            raise CallbackError(403, "receiveid does not match the corp id")
        return message

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        self.verify(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def decrypt_body(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Signature over the raw ``Encrypt`` value first (a cheap scan, no parse), then decryption:
        unsigned junk costs a regular-expression scan and one SHA-1."""
        encrypt = envelope_encrypt(body)
        self.verify(msg_signature, timestamp, nonce, encrypt)
        return self.decrypt(encrypt)

    # -- the other side (WeCom simulator) ---------------------------------

    def encrypt(self, message: str) -> str:
        return PrpCrypto(self.key).encrypt(message, self.corp_id).decode()

    def sign_body(self, inner_xml: str, *, agent_id: int | str = 1) -> tuple[bytes, dict[str, str]]:
        """Build a POST body and its query string the way WeCom does."""
        encrypt = self.encrypt(inner_xml)
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(5)
        body = (
            f"<xml><ToUserName><![CDATA[{self.corp_id}]]></ToUserName>"
            f"<AgentID><![CDATA[{agent_id}]]></AgentID>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        ).encode()
        query = {
            "msg_signature": signature(self.token, timestamp, nonce, encrypt),
            "timestamp": timestamp,
            "nonce": nonce,
        }
        return body, query
