"""Tests/interop/stream.py - stream.h's deterministic message stream, for
the Python tests (soak-check.py, Tests/kernel/ne_test.py)."""


def stream_message(i, max_len=9000):
    """stream.h's stream_message(): message i of the stream, at most max_len bytes."""
    s = (i * 2654435761 + 7) & 0xFFFFFFFF

    def rnd():
        nonlocal s
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        return s >> 8

    if i % 5 == 4:
        n = 2000 + rnd() % 7001
    else:
        n = 1 + rnd() % 1400
    n = min(n, max_len)
    return bytes(rnd() & 0xFF for _ in range(n))
