#!/usr/bin/env python3
"""Tests/interop/soak-check.py - what a PGM source put on the wire and what
its receivers delivered, against the deterministic stream of stream.h.

    soak-check.py COUNT CAPTURE.pcapng|- [RECORDS...]

CAPTURE ("-": none) is a pcapng of native PGM (IP protocol 113) on Ethernet
interfaces, as Tests/interop/soak.sh takes it in the switch namespace
(p-src: everything the source sent; p-rN: what reached receiver N).
Every ODATA and RDATA is checked, per interface: its PGM checksum, and
its payload and OPT_FRAGMENT against what stream.h says the source must
send at that sequence number (the sqn of message 0 is the lowest data sqn
seen; the fragment size is learnt from the capture).  Each RECORDS file
(a receiver's stdout: 4-byte big-endian length, then the bytes) is aligned
with the stream: messages delivered in order, missing ones (as runs),
duplicates, and messages equal to no message of the stream (altered
data); also the count of positions where record i is not message i, the
measure a plain positional comparison gives.  Exit status 1 when the
source sent a wrong payload or a receiver delivered a message that is not
in the stream, or out of order.
"""
import bisect
import hashlib
import re
import struct
import sys
from array import array


from stream import stream_message  # noqa: E402 - beside this file


def pcapng_packets(path):
    """(interface name, packet bytes) for each enhanced packet block."""
    data = open(path, "rb").read()
    pos, names, endian = 0, [], "<"
    while pos + 12 <= len(data):
        btype = struct.unpack_from(endian + "I", data, pos)[0]
        if btype == 0x0A0D0D0A:
            bom = data[pos + 8:pos + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            names = []
        blen = struct.unpack_from(endian + "I", data, pos + 4)[0]
        if blen < 12 or pos + blen > len(data):
            break
        body = data[pos + 8:pos + blen - 4]
        if btype == 1:		# interface description: options for its name
            name, o = "if%d" % len(names), 8
            while o + 4 <= len(body):
                code, olen = struct.unpack_from(endian + "HH", body, o)
                if code == 0:
                    break
                if code == 2:
                    name = body[o + 4:o + 4 + olen].decode(errors="replace").rstrip("\0")
                o += 4 + (olen + 3) // 4 * 4
            names.append(name)
        elif btype == 6:	# enhanced packet
            ifid, _, _, caplen, _ = struct.unpack_from(endian + "IIIII", body, 0)
            yield names[ifid] if ifid < len(names) else "if%d" % ifid, body[20:20 + caplen]
        pos += blen


def csum_ok(pgm):
    b = pgm if len(pgm) % 2 == 0 else pgm + b"\0"
    s = sum(array("H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s == 0xFFFF or struct.unpack_from("!H", pgm, 6)[0] == 0


TYPES = {0: "SPM", 4: "ODATA", 5: "RDATA", 8: "NAK", 9: "NNAK", 10: "NCF", 12: "SPMR"}


def parse(pkt):
    """A PGM packet from an Ethernet frame, IPv4 or IPv6 (no extension
    header, so no fragment): dict or None."""
    if len(pkt) >= 54 and pkt[12:14] == b"\x86\xdd":
        ip = pkt[14:]
        if ip[6] != 113:
            return None
        pgm = ip[40:40 + struct.unpack_from("!H", ip, 4)[0]]
    elif len(pkt) >= 34 and pkt[12:14] == b"\x08\x00":
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack_from("!H", ip, 2)[0]
        if ip[9] != 113 or struct.unpack_from("!H", ip, 6)[0] & 0x3FFF:
            return None
        pgm = ip[ihl:tot]
    else:
        return None
    sport, dport, typ, opts, _ck = struct.unpack_from("!HHBBH", pgm, 0)
    tsdu = struct.unpack_from("!H", pgm, 14)[0]
    r = {"type": TYPES.get(typ, str(typ)), "gsi": pgm[8:14].hex(), "sport": sport,
         "dport": dport, "csum": csum_ok(pgm)}
    if typ in (4, 5):
        r["sqn"], r["trail"] = struct.unpack_from("!II", pgm, 16)
        r["payload"] = pgm[len(pgm) - tsdu:]
        if opts & 1:
            o = 24 + 4		# past OPT_LENGTH
            while o + 2 <= len(pgm) - tsdu:
                otype, olen = pgm[o], pgm[o + 1]
                if otype & 0x7F == 1 and olen >= 16:
                    r["frag"] = struct.unpack_from("!III", pgm, o + 4)
                if otype & 0x80 or olen == 0:
                    break
                o += olen
    elif typ in (8, 9, 10):
        r["sqn"] = struct.unpack_from("!I", pgm, 16)[0]
        r["list"] = []
        afi = struct.unpack_from("!H", pgm, 20)[0]
        if opts & 1 and afi in (1, 2):	# NLAs of IPv4 or IPv6
            o = 20 + 2 * (4 + (4 if afi == 1 else 16)) + 4		# past OPT_LENGTH
            while o + 4 <= len(pgm):
                otype, olen = pgm[o], pgm[o + 1]
                if otype & 0x7F == 2:		# OPT_NAK_LIST
                    r["list"] = [struct.unpack_from("!I", pgm, k)[0] for k in range(o + 4, o + olen, 4)]
                if otype & 0x80 or olen == 0:
                    break
                o += olen
    return r


def read_records(path):
    b = open(path, "rb").read()
    out, i = [], 0
    while i + 4 <= len(b):
        n = int.from_bytes(b[i:i + 4], "big")
        out.append(b[i + 4:i + 4 + n])
        i += 4 + n
    return out


def runs(idx):
    """[3, 4, 5, 9] -> '3-5, 9'"""
    out, k = [], 0
    while k < len(idx):
        j = k
        while j + 1 < len(idx) and idx[j + 1] == idx[j] + 1:
            j += 1
        out.append(str(idx[k]) if j == k else "%d-%d" % (idx[k], idx[j]))
        k = j + 1
    return ", ".join(out)


def main():
    count, cap = int(sys.argv[1]), sys.argv[2]
    msgs = [stream_message(i) for i in range(count)]
    bad = 0
    pkts = [] if cap == "-" else [(ifn, p) for ifn, raw in pcapng_packets(cap) if (p := parse(raw))]
    data = [(ifn, p) for ifn, p in pkts if p["type"] in ("ODATA", "RDATA")]
    if cap != "-":
        print("capture %s: %d PGM packets, %d ODATA/RDATA" % (cap, len(pkts), len(data)))
    s0 = sqn = 0
    starts = []
    if data:
        # The first sqn of the stream: its ODATA may have been lost before
        # the capture (netem on the source's side), its RDATA not.
        s0 = min(p["sqn"] for _, p in data)
        frags = [p for _, p in data if "frag" in p and p["frag"][1] == 0]
        max_frag = max((len(p["payload"]) for p in frags), default=0)
        # stream.h's layout at the source: one sqn per APDU that fits a
        # packet, ceil(len / max_frag) for the others.
        starts, sqn = [], s0
        for m in msgs:
            starts.append(sqn)
            n = 1 if not max_frag or len(m) <= max_frag + 16 else -(-len(m) // max_frag)
            sqn += n
        print("  message 0 at sqn %d, fragments of %d bytes, stream ends at sqn %d" % (s0, max_frag, sqn - 1))
        per = {}
        for ifn, p in data:
            st = per.setdefault(ifn, {"ODATA": 0, "RDATA": 0, "bad_csum": 0, "wrong": 0, "beyond": 0,
                                      "sqns": set(), "examples": []})
            st[p["type"]] += 1
            st["sqns"].add(p["sqn"])
            if not p["csum"]:
                st["bad_csum"] += 1
            d = (p["sqn"] - s0) & 0xFFFFFFFF
            if d >= sqn - s0:
                st["beyond"] += 1
                continue
            i = bisect.bisect_right(starts, p["sqn"]) - 1
            k = p["sqn"] - starts[i]
            m = msgs[i]
            if "frag" in p:
                want = m[k * max_frag:(k + 1) * max_frag]
                ok = p["frag"] == (starts[i], k * max_frag, len(m))
            else:
                want, ok = m, k == 0
            if not ok or p["payload"] != want:
                st["wrong"] += 1
                if len(st["examples"]) < 5:
                    st["examples"].append("%s sqn %d (message %d fragment %d): %d bytes%s, want %d" % (
                        p["type"], p["sqn"], i, k, len(p["payload"]),
                        " frag %s" % (p["frag"],) if "frag" in p else "", len(want)))
        for ifn in sorted(per):
            st = per[ifn]
            print("  %s: ODATA %d, RDATA %d, distinct data sqns %d of %d; bad checksum %d, "
                  "payload or OPT_FRAGMENT not the stream's %d, beyond the stream %d" % (
                      ifn, st["ODATA"], st["RDATA"], len(st["sqns"]), sqn - s0, st["bad_csum"],
                      st["wrong"], st["beyond"]))
            for e in st["examples"]:
                print("    " + e)
            bad += st["wrong"] + st["bad_csum"]
        others = {}
        for ifn, p in pkts:
            if p["type"] not in ("ODATA", "RDATA"):
                others[(ifn, p["type"])] = others.get((ifn, p["type"]), 0) + 1
        print("  other packets: " + ", ".join("%s %s %d" % (a, b, n) for (a, b), n in sorted(others.items())))
    index = {}
    for i, m in enumerate(msgs):
        index.setdefault(hashlib.sha1(m).digest(), []).append(i)
    for path in sys.argv[3:]:
        recs = read_records(path)
        j, missing, dup, foreign, back = 0, [], 0, [], 0
        seen = set()
        for r in recs:
            cands = index.get(hashlib.sha1(r).digest(), [])
            ahead = [c for c in cands if c >= j]
            if ahead:
                k = ahead[0]
                missing.extend(range(j, k))
                seen.add(k)
                j = k + 1
            elif cands:
                if any(c in seen for c in cands):
                    dup += 1
                else:
                    back += 1
            else:
                foreign.append((len(seen) + dup + back + len(foreign), len(r)))
        tail = list(range(j, count))
        positional = sum(1 for i, r in enumerate(recs) if i >= count or r != msgs[i])
        print("%s: %d records; in order %d, missing %d [%s], missing at the end %d, duplicates %d, "
              "out of order %d, in no message of the stream %d%s; positional mismatches %d" % (
                  path, len(recs), len(seen), len(missing), runs(missing), len(tail), dup, back,
                  len(foreign), (" (record, bytes): %s" % foreign[:10]) if foreign else "", positional))
        # A receiver's file runN-rM.recv goes with the capture's p-rM: what
        # reached that receiver of each message it did not deliver.
        m = re.search(r"-(r[0-9]+)\.recv$", path)
        if data and m and missing:
            ifn = "p-" + m.group(1)
            for i in missing[:20]:
                sq = set(range(starts[i], starts[i + 1] if i + 1 < count else sqn))
                seen_pk = [p for f, p in pkts if f == ifn and
                           (p.get("sqn") in sq or sq & set(p.get("list", ())))]
                print("    message %d (sqn +%d..+%d): at %s ODATA %d, RDATA %d, NAKs %d, NCFs %d (lists included)" % (
                    i, min(sq) - s0, max(sq) - s0, ifn,
                    sum(p["type"] == "ODATA" for p in seen_pk), sum(p["type"] == "RDATA" for p in seen_pk),
                    sum(p["type"] == "NAK" for p in seen_pk), sum(p["type"] == "NCF" for p in seen_pk)))
        bad += len(foreign) + back
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
