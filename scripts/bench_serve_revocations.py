"""The revocation delay across `serve` processes, for scripts/bench-serve.

Usage: bench_serve_revocations.py TOOL KEYS_FILE COUNT HOST:PORT...  (store in
SEENTY_KEYS_DB). For each of COUNT keys from KEYS_FILE: checks that every process accepts
it, revokes it with `TOOL revoke - --yes` (the key on stdin, never in argv), then polls
every process until each answers 401; the delay of a revocation is from the command's
exit to the last process's 401. Prints p50, p99 and max in milliseconds.
"""

import http.client
import subprocess
import sys
import time


def check(conn, key):
    conn.request("GET", "/v1/check", headers={"Authorization": f"Bearer {key}"})
    response = conn.getresponse()
    response.read()
    return response.status


def percentile(sorted_values, p):
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def main():
    tool, keys_file, count, addrs = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
    with open(keys_file) as f:
        keys = [line.strip() for line in f][:count]
    conns = []
    for addr in addrs:
        host, port = addr.rsplit(":", 1)
        conns.append(http.client.HTTPConnection(host, int(port), timeout=10))
    delays = []
    for key in keys:
        if any(check(c, key) != 204 for c in conns):
            sys.exit("bench-serve: a key to revoke is not accepted everywhere first")
        subprocess.run([tool, "revoke", "-", "--yes"], input=key.encode(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        revoked_at = time.monotonic()
        pending = list(conns)
        while pending:
            pending = [c for c in pending if check(c, key) != 401]
            if time.monotonic() - revoked_at > 10:
                sys.exit("bench-serve: a revoked key still accepted after 10 s")
        delays.append((time.monotonic() - revoked_at) * 1000)
    delays.sort()
    print(f"revocation delay over {len(delays)} revocations, {len(addrs)} processes under load: "
          f"p50 {percentile(delays, 50):.0f} ms, p99 {percentile(delays, 99):.0f} ms, "
          f"max {delays[-1]:.0f} ms")


if __name__ == "__main__":
    main()
