"""The revocation delay across `serve` processes, for scripts/bench-serve.

Usage: bench_serve_revocations.py TOOL KEYS_FILE COUNT HOST:PORT...  (store in
SEENTY_KEYS_DB). For each of COUNT keys from KEYS_FILE: checks that every process accepts
it, revokes it with `TOOL revoke - --yes` (the key on stdin, never in argv), then polls
every process until each answers 401. Two delays per revocation, from the command's exit:
until every process denies the key (401, or 503: the service failing closed), and until
every process answers 401. Prints p50, p99 and max of each in milliseconds, and how many
answers were 503.
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
    delays, denials = [], []
    unavailable = 0
    for key in keys:
        start = time.monotonic()
        while True:
            statuses = [check(c, key) for c in conns]
            unavailable += statuses.count(503)
            if all(s == 204 for s in statuses):
                break
            if time.monotonic() - start > 10 or any(s not in (204, 503) for s in statuses):
                sys.exit(f"bench-serve: a key to revoke is not accepted everywhere first: {statuses}")
        subprocess.run([tool, "revoke", "-", "--yes"], input=key.encode(), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        revoked_at = time.monotonic()
        pending = list(conns)
        last_accepted = 0.0
        while pending:
            statuses = [(c, check(c, key)) for c in pending]
            unavailable += sum(1 for _, s in statuses if s == 503)
            if any(s == 204 for _, s in statuses):
                last_accepted = time.monotonic() - revoked_at
            pending = [c for c, s in statuses if s != 401]
            if time.monotonic() - revoked_at > 10:
                sys.exit("bench-serve: a revoked key still accepted after 10 s")
        delays.append((time.monotonic() - revoked_at) * 1000)
        denials.append(last_accepted * 1000)
    n = len(delays)
    for what, values in (("the last acceptance (then 401 or 503)", denials), ("401 everywhere", delays)):
        values.sort()
        print(f"revocation delay over {n} revocations, {len(addrs)} processes under load, "
              f"until {what}: p50 {percentile(values, 50):.0f} ms, "
              f"p99 {percentile(values, 99):.0f} ms, max {values[-1]:.0f} ms")
    print(f"{unavailable} answers were 503 (freshness not confirmed)")


if __name__ == "__main__":
    main()
