"""A detect-secrets plugin for Seenty API keys, checked by their checksum.

    detect-secrets scan --plugin contrib/scanners/detect_secrets_seenty.py

A Seenty key is sk_live_ + 22 random characters + a 6-character checksum: CRC-32
(zlib) of the first 30 characters, in base 62 (0-9A-Za-z), most significant digit
first. A token whose checksum fails (a Stripe key, noise) is not reported here. The
plugin never sends a key anywhere: `seenty-keys scan` asks the store whether it is live.
"""

import re
import zlib

from detect_secrets.plugins.base import RegexBasedDetector

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def checksum(body):
    value = zlib.crc32(body.encode("ascii"))
    digits = ""
    for _ in range(6):
        value, digit = divmod(value, 62)
        digits = ALPHABET[digit] + digits
    return digits


def is_seenty_key(token):
    return len(token) == 36 and checksum(token[:30]) == token[30:]


class SeentyKeyDetector(RegexBasedDetector):
    """Seenty API key (sk_live_ with a valid checksum)."""

    secret_type = "Seenty API Key"

    denylist = [re.compile(r"(?<![0-9A-Za-z])(sk_live_[0-9A-Za-z]{28})(?![0-9A-Za-z])")]

    def analyze_string(self, string):
        for token in super().analyze_string(string):
            if is_seenty_key(token):
                yield token
