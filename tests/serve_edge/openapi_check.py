"""Checks answers that a real `serve` gave against openapi.yaml.

Reads a JSON list of exchanges on stdin ({"method","path","status","headers","body",
"content_type"}), validates the description itself (OpenAPI 3.1), then each answer
against its operation: the status must be documented, the required headers present and
matching their schemas, the body valid against the schema of its media type. Prints one
line per failure and exits 1 if there is any.
"""

import json
import sys

from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse


def main() -> int:
    spec_path = sys.argv[1]
    openapi = OpenAPI.from_file_path(spec_path)
    openapi.check_spec()
    exchanges = json.load(sys.stdin)
    failures = 0
    for ex in exchanges:
        request = MockRequest("http://127.0.0.1:8787", ex["method"], ex["path"])
        response = MockResponse(
            ex["body"].encode("utf-8"),
            status_code=ex["status"],
            headers=ex["headers"],
            content_type=ex["content_type"],
        )
        try:
            openapi.validate_response(request, response)
        except Exception as error:  # every kind of mismatch is a failure to report
            failures += 1
            causes = []
            cause = error
            while cause is not None:
                causes.append(f"{type(cause).__name__}: {cause}")
                cause = cause.__cause__ or getattr(cause, "schema_errors", [None])[0]
            print(f"{ex['method']} {ex['path']} -> {ex['status']}: " + " / ".join(causes))
    print(f"{len(exchanges)} answers checked, {failures} not as described")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
