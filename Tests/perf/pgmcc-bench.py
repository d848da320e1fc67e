#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Tests/perf/pgmcc-bench.py - one flow of the PGMCC TCP-friendliness bench.

    pgmcc-bench.py pgm-send GROUP PORT IFADDR SECONDS RATE [--pgmcc]
    pgmcc-bench.py pgm-recv GROUP PORT IFADDR SECONDS [--pgmcc]
    pgmcc-bench.py tcp-send ADDR PORT SECONDS
    pgmcc-bench.py tcp-recv ADDR PORT SECONDS

Each runs for SECONDS from its start.  The receivers print one JSON line:
the bytes delivered in each whole second ("per_s"), and for PGM the
messages reported lost (sqns on the error queue) and the receiver's
counters; pgm-send prints its source's counters.  RATE is PGM_TXW_MAX_RTE
in bytes/s.  scripts/perf-pgmcc-guest runs them (make perf-pgmcc).
"""
import errno
import json
import socket
import struct
import sys
import time

SOL_PGM = IPPROTO_PGM = 113
SOCK_RDM = 4
PGM_TXW_SQNS, PGM_TXW_MAX_RTE, PGM_RXW_SQNS = 1, 3, 20
PGM_JOIN_GROUP, PGM_PGMCC = 29, 34
PGM_SOURCE_STATS, PGM_RECEIVER_STATS = 40, 41
MSG = 1400


def u32(v):
    return struct.pack("=I", v)


def pgm_send(group, port, ifaddr, seconds, rate, pgmcc):
    s = socket.socket(socket.AF_INET, SOCK_RDM, IPPROTO_PGM)
    s.setsockopt(SOL_PGM, PGM_TXW_SQNS, u32(4096))
    s.setsockopt(SOL_PGM, PGM_TXW_MAX_RTE, u32(rate))
    if pgmcc:
        s.setsockopt(SOL_PGM, PGM_PGMCC, u32(1))
    s.bind((ifaddr, 0))
    s.connect((group, port))
    s.settimeout(1.0)
    msg = bytes(MSG)
    end = time.monotonic() + seconds
    sent = 0
    while time.monotonic() < end:
        try:
            s.send(msg)
            sent += 1
        except (socket.timeout, BlockingIOError):
            continue
    st = s.getsockopt(SOL_PGM, PGM_SOURCE_STATS, 512)
    # struct pgm_source_stats (<linux/pgm.h>): 11 u64 counters, the window's
    # two u32 edges, 14 u64, then PGMCC's 8 u64, W, T, RTT, loss, acker.
    assert len(st) == 11 * 8 + 8 + 14 * 8 + 8 * 8 + 16 + 16, len(st)
    q = struct.unpack_from("=11Q", st)
    cc = struct.unpack_from("=8QIiII", st, 11 * 8 + 8 + 14 * 8)
    s.close()
    print(json.dumps({"sent": sent, "odata_sent": q[1], "rdata_sent": q[2],
                      "naks_received": q[6], "acks_received": cc[0], "acker_changes": cc[4],
                      "congestion_events": cc[5], "cc_timeouts": cc[6], "window": cc[8] / 65536,
                      "rtt_us": cc[10]}))


def pgm_recv(group, port, ifaddr, seconds, pgmcc):
    s = socket.socket(socket.AF_INET, SOCK_RDM, IPPROTO_PGM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(SOL_PGM, PGM_RXW_SQNS, u32(4096))
    if pgmcc:
        s.setsockopt(SOL_PGM, PGM_PGMCC, u32(1))
    s.bind((group, port))
    mreq = socket.inet_aton(group) + socket.inet_aton(ifaddr) + struct.pack("=i", 0)
    s.setsockopt(SOL_PGM, PGM_JOIN_GROUP, mreq)
    s.settimeout(0.2)
    print("ready", file=sys.stderr, flush=True)
    start = time.monotonic()
    per = [0] * int(seconds)
    lost = 0
    while True:
        now = time.monotonic() - start
        if now >= seconds:
            break
        try:
            n = len(s.recv(65536))
            per[int(now)] += n
        except socket.timeout:
            continue
        except OSError as e:
            if e.errno == errno.ECONNRESET:
                try:
                    s.recvmsg(64, 256, socket.MSG_ERRQUEUE)
                except OSError:
                    pass
                lost += 1
            continue
    st = s.getsockopt(SOL_PGM, PGM_RECEIVER_STATS, 512)
    q = struct.unpack_from("=10Q", st)
    s.close()
    print(json.dumps({"per_s": per, "loss_records": lost, "naks_sent": q[5],
                      "rdata_received": q[3], "losses": q[9]}))


def tcp_send(addr, port, seconds):
    c = socket.create_connection((addr, port), timeout=10)
    buf = bytes(65536)
    end = time.monotonic() + seconds
    c.settimeout(1.0)
    while time.monotonic() < end:
        try:
            c.send(buf)
        except socket.timeout:
            continue
        except OSError:
            break
    c.close()


def tcp_recv(addr, port, seconds):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    print("ready", file=sys.stderr, flush=True)
    c, _ = ls.accept()
    c.settimeout(0.2)
    start = time.monotonic()
    per = [0] * int(seconds)
    while True:
        now = time.monotonic() - start
        if now >= seconds:
            break
        try:
            b = c.recv(1 << 20)
        except socket.timeout:
            continue
        if not b:
            break
        per[int(now)] += len(b)
    c.close()
    print(json.dumps({"per_s": per}))


def main(a):
    if a[0] == "pgm-send":
        pgm_send(a[1], int(a[2]), a[3], float(a[4]), int(a[5]), "--pgmcc" in a)
    elif a[0] == "pgm-recv":
        pgm_recv(a[1], int(a[2]), a[3], float(a[4]), "--pgmcc" in a)
    elif a[0] == "tcp-send":
        tcp_send(a[1], int(a[2]), float(a[3]))
    elif a[0] == "tcp-recv":
        tcp_recv(a[1], int(a[2]), float(a[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
