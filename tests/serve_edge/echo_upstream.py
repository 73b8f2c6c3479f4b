"""The API behind a gateway in the tests: answers any request 200 with the headers it
received as a JSON object (names lower-cased, repeated names joined by ", ") and an
`X-Echo: upstream` header, so a test sees what the gateway let through. Prints its port on
the first line of stdout."""

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        seen = {}
        for name, value in self.headers.items():
            key = name.lower()
            seen[key] = f"{seen[key]}, {value}" if key in seen else value
        body = json.dumps(seen).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Echo", "upstream")
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
print(server.server_address[1], flush=True)
server.serve_forever()
