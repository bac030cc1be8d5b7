"""Masking of the credentials a subscription's endpoint carries, in every read of it.

A notification endpoint may carry a password in the userinfo of its uri
(``mqtt://user:secret@host/topic``) and credentials in receiverInfo (HTTP headers
such as ``Authorization``) or notifierInfo. Delivery uses the stored values; the
API and the audit log show :data:`MASK` in their place. A client that sends a
masked value back in a PATCH keeps the stored one, so reading and writing back a
subscription does not overwrite its credentials with the mask.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

MASK = "***"
# Key names of receiverInfo and notifierInfo pairs whose values are credentials.
_CREDENTIAL_KEY = re.compile(r"auth|token|secret|passw|credential|api[-_]?key|cookie|session|signature", re.I)


def is_credential_key(key: str) -> bool:
    return bool(_CREDENTIAL_KEY.search(key))


def mask_uri(uri: str) -> str:
    """Return ``uri`` with the password of its userinfo replaced by the mask."""
    try:
        parts = urlsplit(uri)
        password = parts.password
    except ValueError:
        return uri
    if password is None:
        return uri
    host = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username}:{MASK}@{host}").geturl()


def mask_document(document: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a subscription document whose endpoint credentials are masked."""
    notification = document.get("notification")
    if not isinstance(notification, dict) or not isinstance(notification.get("endpoint"), dict):
        return document
    endpoint = dict(notification["endpoint"])
    if isinstance(endpoint.get("uri"), str):
        endpoint["uri"] = mask_uri(endpoint["uri"])
    for member in ("receiverInfo", "notifierInfo"):
        if isinstance(endpoint.get(member), list):
            endpoint[member] = [_mask_pair(item) for item in endpoint[member]]
    return {**document, "notification": {**notification, "endpoint": endpoint}}


def restore_masked(patch: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    """Return an endpoint patch whose masked values are replaced by the stored ones."""
    result = dict(patch)
    uri = result.get("uri")
    if isinstance(uri, str) and isinstance(stored.get("uri"), str) and uri == mask_uri(stored["uri"]):
        result["uri"] = stored["uri"]
    for member in ("receiverInfo", "notifierInfo"):
        items, previous = result.get(member), stored.get(member)
        if not isinstance(items, list) or not isinstance(previous, list):
            continue
        values = {item.get("key"): item.get("value") for item in previous if isinstance(item, dict)}
        result[member] = [
            {**item, "value": values[item["key"]]}
            if isinstance(item, dict) and item.get("value") == MASK and item.get("key") in values else item
            for item in items
        ]
    return result


def _mask_pair(item: Any) -> Any:
    if isinstance(item, dict) and isinstance(item.get("key"), str) and is_credential_key(item["key"]):
        return {**item, "value": MASK}
    return item
