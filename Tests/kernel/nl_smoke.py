#!/usr/bin/env python3
"""Tests/kernel/nl_smoke.py - the pgm generic-netlink family seen from a
second, independent client (Python's socket module, no libmnl): the family
resolves, defaults-get answers every tunable, defaults-set changes what a
new socket gets, bad requests are refused with the kernel's extack text,
stats-get and the socket dump agree with getsockopt, only CAP_NET_ADMIN
joins the events group, IPv6 sockets, sessions and events carry their
16-byte addresses, PGMCC's attributes in the peer dump and, for a source,
in the socket dump, a confirming source's receivers and CONFIRMED in the
socket dump, the confirm-receiver dump, and its receiver-join and
receiver-leave events.  Run in the VM with
pgm.ko loaded.  Ends with "nl-smoke: N passed, N failed"."""
import os
import socket
import struct
import sys
import time

import yaml

from genl import (NETLINK_ADD_MEMBERSHIP, NETLINK_GENERIC, NLM_F_DUMP, SOL_NETLINK, Checks, Genl, attr, csum,
                  parse_attrs, u32)

CMD_DEFAULTS_GET, CMD_DEFAULTS_SET, CMD_STATS_GET, CMD_SOCK_GET = 1, 2, 3, 4
A_TXW_SQNS, A_RXW_SQNS, A_TXW_SECS_MS, A_IHB_MIN = 1, 20, 2, 5
check = Checks()


nl = Genl()
fam = nl.family("pgm")
check("family pgm resolves", fam is not None)
if fam is None:
    sys.exit(check.summary("nl-smoke") or 1)

r, err, _ = nl.request(fam, CMD_DEFAULTS_GET)
d = {k: struct.unpack("=I", v)[0] for k, v in r[0].items()} if r else {}
# The spec is the reference: every attribute of its defaults set, each with
# the default the spec gives it (a tunable added to pgm.yaml is covered here).
SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../kernel/pgm.yaml")
with open(SPEC) as f:
    spec_defaults = {a["value"]: a["default"] for s in yaml.safe_load(f)["attribute-sets"]
                     if s["name"] == "defaults" for a in s["attributes"]}
differ = {k: (d.get(k), spec_defaults.get(k)) for k in set(d) | set(spec_defaults)
          if d.get(k) != spec_defaults.get(k)}
check(f"defaults-get answers the spec's {len(spec_defaults)} defaults with their built-in values",
      err == 0 and len(spec_defaults) > 20 and not differ, f"{err} (kernel, spec) differ: {differ}")

# UDP encapsulation ports (PGM_UDP_ENCAP_UCAST_PORT/MCAST_PORT, 61 and 62):
# a netns default is what a new socket takes; 0 is refused.
_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(61, u32(4055)) + attr(62, u32(4056)))
s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
got = struct.unpack("=I", s.getsockopt(113, 61, 4))[0], struct.unpack("=I", s.getsockopt(113, 62, 4))[0]
s.close()
check("defaults-set udp-encap ports: a new socket takes them", err == 0 and got == (4055, 4056), f"{err} {got}")
_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(61, u32(0)))
check("defaults-set udp-encap-ucast-port 0 is refused", err == -22 or err == -34, f"{err}")
_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(61, u32(3055)) + attr(62, u32(3056)))
check("udp-encap ports restored", err == 0, f"{err}")

_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(A_TXW_SQNS, u32(4096)) + attr(A_RXW_SQNS, u32(1000)))
s = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
got = struct.unpack("=I", s.getsockopt(113, 1, 4))[0], struct.unpack("=I", s.getsockopt(113, 20, 4))[0]
check("defaults-set: a new socket takes the new defaults", err == 0 and got == (4096, 1000), f"{err} {got}")

cases = [
    ("out of range (policy)", attr(A_TXW_SQNS, u32(0)), "integer out of range"),
    ("below the minimum of a zero-means-off tunable", attr(A_TXW_SECS_MS, u32(0)) + attr(3, u32(0)) + attr(10, u32(100)),
     "txw-bytes must be 0 (off) or 576-4294967295"),
    ("unknown attribute (a gap)", attr(9, u32(1)), None),
    ("unknown attribute (beyond the last)", attr(51, u32(1)), None),
    ("wrong type (u16 for u32)", struct.pack("=HHH", 6, A_TXW_SQNS, 7) + b"\0\0", None),
    ("ihb-min above ihb-max", attr(A_IHB_MIN, u32(2000000)), "ihb-min must not exceed ihb-max"),
    ("empty set", b"", "no default to set"),
]
for name, attrs, want in cases:
    _, err, msg = nl.request(fam, CMD_DEFAULTS_SET, attrs)
    check(f"defaults-set refuses {name}: {msg}", err in (-22, -34) and msg is not None and (want is None or msg == want),
          f"err {err} msg {msg!r}")
r, err, _ = nl.request(fam, CMD_DEFAULTS_GET)
d2 = {k: struct.unpack("=I", v)[0] for k, v in r[0].items()} if r else {}
check("a refused set changes nothing", d2.get(A_TXW_SQNS) == 4096 and d2.get(2) == 0 and d2.get(A_IHB_MIN) == 50000, f"{d2}")

r, err, msg = nl.request(fam, CMD_DEFAULTS_GET, attr(1, u32(1)))
check(f"defaults-get refuses attributes: {msg}", err == -22, f"{err}")

# Without CAP_NET_ADMIN: drop to nobody in a child.
pid = os.fork()
if pid == 0:
    os.setgid(65534)
    os.setuid(65534)
    n2 = Genl()
    _, e1, _ = n2.request(fam, CMD_DEFAULTS_SET, attr(A_TXW_SQNS, u32(100)))
    r2, e2, _ = n2.request(fam, CMD_DEFAULTS_GET)
    os._exit(0 if e1 == -1 and e2 == 0 and r2 else 1)
_, st = os.waitpid(pid, 0)
check("without CAP_NET_ADMIN: set is EPERM, get works", os.waitstatus_to_exitcode(st) == 0)

# The events group follows every user's sessions live: joining it needs
# CAP_NET_ADMIN over the netns (GENL_MCAST_CAP_NET_ADMIN).
events_grp = nl.groups.get("events")
try:
    j = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    j.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, events_grp)
    j.close()
    root_join = True
except (OSError, TypeError) as e:
    root_join = e
check("root joins the events group", events_grp is not None and root_join is True, f"{events_grp} {root_join}")
pid = os.fork()
if pid == 0:
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
    j = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    try:
        j.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, events_grp)
        os._exit(1)
    except PermissionError:
        os._exit(0)
    except OSError:
        os._exit(2)
_, st = os.waitpid(pid, 0)
check("without CAP_NET_ADMIN: joining the events group is EPERM", os.waitstatus_to_exitcode(st) == 0,
      f"exit {os.waitstatus_to_exitcode(st)}")

r, err, _ = nl.request(fam, CMD_STATS_GET)
stats = {k: struct.unpack("=Q", v)[0] for k, v in r[0].items() if k != 1} if r else {}
check("stats-get counts our sockets", err == 0 and stats.get(10) == 1, f"{stats}")

many = [socket.socket(socket.AF_INET, socket.SOCK_RDM, 113) for _ in range(300)]
r, err, _ = nl.request(fam, CMD_SOCK_GET, flags=NLM_F_DUMP)
inodes = {struct.unpack("=I", a[2])[0] for a in r}
want = {os.fstat(x.fileno()).st_ino for x in many + [s]}
check(f"socket dump pages through {len(want)} sockets", err == 0 and inodes == want, f"{len(r)} {len(inodes)}")
for x in many:
    x.close()


# Peer dump: 600 sessions heard by one receiver (ODATA from 600 source
# ports, injected with a raw socket), paged over several messages.  They
# all come from 127.0.0.1: rx-sessions-source (256) is raised meanwhile.
CMD_PEER_GET, A_PEER_SOCKET_INODE, A_PEER_TSI = 5, 2, 3
A_RX_SESSIONS_SOURCE = 77
_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(A_RX_SESSIONS_SOURCE, u32(1024)))
check("defaults-set rx-sessions-source 1024", err == 0, f"{err}")


rcv = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
rcv.bind(("0.0.0.0", 7600))
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, 113)
gsi = bytes([9, 8, 7, 6, 5, 4])
for sport in range(20000, 20600):
    payload = b"hi"
    hdr = struct.pack("!HHBBH6sH", sport, 7600, 0x04, 0, 0, gsi, len(payload)) + struct.pack("!II", 1, 1)
    pkt = bytearray(hdr + payload)
    struct.pack_into("!H", pkt, 6, csum(bytes(pkt)))
    raw.sendto(bytes(pkt), ("127.0.0.1", 0))
# The input path runs in softirq, maybe later in ksoftirqd (the debug kernel
# falls behind the sender): wait until the receiver knows every session.
RSTATS = "=12Q2I5Q"
for _ in range(3000):
    peers = struct.unpack(RSTATS, rcv.getsockopt(113, 41, struct.calcsize(RSTATS)))[12]
    if peers >= 600:
        break
    time.sleep(0.01)
rino = os.fstat(rcv.fileno()).st_ino
r, err, msg = nl.request(fam, CMD_PEER_GET, attr(A_PEER_SOCKET_INODE, u32(rino)), flags=NLM_F_DUMP)
tsis = {a[A_PEER_TSI] for a in r}
check(f"peer dump pages through {len(tsis)} sessions of one receiver",
      err == 0 and len(tsis) == 600 and all(struct.unpack("=I", a[A_PEER_SOCKET_INODE])[0] == rino for a in r),
      f"err {err} {msg} {len(r)} messages, {peers} peers")
r, err, msg = nl.request(fam, CMD_PEER_GET, attr(A_PEER_SOCKET_INODE, u32(os.fstat(s.fileno()).st_ino)),
                         flags=NLM_F_DUMP)
check(f"peer dump of a socket that is not a receiver: {msg}", err == -2 and msg == "that socket is not a PGM receiver",
      f"{err} {msg}")
rcv.close()
_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(A_RX_SESSIONS_SOURCE, u32(256)))
check("rx-sessions-source restored", err == 0, f"{err}")

# PGMCC (draft-ietf-rmt-bb-pgmcc-03) in the peer dump: a receiver with
# PGM_PGMCC (34) ACKs the three ODATA that name 127.0.0.1, its own address,
# the acker; the session shows pgmcc-loss-rate 0 and acks-sent 3.  A session
# whose data has no OPT_PGMCC_DATA shows no loss rate and acks-sent 0.
A_PEER_PGMCC_LOSS_RATE, A_PEER_ACKS_SENT = 23, 24
rcv = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
rcv.setsockopt(113, 34, 1)
rcv.bind(("0.0.0.0", 7602))


def send_pkt(ptype, opts, sport, body, payload=b""):
    hdr = struct.pack("!HHBBH6sH", sport, 7602, ptype, opts, 0, gsi, len(payload))
    pkt = bytearray(hdr + body + payload)
    struct.pack_into("!H", pkt, 6, csum(bytes(pkt)))
    raw.sendto(bytes(pkt), ("127.0.0.1", 0))


lo = socket.inet_aton("127.0.0.1")
for sport in (22000, 22001):
    send_pkt(0x00, 0, sport, struct.pack("!IIIHH4s", 0, 10, 9, 1, 0, lo))  # SPM, NLA 127.0.0.1
    for sqn in (10, 11, 12):
        if sport == 22000:
            opt = struct.pack("!BBHBBHIHH4s", 0x00, 4, 20, 0x92, 16, 0, 7, 1, 0, lo)
            send_pkt(0x04, 0x01, sport, struct.pack("!II", sqn, 10) + opt, b"cc")
        else:
            send_pkt(0x04, 0, sport, struct.pack("!II", sqn, 10), b"cc")
for _ in range(500):
    rs = struct.unpack(RSTATS, rcv.getsockopt(113, 41, struct.calcsize(RSTATS)))
    if rs[2] >= 6:  # odata_received
        break
    time.sleep(0.01)
r, err, msg = nl.request(fam, CMD_PEER_GET, attr(A_PEER_SOCKET_INODE, u32(os.fstat(rcv.fileno()).st_ino)),
                         flags=NLM_F_DUMP)
byport = {struct.unpack("!H", a[A_PEER_TSI][6:8])[0]: a for a in r}
cc, plain = byport.get(22000, {}), byport.get(22001, {})
got = (cc.get(A_PEER_PGMCC_LOSS_RATE), cc.get(A_PEER_ACKS_SENT), plain.get(A_PEER_PGMCC_LOSS_RATE),
       plain.get(A_PEER_ACKS_SENT))
check("peer dump: PGMCC's loss rate and ACKs of a session whose data names us the acker; none without",
      err == 0 and got[0] == u32(0) and got[1] == struct.pack("=Q", 3) and got[2] is None
      and got[3] == struct.pack("=Q", 0), f"err {err} {msg} {got}")
rcv.close()

# PGMCC at the source in the socket dump: a source with PGM_PGMCC (34)
# shows pgmcc-window 65536 (W = one packet) right after connect(), the RTT
# and loss rate 0, and no pgmcc-acker (none elected before data); its
# getsockopt(PGM_SOURCE_STATS) says the same (cc_window 65536, cc_acker all
# zero).  A source without PGMCC has no pgmcc-window.  Both in this netns,
# whose dummy0 has the multicast route (suite.sh).
A_SOCK_INO = 2
A_SOCK_PGMCC_ACKER, A_SOCK_PGMCC_ACKER6, A_SOCK_PGMCC_WINDOW = 30, 31, 32
A_SOCK_PGMCC_RTT_US, A_SOCK_PGMCC_LOSS_RATE = 33, 34
SSTATS = "=11Q2I8Q5QQ8QIiII16s"
ccsrc = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
ccsrc.setsockopt(113, 34, 1)
ccsrc.connect(("239.192.0.98", 7603))
plainsrc = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
plainsrc.connect(("239.192.0.98", 7604))
r, err, msg = nl.request(fam, CMD_SOCK_GET, flags=NLM_F_DUMP)
by_ino = {struct.unpack("=I", a[A_SOCK_INO])[0]: a for a in r if A_SOCK_INO in a}
ca = by_ino.get(os.fstat(ccsrc.fileno()).st_ino, {})
pa = by_ino.get(os.fstat(plainsrc.fileno()).st_ino, {})
cst = struct.unpack(SSTATS, ccsrc.getsockopt(113, 40, struct.calcsize(SSTATS)))
pst = struct.unpack(SSTATS, plainsrc.getsockopt(113, 40, struct.calcsize(SSTATS)))
got = {k: ca.get(k) for k in (A_SOCK_PGMCC_WINDOW, A_SOCK_PGMCC_RTT_US, A_SOCK_PGMCC_LOSS_RATE)}
check("socket dump: a PGMCC source right after connect() has pgmcc-window 65536, RTT and loss 0, no pgmcc-acker",
      err == 0 and got == {A_SOCK_PGMCC_WINDOW: u32(65536), A_SOCK_PGMCC_RTT_US: u32(0),
                           A_SOCK_PGMCC_LOSS_RATE: u32(0)}
      and A_SOCK_PGMCC_ACKER not in ca and A_SOCK_PGMCC_ACKER6 not in ca, f"err {err} {msg} {got} {ca}")
check("getsockopt(PGM_SOURCE_STATS) of that source: cc_window 65536, no acker, PGMCC's counters 0",
      cst[-5] == 65536 and cst[-1] == bytes(16) and cst[-3] == 0 and cst[-2] == 0 and not any(cst[27:35]),
      f"{cst}")
check("socket dump: a source without PGMCC has no pgmcc-window (nor any PGMCC attribute), cc_window 0",
      pa and not {A_SOCK_PGMCC_ACKER, A_SOCK_PGMCC_ACKER6, A_SOCK_PGMCC_WINDOW, A_SOCK_PGMCC_RTT_US,
                  A_SOCK_PGMCC_LOSS_RATE} & set(pa) and pst[-5] == 0, f"{pa} {pst}")
ccsrc.close()
plainsrc.close()

# Confirmed delivery (docs/confirmed-delivery.md): a source with PGM_CONFIRM
# (35) shows confirm-receivers 0 and no confirmed-sqn; an ACK with
# OPT_CONFIRM (0x21) from 127.0.0.1, RECEIVER ID 0x1234, confirming the
# lead (PGM_TXW_LEAD, 46) adds a receiver: the socket dump has 1 and the
# lead, the confirm-receiver dump (15) that receiver, its address, id,
# CONFIRMED and idle time; the dump of a socket that is not a source fails
# with ENOENT and says so.
A_SOCK_CONFIRM_RECEIVERS, A_SOCK_CONFIRMED_SQN = 35, 36
CMD_CONFIRM_RECEIVER_GET = 15
A_CR_INODE, A_CR_ADDRESS, A_CR_ADDRESS6, A_CR_ID, A_CR_CONFIRMED, A_CR_IDLE = 1, 2, 3, 4, 5, 6
cfsrc = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
cfsrc.setsockopt(113, 35, 1)
cfsrc.connect(("239.192.0.98", 7607))
cino = os.fstat(cfsrc.fileno()).st_ino
lead = struct.unpack("=I", cfsrc.getsockopt(113, 46, 4))[0]
tsi = cfsrc.getsockopt(113, 43, 8)
r, err, msg = nl.request(fam, CMD_SOCK_GET, flags=NLM_F_DUMP)
ca = {struct.unpack("=I", a[A_SOCK_INO])[0]: a for a in r if A_SOCK_INO in a}.get(cino, {})
check("socket dump: a confirming source before any ACK: confirm-receivers 0, no confirmed-sqn",
      err == 0 and ca.get(A_SOCK_CONFIRM_RECEIVERS) == u32(0) and A_SOCK_CONFIRMED_SQN not in ca, f"{err} {ca}")
opt = struct.pack("!BBHBBBBII", 0x00, 4, 16, 0xA1, 12, 0, 0x01, lead, 0x1234)
hdr = struct.pack("!HHBBH6sH", 7607, struct.unpack("!H", tsi[6:8])[0], 0x0D, 0x01, 0, tsi[:6], 0)
pkt = bytearray(hdr + struct.pack("!II", lead, 0) + opt)
struct.pack_into("!H", pkt, 6, csum(bytes(pkt)))
raw.sendto(bytes(pkt), ("127.0.0.1", 0))
for _ in range(200):
    c = struct.unpack("=IIQII", cfsrc.getsockopt(113, 39, 24))
    if c[1] == 1:
        break
    time.sleep(0.01)
r, err, msg = nl.request(fam, CMD_SOCK_GET, flags=NLM_F_DUMP)
ca = {struct.unpack("=I", a[A_SOCK_INO])[0]: a for a in r if A_SOCK_INO in a}.get(cino, {})
check("socket dump: after one confirming ACK, confirm-receivers 1 and confirmed-sqn the lead",
      ca.get(A_SOCK_CONFIRM_RECEIVERS) == u32(1) and ca.get(A_SOCK_CONFIRMED_SQN) == u32(lead), f"{ca} {c}")
r, err, msg = nl.request(fam, CMD_CONFIRM_RECEIVER_GET, attr(A_CR_INODE, u32(cino)), flags=NLM_F_DUMP)
cr = r[0] if r else {}
check("confirm-receiver dump: that receiver, 127.0.0.1, id 0x1234, CONFIRMED the lead, idle under 5 s",
      err == 0 and len(r) == 1 and cr.get(A_CR_INODE) == u32(cino) and cr.get(A_CR_ADDRESS) == lo
      and cr.get(A_CR_ID) == u32(0x1234) and cr.get(A_CR_CONFIRMED) == u32(lead)
      and struct.unpack("=I", cr.get(A_CR_IDLE, u32(99999)))[0] < 5000 and A_CR_ADDRESS6 not in cr,
      f"{err} {msg} {r}")
rcv = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
rcv.bind(("0.0.0.0", 7608))
r, err, msg = nl.request(fam, CMD_CONFIRM_RECEIVER_GET, attr(A_CR_INODE, u32(os.fstat(rcv.fileno()).st_ino)),
                         flags=NLM_F_DUMP)
check(f"confirm-receiver dump of a receiver socket: ENOENT, {msg}", err == -2 and "not a PGM source" in (msg or ""),
      f"{err} {msg}")
rcv.close()
cfsrc.close()

# Receivers' limits (pgm(7) LIMITS): with rx-sessions 2, a receiver keeps two
# sessions and refuses, and counts, the third; rx-mem has a floor.
A_RX_SESSIONS, A_RX_MEM = 63, 65
_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(A_RX_SESSIONS, u32(2)))
check("defaults-set rx-sessions 2", err == 0, f"{err}")
_, e0, m0 = nl.request(fam, CMD_DEFAULTS_SET, attr(A_RX_MEM, u32(4096)))
check(f"defaults-set rx-mem below its floor is refused: {m0}", e0 in (-22, -34), f"{e0}")
r, _, _ = nl.request(fam, CMD_STATS_GET)
before = struct.unpack("=Q", r[0][11])[0] if r and 11 in r[0] else None
rcv = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
rcv.bind(("0.0.0.0", 7601))
for sport in range(21000, 21003):
    hdr = struct.pack("!HHBBH6sH", sport, 7601, 0x04, 0, 0, gsi, 2) + struct.pack("!II", 1, 1)
    pkt = bytearray(hdr + b"hi")
    struct.pack_into("!H", pkt, 6, csum(bytes(pkt)))
    raw.sendto(bytes(pkt), ("127.0.0.1", 0))
rf = RSTATS
for _ in range(500):
    rs = struct.unpack(rf, rcv.getsockopt(113, 41, struct.calcsize(rf)))
    if rs[12] + rs[14] >= 3:
        break
    time.sleep(0.01)
r, _, _ = nl.request(fam, CMD_STATS_GET)
after = struct.unpack("=Q", r[0][11])[0] if r and 11 in r[0] else None
check("rx-sessions 2: two sessions kept, the third refused and counted",
      rs[12] == 2 and rs[14] == 1 and before is not None and after == before + 1, f"{rs} {before} {after}")
rcv.close()
raw.close()
_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(A_RX_SESSIONS, u32(1024)))
check("rx-sessions restored", err == 0, f"{err}")

# IPv6 (issue #20 step 4): an AF_INET6 receiver and source are dumped with
# family 10 and their 16-byte addresses (addr6, group6), without the IPv4
# attributes; the receiver's session has source6, group6 and, after an SPM,
# nla6; session-start events carry group6 and source6.  In a child in a
# netns of its own with dummy0 (as sock6_test's netns_dummy6()); it sends
# its results back over a pipe.
A_SOCK_INODE, A_SOCK_ADDR, A_SOCK_GROUP = 2, 8, 9
A_SOCK_FAMILY, A_SOCK_ADDR6, A_SOCK_GROUP6 = 27, 28, 29
# Confirmed delivery at the source in the socket dump and the events
# group: a source with PGM_CONFIRM (35) is dumped with confirm-receivers 0
# and no confirmed-sqn before anyone confirms, and its PGM_SOURCE_STATS and
# PGM_CONFIRMED (39) agree; a plain source has neither attribute.  A
# receiver with PGM_CONFIRM on dummy0 (10.98.0.1, the multicast copy looped
# back) joins: a receiver-join event (cmd 12) with receiver 10.98.0.1, its
# id and CONFIRMED, and the dump then shows one receiver and confirmed-sqn
# at the source's lead (PGM_TXW_LEAD, 46) once the data is confirmed; the
# receiver's close says BYE: a receiver-leave event (13) with the same id
# and reason 1 (bye), and the dump no receiver and no confirmed-sqn.
A_SOCK_CONFIRM_RECEIVERS, A_SOCK_CONFIRMED_SQN = 35, 36
CMD_RECEIVER_JOIN_NTF, CMD_RECEIVER_LEAVE_NTF = 12, 13
A_EV_INODE, A_EV_REASON, A_EV_RECEIVER, A_EV_RECEIVER6, A_EV_RECEIVER_ID, A_EV_CONFIRMED_SQN = 2, 11, 22, 23, 24, 25
CSTATS = SSTATS + "10Q4I"
cev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
cev.bind((0, 0))
cev.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, events_grp)
cev.settimeout(5)
cfsrc = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
cfsrc.setsockopt(113, 35, 1)
cfsrc.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton("10.98.0.1"))
cfsrc.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 1)
cfplain = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
cfplain.connect(("239.192.0.97", 7606))
cfrcv = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
cfrcv.setsockopt(113, 35, 20)  # ACK every 20 ms
cfrcv.bind(("239.192.0.97", 7605))
cfrcv.setsockopt(113, 29, socket.inet_aton("239.192.0.97") + socket.inet_aton("10.98.0.1") + struct.pack("=i", 0))
sino = os.fstat(cfsrc.fileno()).st_ino


def sock_attrs(sock):
    r, err, msg = nl.request(fam, CMD_SOCK_GET, flags=NLM_F_DUMP)
    return {struct.unpack("=I", a[A_SOCK_INO])[0]: a for a in r if A_SOCK_INO in a}.get(
        os.fstat(sock.fileno()).st_ino, {}), err


def confirm_events(want):
    got = []
    try:
        while len(got) < want:
            data = cev.recv(65536)
            while len(data) >= 20:
                n, typ, _, _, _ = struct.unpack_from("=IHHII", data)
                if typ == fam and data[16] in (CMD_RECEIVER_JOIN_NTF, CMD_RECEIVER_LEAVE_NTF):
                    a = parse_attrs(data[20:n])
                    if struct.unpack("=I", a.get(A_EV_INODE, b"\0\0\0\0"))[0] == sino:
                        got.append((data[16], a))
                data = data[(n + 3) & ~3:]
    except socket.timeout:
        pass
    return got


# connect() after the receiver joined: the first SPM gives it a path at once.
cfsrc.connect(("239.192.0.97", 7605))
ca, err = sock_attrs(cfsrc)
pa, _ = sock_attrs(cfplain)
cst = struct.unpack(CSTATS, cfsrc.getsockopt(113, 40, struct.calcsize(CSTATS)))
check("socket dump: a source with PGM_CONFIRM has confirm-receivers, no confirmed-sqn while none is live; "
      "a plain source neither",
      err == 0 and A_SOCK_CONFIRM_RECEIVERS in ca and A_SOCK_CONFIRM_RECEIVERS not in pa
      and A_SOCK_CONFIRMED_SQN not in pa, f"{ca} {pa}")
for i in range(5):
    cfsrc.send(b"confirm me %d" % i)
lead = struct.unpack("=I", cfsrc.getsockopt(113, 46, 4))[0]
joins = confirm_events(1)
ja = joins[0][1] if joins and joins[0][0] == CMD_RECEIVER_JOIN_NTF else {}
check("receiver-join event: the confirming receiver 10.98.0.1 with its id and CONFIRMED",
      ja.get(A_EV_RECEIVER) == socket.inet_aton("10.98.0.1") and A_EV_RECEIVER_ID in ja
      and A_EV_CONFIRMED_SQN in ja and A_EV_RECEIVER6 not in ja, f"{joins}")
conf = None
for _ in range(500):
    conf = struct.unpack("=IIQII", cfsrc.getsockopt(113, 39, 24))  # sqn, receivers, refused, flags, pad
    if conf[3] & 1 and conf[0] == lead:
        break
    time.sleep(0.01)
ca, err = sock_attrs(cfsrc)
cst = struct.unpack(CSTATS, cfsrc.getsockopt(113, 40, struct.calcsize(CSTATS)))
check("PGM_CONFIRMED: one receiver, CONFIRMED at the lead; the dump and PGM_SOURCE_STATS agree",
      conf[3] & 1 and conf[0] == lead and conf[1] == 1 and ca.get(A_SOCK_CONFIRM_RECEIVERS) == u32(1)
      and ca.get(A_SOCK_CONFIRMED_SQN) == u32(lead) and cst[-4] == 1 and cst[-3] == lead and cst[-2] & 1
      and cst[-14] >= 1 and cst[-13] == 1, f"lead {lead} confirmed {conf} dump {ca} stats tail {cst[-14:]}")
rid = ja.get(A_EV_RECEIVER_ID)
cfrcv.close()
leaves = confirm_events(1)
la = leaves[0][1] if leaves and leaves[0][0] == CMD_RECEIVER_LEAVE_NTF else {}
ca, err = sock_attrs(cfsrc)
check("receiver-leave event on the receiver's close: the same id, reason 1 (bye); none left in the dump",
      la.get(A_EV_RECEIVER_ID) == rid and rid is not None and la.get(A_EV_REASON) == u32(1)
      and la.get(A_EV_RECEIVER) == socket.inet_aton("10.98.0.1")
      and ca.get(A_SOCK_CONFIRM_RECEIVERS) == u32(0) and A_SOCK_CONFIRMED_SQN not in ca, f"{leaves} {ca}")
cfsrc.close()
cfplain.close()
cev.close()

A_PEER_SOURCE, A_PEER_GROUP, A_PEER_NLA = 4, 5, 7
A_PEER_SOURCE6, A_PEER_GROUP6, A_PEER_NLA6 = 20, 21, 22
CMD_SESSION_START_NTF = 6
A_EV_SOCKET_INODE, A_EV_SOURCE, A_EV_GROUP, A_EV_SOURCE6, A_EV_GROUP6 = 2, 5, 6, 16, 17
LOCAL6, GROUP6, PORT6 = "fd00:99::1", "ff15::99:1", 7610


def v6_checks():
    import ctypes
    import subprocess
    out = []

    def note(name, cond, detail=""):
        out.append((name, bool(cond), str(detail)))

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(0x40000000) != 0:  # CLONE_NEWNET
        note("IPv6: a netns of our own", False, os.strerror(ctypes.get_errno()))
        return out
    rc = subprocess.run("ip link set lo up && ip link add dummy0 type dummy && "
                        "ip link set dummy0 up multicast on && "
                        f"ip -6 addr add {LOCAL6}/64 dev dummy0 nodad && "
                        "ip -6 route replace ff15::/16 dev dummy0", shell=True).returncode
    note("IPv6: netns with dummy0 and " + LOCAL6, rc == 0, f"ip exit {rc}")
    if rc:
        return out
    g6 = socket.inet_pton(socket.AF_INET6, GROUP6)
    l6 = socket.inet_pton(socket.AF_INET6, LOCAL6)
    ifi = socket.if_nametoindex("dummy0")
    n6 = Genl()
    f6 = n6.family("pgm")
    ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    ev.bind((0, 0))
    ev.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, n6.groups["events"])
    ev.settimeout(2)

    r6 = socket.socket(socket.AF_INET6, socket.SOCK_RDM, 113)
    r6.bind((GROUP6, PORT6, 0, 0))
    r6.setsockopt(113, 29, g6 + struct.pack("=i", ifi))  # PGM_JOIN_GROUP, struct ipv6_mreq
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RDM, 113)
    s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, struct.pack("=i", ifi))
    s6.connect((GROUP6, PORT6, 0, 0))
    s6.send(b"hello over IPv6")
    rino, sino = os.fstat(r6.fileno()).st_ino, os.fstat(s6.fileno()).st_ino

    r, err, _ = n6.request(f6, CMD_SOCK_GET, flags=NLM_F_DUMP)
    by_ino = {struct.unpack("=I", a[A_SOCK_INODE])[0]: a for a in r if A_SOCK_INODE in a}
    ra, sa = by_ino.get(rino, {}), by_ino.get(sino, {})
    fam_of = lambda a: struct.unpack("=I", a[A_SOCK_FAMILY])[0] if A_SOCK_FAMILY in a else None
    note("IPv6 receiver socket dumped with family 10, group6 and addr6 of its group, no IPv4 addresses",
         err == 0 and fam_of(ra) == 10 and ra.get(A_SOCK_GROUP6) == g6 and ra.get(A_SOCK_ADDR6) == g6 and
         A_SOCK_ADDR not in ra and A_SOCK_GROUP not in ra, f"err {err} {ra}")
    note("IPv6 source socket dumped with family 10, group6 and its NLA " + LOCAL6 + " as addr6",
         fam_of(sa) == 10 and sa.get(A_SOCK_GROUP6) == g6 and sa.get(A_SOCK_ADDR6) == l6 and
         A_SOCK_ADDR not in sa and A_SOCK_GROUP not in sa, f"{sa}")
    v4 = socket.socket(socket.AF_INET, socket.SOCK_RDM, 113)
    r, err, _ = n6.request(f6, CMD_SOCK_GET, flags=NLM_F_DUMP)
    va = {struct.unpack("=I", a[A_SOCK_INODE])[0]: a for a in r
          if A_SOCK_INODE in a}.get(os.fstat(v4.fileno()).st_ino, {})
    note("an IPv4 socket is dumped with family 2", fam_of(va) == 2 and A_SOCK_ADDR6 not in va, f"{va}")
    v4.close()

    # The receiver hears the session (ODATA, then a heartbeat SPM gives the NLA).
    pa = {}
    for _ in range(300):
        r, err, _ = n6.request(f6, CMD_PEER_GET, attr(A_PEER_SOCKET_INODE, u32(rino)), flags=NLM_F_DUMP)
        pa = r[0] if err == 0 and r else {}
        if A_PEER_NLA6 in pa:
            break
        time.sleep(0.01)
    note("IPv6 session dumped with source6 and nla6 " + LOCAL6 + " and group6, no IPv4 addresses",
         pa.get(A_PEER_SOURCE6) == l6 and pa.get(A_PEER_GROUP6) == g6 and pa.get(A_PEER_NLA6) == l6 and
         not {A_PEER_SOURCE, A_PEER_GROUP, A_PEER_NLA} & set(pa), f"{pa}")

    starts = {}
    try:
        while len(starts) < 2:
            data = ev.recv(65536)
            while len(data) >= 16:
                n, typ, _, _, _ = struct.unpack_from("=IHHII", data)
                if typ == f6 and data[16] == CMD_SESSION_START_NTF:
                    a = parse_attrs(data[20:n])
                    starts[struct.unpack("=I", a[A_EV_SOCKET_INODE])[0]] = a
                data = data[(n + 3) & ~3:]
    except socket.timeout:
        pass
    es, er = starts.get(sino, {}), starts.get(rino, {})
    note("IPv6 session-start events: group6 for the source, source6 " + LOCAL6 + " and group6 for the receiver",
         es.get(A_EV_GROUP6) == g6 and er.get(A_EV_GROUP6) == g6 and er.get(A_EV_SOURCE6) == l6 and
         not {A_EV_SOURCE, A_EV_GROUP} & (set(es) | set(er)), f"source {es} receiver {er}")
    s6.close()
    r6.close()
    return out


rd, wr = os.pipe()
pid = os.fork()
if pid == 0:
    os.close(rd)
    try:
        res = v6_checks()
    except Exception as e:  # a crash is a failure, not a hang of the parent
        res = [("IPv6 checks ran", False, repr(e))]
    import json
    os.write(wr, json.dumps(res).encode())
    os._exit(0)
os.close(wr)
buf = b""
while True:
    chunk = os.read(rd, 65536)
    if not chunk:
        break
    buf += chunk
os.close(rd)
os.waitpid(pid, 0)
import json
for name, ok, detail in (json.loads(buf) if buf else [("IPv6 checks report", False, "no report")]):
    check(name, ok, detail)

_, err, _ = nl.request(fam, CMD_DEFAULTS_SET, attr(A_TXW_SQNS, u32(8192)) + attr(A_RXW_SQNS, u32(8192)))
check("defaults restored", err == 0)
sys.exit(check.summary("nl-smoke"))
