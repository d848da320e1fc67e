#!/usr/bin/env python3
"""Tests/kernel/ne_test.py - the PGM network element (issue #23, RFC 3208
section 7, docs/router-assist.md) in a forwarding netns.

A source (netns src, 10.1.0.1) reaches two LANs through a router (netns
rtr: r0 10.1.0.2 toward the source, rA 10.2.0.1 on LAN A, rB 10.3.0.1 on
LAN B) that forwards the group by multicast routing (static (S,G) routes
made here with MRT_ADD_VIF/MRT_ADD_MFC); LAN A has three kernel receivers
and an OpenPGM one (when build/interop/opgm exists), LAN B three kernel
receivers; bridges in the VM's own netns.  The link to the source delays
20 ms each way and LAN A loses 5% of what the router sends there.  The
same stream runs with the NE off and on; with it on: the source gets
about one NAK per repaired sqn whatever the number of receivers (more
with it off), RDATA reaches LAN A and never LAN B (counted by packet
sockets on both), every receiver's stream is exact.  Then: state freed
when the session ends, a NAK flood bounded, false SPMs and NCFs (section
10), the netlink interface (privilege, counters, the sessions dump).
Run in the VM with pgm.ko loaded (suite.sh); ends with "ne: N passed, N failed"."""
import atexit
import ctypes
import errno
import hashlib
import os
import random
import select
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../interop"))
from stream import stream_message  # noqa: E402 - Tests/interop/stream.py
from genl import (NETLINK_ADD_MEMBERSHIP, NETLINK_GENERIC, NLM_F_DUMP, SOL_NETLINK, Checks, Genl, Spec, attr, csum,
                  parse_attrs, u32)

# PGM_NE_SLOW=1 (the debug kernel, tens of times slower): its receivers lose
# packets of their own, so the stream's outcome checks (LAN B asked for no
# repair, NAKs per repair) do not hold there; it runs the stream once with
# the NE on to drive every path, the scenarios with longer waits, and the
# flood's bound without requiring the flood to reach it.
SLOW = os.environ.get("PGM_NE_SLOW") == "1"
IPPROTO_PGM = SOL_PGM = 113
PGM_NAK_BO_IVL = 23
PGM_TSI = 43
CLONE_NEWNET = 0x40000000
MRT_INIT, MRT_ADD_VIF, MRT_ADD_MFC = 200, 202, 204
VIFF_USE_IFINDEX = 0x8
GROUP, PORT = "239.192.0.1", 7700
SRC, RTR_UP, RTR_A, RTR_B = "10.1.0.1", "10.1.0.2", "10.2.0.1", "10.3.0.1"
TOP = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "../.."))
OPGM = os.path.join(TOP, "build/interop/opgm")

libc = ctypes.CDLL(None, use_errno=True)
spec = Spec()
CMD = spec.cmds
NE = {a["name"]: spec.a("ne", a["name"]) for a in next(s for s in spec.raw["attribute-sets"]
                                                       if s["name"] == "ne")["attributes"]}
NS = {a["name"]: spec.a("ne-session", a["name"]) for a in next(
    s for s in spec.raw["attribute-sets"] if s["name"] == "ne-session")["attributes"]}
A_SOCK = {n: spec.a("socket", n) for n in ("inode", "source-stats")}
check = Checks()


def sh(cmd):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
    if r.returncode:
        print(f"# {cmd}: {r.stderr.strip()}", flush=True)
    return r.returncode


class In:
    """with In("rtr"): code that makes sockets in netns rtr."""

    def __init__(self, ns):
        self.ns = ns

    def __enter__(self):
        self.home = os.open("/proc/self/ns/net", os.O_RDONLY)
        fd = os.open(f"/run/netns/{self.ns}", os.O_RDONLY)
        rc = libc.setns(fd, CLONE_NEWNET)
        os.close(fd)
        if rc:
            raise OSError(ctypes.get_errno(), f"setns {self.ns}")

    def __exit__(self, *a):
        libc.setns(self.home, CLONE_NEWNET)
        os.close(self.home)


LAN_A = [("a1", "10.2.0.11"), ("a2", "10.2.0.12"), ("a3", "10.2.0.13"), ("a4", "10.2.0.14")]
LAN_B = [("b1", "10.3.0.11"), ("b2", "10.3.0.12"), ("b3", "10.3.0.13")]


def topology():
    # Only namespaces and bridges of its own: the suite's later tests share the VM.
    cmds = []
    for ns in ["src", "rtr"] + [n for n, _ in LAN_A + LAN_B]:
        cmds += [f"ip netns add {ns}", f"ip -n {ns} link set lo up"]
    cmds += ["ip link add s0 netns src type veth peer name r0 netns rtr",
             f"ip -n src addr add {SRC}/24 dev s0", "ip -n src link set s0 up",
             f"ip -n src route add default via {RTR_UP}", "ip -n src route add 224.0.0.0/4 dev s0",
             f"ip -n rtr addr add {RTR_UP}/24 dev r0", "ip -n rtr link set r0 up",
             "ip netns exec rtr sysctl -qw net.ipv4.ip_forward=1",
             "ip netns exec src tc qdisc add dev s0 root netem delay 20ms",
             "ip netns exec rtr tc qdisc add dev r0 root netem delay 20ms"]
    for lan, rif, raddr, hosts in (("A", "rA", RTR_A, LAN_A), ("B", "rB", RTR_B, LAN_B)):
        cmds += [f"ip link add br{lan} type bridge mcast_snooping 0", f"ip link set br{lan} up",
                 f"ip link add {rif} netns rtr type veth peer name p{rif}",
                 f"ip link set p{rif} master br{lan} up",
                 f"ip -n rtr addr add {raddr}/24 dev {rif}", f"ip -n rtr link set {rif} up"]
        for ns, addr in hosts:
            cmds += [f"ip link add e0 netns {ns} type veth peer name p{ns}",
                     f"ip link set p{ns} master br{lan} up",
                     f"ip -n {ns} addr add {addr}/24 dev e0", f"ip -n {ns} link set e0 up",
                     f"ip -n {ns} route add default via {raddr}"]
    cmds.append("ip netns exec rtr tc qdisc add dev rA root netem loss 5%")
    return sum(sh(c) != 0 for c in cmds)


def teardown():
    for ns in ["src", "rtr"] + [n for n, _ in LAN_A + LAN_B]:
        sh(f"ip netns del {ns}")
    sh("ip link del brA; ip link del brB")


atexit.register(teardown)


def mroute(groups):
    """Static multicast routes in rtr: (SRC, g) in on r0, out on rA and rB."""
    with In("rtr"):
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
        s.setsockopt(socket.IPPROTO_IP, MRT_INIT, struct.pack("=i", 1))
        for vif, name in enumerate(("r0", "rA", "rB")):
            s.setsockopt(socket.IPPROTO_IP, MRT_ADD_VIF,
                         struct.pack("@HBBIi4s", vif, VIFF_USE_IFINDEX, 1, 0, socket.if_nametoindex(name),
                                     b"\0" * 4))
        for g in groups:
            ttls = bytes([255, 1, 1] + [255] * 29)
            s.setsockopt(socket.IPPROTO_IP, MRT_ADD_MFC,
                         struct.pack("@4s4sH32sIIIi", socket.inet_aton(SRC), socket.inet_aton(g), 0, ttls,
                                     0, 0, 0, 0))
    return s


def u64v(b):
    return struct.unpack("=Q", b)[0]


def u32v(b):
    return struct.unpack("=I", b[:4])[0]


def ne_get(n):
    r, err, _ = n.request(fam, CMD["ne-get"])
    if err or not r:
        return {}
    return {name: (u64v(v) if len(v) == 8 else u32v(v)) for name, i in NE.items()
            for k, v in r[0].items() if k == i}


def ne_set(n, on):
    return n.request(fam, CMD["ne-set"], attr(NE["enabled"], u32(1 if on else 0)))[1]


def ne_sessions(n):
    r, err, _ = n.request(fam, CMD["ne-session-get"], flags=NLM_F_DUMP)
    return [] if err else r


def src_stats(n, sock):
    ino = os.fstat(sock.fileno()).st_ino
    for r_ in n.request(fam, CMD["sock-get"], flags=NLM_F_DUMP)[0]:
        if u32v(r_[A_SOCK["inode"]]) == ino:
            st = parse_attrs(r_[A_SOCK["source-stats"]])
            return {k: u64v(st[spec.a("source-stats", k)]) for k in ("naks-received", "rdata-sent", "odata-sent", "spm-sent", "ncf-sent")}
    return {}




def sniffer(ns, dev="e0"):
    with In(ns):
        # SOCK_DGRAM: the IP packet, without the link's header; ETH_P_ALL: both ways.
        p = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(3))
        p.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE: none missed
        p.bind((dev, 0))
        p.setblocking(False)
    return p


def sniff(p, counts):
    """Count the PGM packets waiting on packet socket p by type."""
    while True:
        try:
            f, a_ = p.recvfrom(65536)
        except BlockingIOError:
            return
        if a_[1] == 0x0800 and len(f) > 24 and f[9] == IPPROTO_PGM:
            ihl = (f[0] & 15) * 4
            if len(f) > ihl + 4:
                # What came in by PGM type; what went out as "out <type>".
                k = f[ihl + 4] if a_[2] != socket.PACKET_OUTGOING else f"out {f[ihl + 4]}"
                counts[k] = counts.get(k, 0) + 1
                if k in (5, "out 8"):
                    counts.setdefault(f"{k} sqns", set()).update(pgm_sqns(f[ihl:]))


def pgm_sqns(p):
    """The sqns a PGM packet (RDATA, NAK) names: its own, and a NAK's OPT_NAK_LIST (RFC 3208 9.3.3)."""
    if len(p) < 20:
        return []
    sqns = [struct.unpack_from("!I", p, 16)[0]]
    off = 16 + 20  # a NAK's options follow its sqn and two IPv4 NLAs
    if p[4] == 8 and p[5] & 1 and len(p) >= off + 4 and p[off] == 0x00:
        off += p[off + 1]  # past OPT_LENGTH
        while off + 4 <= len(p) and p[off + 1] >= 4:
            t, ln = p[off], p[off + 1]
            if t & 0x7F == 0x02:
                sqns += [struct.unpack_from("!I", p, off + 4 + 4 * i)[0] for i in range((ln - 4) // 4)
                         if off + 8 + 4 * i <= len(p)]
            if t & 0x80:
                break
            off += ln
    return sqns


def run_stream(count, tag):
    """One stream to every receiver: (per-receiver exact?, source stats, RDATA on A, RDATA on B, opgm ok)."""
    port = PORT + tag
    rcvs = {}
    for ns, addr in LAN_A[:3] + LAN_B:
        with In(ns):
            r = socket.socket(socket.AF_INET, socket.SOCK_RDM, IPPROTO_PGM)
            r.setsockopt(SOL_PGM, PGM_NAK_BO_IVL, struct.pack("=I", 5000))
            r.bind((GROUP, port))
            r.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                         socket.inet_aton(GROUP) + socket.inet_aton(addr) + struct.pack("=i", 0))
            r.setblocking(False)
        rcvs[r] = [ns, 0, True, 0]
    sn = {"a1": sniffer("a1"), "b1": sniffer("b1"), "b2": sniffer("b2"), "b3": sniffer("b3"),
          "s0": sniffer("src", "s0")}
    counts = {k: {} for k in sn}
    opgm = opgm_out = None
    if SLOW:
        pass
    elif not os.access(OPGM, os.X_OK):
        print(f"# no OpenPGM receiver: {OPGM} is not built (make interop-peers)", flush=True)
    else:
        # Its stream to a file, not a pipe read at the end: a full pipe
        # would stop it reading its socket, and the source would spend the
        # stream repairing what that lost.
        opgm_out = tempfile.TemporaryFile()
        opgm = subprocess.Popen(["ip", "netns", "exec", "a4", OPGM, "recv", GROUP, str(port), LAN_A[3][1],
                                 str(count), "--timeout", "60"], stdout=opgm_out,
                                stderr=subprocess.PIPE)
        time.sleep(0.5)
    with In("src"):
        s = socket.socket(socket.AF_INET, socket.SOCK_RDM, IPPROTO_PGM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
        s.connect((GROUP, port))
        n = Genl()
        n.family("pgm")
    msgs = [stream_message(i, 1400) for i in range(count)]  # one TPDU each
    sent, end = 0, time.time() + 90
    while time.time() < end:
        if sent < count:
            s.send(msgs[sent])
            sent += 1
            if sent % 20 == 0:
                time.sleep(0.01)
        for r in select.select(list(rcvs), [], [], 0 if sent < count else 0.05)[0]:
            try:
                while True:
                    d = r.recv(65536)
                    st = rcvs[r]
                    if st[1] >= count or d != msgs[st[1]]:
                        st[2] = False
                    st[1] += 1
            except BlockingIOError:
                pass
            except ConnectionResetError:
                # A loss reported (pgm(7) Data loss): not exact.
                rcvs[r][2] = False
                rcvs[r][3] += 1
        for k, p in sn.items():
            sniff(p, counts[k])
        if sent == count and all(st[1] >= count for st in rcvs.values()):
            break
    # The source's counters once every receiver is done: the OpenPGM one's
    # repairs are the stream's too.
    opgm_err = b""
    if opgm:
        while opgm.poll() is None and time.time() < end:
            for k, p in sn.items():
                sniff(p, counts[k])
            time.sleep(0.05)
        _, opgm_err = opgm.communicate(timeout=max(1, end - time.time()))
    time.sleep(0.3)
    for k, p in sn.items():
        sniff(p, counts[k])
        p.close()
    stats = src_stats(n, s)
    shown = {k: {t: (len(v) if isinstance(v, set) else v) for t, v in c.items()} for k, c in counts.items()}
    print(f"# packets by type seen on LAN A {shown['a1']}, on LAN B {shown['b1']}, the source's link {shown['s0']}",
          flush=True)
    exact = {st[0]: st[2] and st[1] == count for st in rcvs.values()}
    if not all(exact.values()):
        print("# receivers (netns, APDUs, in order, losses): " + str(list(rcvs.values())), flush=True)
    opgm_ok = None
    if opgm:
        opgm_out.seek(0)
        out = opgm_out.read()
        opgm_out.close()
        want = b"".join(struct.pack("!I", len(m)) + m for m in msgs)
        opgm_ok = hashlib.sha256(out).digest() == hashlib.sha256(want).digest()
        if not opgm_ok:
            print(f"# opgm: {len(out)} of {len(want)} bytes; {opgm_err.decode(errors='replace')[-300:]}", flush=True)
    for r in rcvs:
        r.close()
    # What LAN B asked for: the sqns its receivers NAKed (a receiver there
    # may lose a packet of its own when the machine is loaded).
    naked_b = set().union(*(counts[b].get("out 8 sqns", set()) for b in ("b1", "b2", "b3")))
    rdata_b = counts["b1"].get("5 sqns", set())
    return exact, stats, counts["a1"].get(5, 0), counts["b1"].get(5, 0), opgm_ok, s, n, naked_b, rdata_b


# ---------------------------------------------------------------------------
bad = topology()
check("the topology (a source, a router, two LANs of receivers) is built", bad == 0, f"{bad} commands failed")
mr = mroute([GROUP])
with In("rtr"):
    nl = Genl()
    fam = nl.family("pgm")
check("family pgm resolves in the router's netns", fam is not None)
if fam is None or bad:
    sys.exit(check.summary("ne") or 1)

info = ne_get(nl)
check("the NE is off by default", info.get("enabled") == 0 and info.get("tsis") == 0, f"{info}")


def unpriv():
    # As uid 65534: ne-set is CAP_NET_ADMIN's (EPERM); ne-get is open.
    pid = os.fork()
    if pid == 0:
        os.setresgid(65534, 65534, 65534)
        os.setresuid(65534, 65534, 65534)
        n = Genl()
        n.family("pgm")
        err = ne_set(n, True)
        os._exit(0 if err == -errno.EPERM and ne_get(n).get("enabled") == 0 else 1)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


with In("rtr"):
    rc = unpriv()
check("an unprivileged user cannot turn the NE on (EPERM) but reads it", rc == 0, f"exit {rc}")

# A kernel without netfilter (the debug kernel's config) has no NE, and says so.
_, err, msg = nl.request(fam, CMD["ne-set"], attr(NE["enabled"], u32(1)))
if err == -errno.EOPNOTSUPP:
    check("without CONFIG_NETFILTER ne-set on is EOPNOTSUPP, with the reason",
          "netfilter" in str(msg) and ne_get(nl).get("enabled") == 0, f"{msg}")
    sys.exit(check.summary("ne"))
check("ne-set on, then off: no session followed yet", err == 0 and ne_set(nl, False) == 0, f"{err} {msg}")

# -- NE off: the baseline. ---------------------------------------------------
COUNT = int(os.environ.get("PGM_NE_COUNT", "1500"))
if not SLOW:
    exact, st_off, rd_a_off, rd_b_off, opgm_off, s_off, _, _, _ = run_stream(COUNT, 0)
    s_off.close()
    check("NE off: every receiver's stream is exact", all(exact.values()), f"{exact}")
    naks_off = st_off["naks-received"] / max(st_off["rdata-sent"], 1)
    print(f"# NE off: source NAKs {st_off['naks-received']}, RDATA {st_off['rdata-sent']} ({naks_off:.2f} a repair);"
          f" RDATA seen on LAN A {rd_a_off}, on LAN B {rd_b_off}", flush=True)
    check("NE off: RDATA reaches LAN B too (what the NE is to stop)", rd_b_off > 0, f"{rd_b_off}")

# -- NE on. -----------------------------------------------------------------
check("ne-set on", ne_set(nl, True) == 0 and ne_get(nl).get("enabled") == 1)
with In("rtr"):
    ev = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    ev.bind((0, 0))
    ev.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, nl.groups["events"])
exact, st_on, rd_a_on, rd_b_on, opgm_on, s_on, n_src, naked_b, rdata_b = run_stream(COUNT, 1)
naks_on = st_on["naks-received"] / max(st_on["rdata-sent"], 1)
info = ne_get(nl)
print(f"# NE on: source NAKs {st_on['naks-received']}, RDATA {st_on['rdata-sent']} ({naks_on:.2f} a repair);"
      f" RDATA seen on LAN A {rd_a_on}, on LAN B {rd_b_on}; source {st_on}", flush=True)
print("# NE counters: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
if not SLOW:
    check("NE on: every kernel receiver's stream is exact (section 7)", all(exact.values()), f"{exact}")
    if opgm_on is not None:
        check("NE on: the OpenPGM receiver on LAN A gets the exact stream", opgm_on)
    check("NE on: repairs were needed (LAN A loses 5%)", st_on["rdata-sent"] > 0, f"{st_on}")
    check("7.4: with the NE the source gets at most ~1 NAK per repaired sqn (<= 1.2)", naks_on <= 1.2,
          f"{naks_on:.2f}")
    check("... and fewer than without it", naks_on < naks_off, f"on {naks_on:.2f} off {naks_off:.2f}")
    check("7.8: RDATA reaches LAN A", rd_a_on > 0, f"{rd_a_on}")
    print(f"# LAN B NAKed {len(naked_b)} sqns, got RDATA for {len(rdata_b)}", flush=True)
    check("7.8: RDATA on LAN B only for the sqns LAN B NAKed (none when it lost nothing)",
          rdata_b <= naked_b and (rd_b_on > 0) == bool(rdata_b),
          f"RDATA {rd_b_on}, not asked for {sorted(rdata_b - naked_b)[:10]}")
    check("the NE counted: SPMs, NAKs eliminated, NCFs sent, RDATA constrained",
          info.get("spms", 0) > 0 and info.get("naks-eliminated", 0) > 0 and info.get("ncfs-sent", 0) > 0 and
          info.get("rdata-constrained", 0) > 0 and info.get("rdata-forwarded", 0) > 0, f"{info}")
ss = ne_sessions(nl)
with In("rtr"):
    r0 = socket.if_nametoindex("r0")
check("ne-session-get: the session, its upstream (the source) and the interface toward it",
      len(ss) == 1 and ss[0][NS["upstream"]] == socket.inet_aton(SRC) and
      u32v(ss[0][NS["ifindex"]]) == r0 and ss[0][NS["source"]] == socket.inet_aton(SRC),
      f"{ss}")
tsi = s_on.getsockopt(SOL_PGM, PGM_TSI, 8)
s_on.close()
# 9.7: the source's FIN ends the session in the NE two NAK_RDATA_IVL later.
end = time.time() + 10
while time.time() < end and ne_get(nl).get("tsis"):
    time.sleep(0.1)
info = ne_get(nl)
check("the session's state is freed when it ends (OPT_FIN)", info.get("tsis") == 0 and info.get("states") == 0,
      f"{info}")


def events():
    """(command, attributes) of every event waiting on ev."""
    out = []
    while select.select([ev], [], [], 0.2)[0]:
        data = ev.recv(65536)
        while len(data) >= 20:
            n = struct.unpack_from("=I", data)[0]
            out.append((data[16], parse_attrs(data[20:n])))
            data = data[(n + 3) & ~3:]
    return out


E = {n: spec.a("event", n) for n in ("tsi", "upstream", "ifindex", "reason", "source")}
evs = [(c, a) for c, a in events() if a.get(E["tsi"]) == tsi]
start = [a for c, a in evs if c == CMD["ne-session-ntf"]]
ends = [a for c, a in evs if c == CMD["ne-session-end-ntf"]]
print(f"# events of the session: {len(evs)}", flush=True)
check("events: ne-session when the NE began to follow the session (upstream, interface toward the source)",
      len(start) == 1 and start[0].get(E["upstream"]) == socket.inet_aton(SRC) and
      u32v(start[0].get(E["ifindex"], b"\0" * 4)) == r0, f"{start}")
check("events: ne-session-end with reason fin", len(ends) == 1 and
      u32v(ends[0].get(E["reason"], b"\0" * 4)) == spec.enums[("end-reason", "fin")], f"{ends}")


# -- Scenarios on crafted packets (RFC 3208 sections 7, 9.3.3, 9.5.3.2, 10). --
# A live session whose window we know, and no receivers: what the NE does
# is seen in its counters, the source's, and packet sockets on both LANs.
PGM_TXW_LEAD, PGM_TXW_TRAIL = 46, 47
# NAK_ELIM_IVL 300 ms: long enough for the checks below to fall inside it.
# On a slow kernel the source's repair may come after the default
# NAK_RDATA_IVL (500 ms), when the NE rightly drops it: 5 s there.
# Each scenario's packets are counted one by one on LAN A: its 5% loss
# (the streams' reason for repairs) would drop one NCF or RDATA in twenty.
sh("ip netns exec rtr tc qdisc del dev rA root")
sh("ip netns exec rtr sysctl -qw net.pgm.ne_tsi_states=64 net.pgm.ne_spm_timeout=1000000"
   " net.pgm.ne_nak_elim_ivl=300000" + (" net.pgm.ne_nak_rdata_ivl=5000000" if SLOW else ""))
with In("src"):
    src = socket.socket(socket.AF_INET, socket.SOCK_RDM, IPPROTO_PGM)
    src.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
    src.connect((GROUP, PORT + 5))
    sn_ = Genl()
    sn_.family("pgm")
for i in range(200):
    src.send(b"s" * 200)
time.sleep(0.5)
TSI = src.getsockopt(SOL_PGM, PGM_TSI, 8)
LEAD = struct.unpack("=I", src.getsockopt(SOL_PGM, PGM_TXW_LEAD, 4))[0]
GSI, SPORT = TSI[:6], struct.unpack("!H", TSI[6:8])[0]
with In("a1"):
    raw_a = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_PGM)
    hdr_a = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)  # IP_HDRINCL
with In("src"):
    hdr_s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)


def pgm(ptype, sqn, sport, dport, opts=b"", body=None, options=0):
    if body is None:  # NAK, NNAK, NCF: source and group NLAs
        body = struct.pack("!IHH4sHH4s", sqn, 1, 0, socket.inet_aton(SRC), 1, 0, socket.inet_aton(GROUP))
    pkt = bytearray(struct.pack("!HHBBH6sH", sport, dport, ptype, options | (1 if opts else 0), 0, GSI, 0) +
                    body + opts)
    struct.pack_into("!H", pkt, 6, csum(bytes(pkt)))
    return bytes(pkt)


def nak_list(sqns):
    # OPT_LENGTH, then OPT_NAK_LIST (the last option).
    lst = struct.pack("!BBBB", 0x80 | 0x02, 4 + 4 * len(sqns), 0, 0) + b"".join(struct.pack("!I", q) for q in sqns)
    return struct.pack("!BBH", 0x00, 4, 4 + len(lst)) + lst


def nak(sqn, ptype=0x08, opts=b""):
    return pgm(ptype, sqn, PORT + 5, SPORT, opts)


def ip_spoof(sock, saddr, daddr, payload, ttl=8):
    iph = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, ttl, IPPROTO_PGM, 0,
                      socket.inet_aton(saddr), socket.inet_aton(daddr))
    sock.sendto(iph + payload, (daddr, 0))


def spm(sqn, path, trail, lead):
    body = struct.pack("!IIIHH4s", sqn, trail, lead, 1, 0, socket.inet_aton(path))
    return pgm(0x00, 0, SPORT, PORT + 5, body=body)


def ncf(sqn):
    return pgm(0x0A, sqn, SPORT, PORT + 5)


def upstream():
    for x in ne_sessions(nl):
        if x.get(NS["tsi"]) == TSI:
            return socket.inet_ntoa(x[NS["upstream"]])
    return None


def settle(key, base, timeout=2.0):
    end = time.time() + timeout
    while time.time() < end:
        v = ne_get(nl).get(key, 0)
        if v > base:
            return v
        time.sleep(0.02)
    return ne_get(nl).get(key, 0)


sa, sb = sniffer("a1"), sniffer("b1")
ca, cb = {}, {}
b0 = ne_get(nl)
s_naks0 = src_stats(sn_, src)["naks-received"]
raw_a.sendto(nak(LEAD - 10), (RTR_A, 0))
settle("naks-forwarded", b0["naks-forwarded"])
end = time.time() + (10 if SLOW else 3)  # the source's repair may wait for its rate limit
while time.time() < end and not ca.get(5):
    time.sleep(0.05)
    sniff(sa, ca)
time.sleep(0.2)
sniff(sa, ca)
sniff(sb, cb)
b1 = ne_get(nl)
s_naks1 = src_stats(sn_, src)["naks-received"]
check("NE 7.2: a NAK to the NE is answered by an NCF (ncfs-sent), multicast on LAN A",
      b1["ncfs-sent"] == b0["ncfs-sent"] + 1 and ca.get(0x0A, 0) >= 1, f"{b1['ncfs-sent'] - b0['ncfs-sent']} {ca}")
check("NE 7.3, 7.7: the NAK is forwarded to the upstream NE (the source gets it)",
      b1["naks-forwarded"] == b0["naks-forwarded"] + 1 and s_naks1 == s_naks0 + 1, f"{s_naks0} -> {s_naks1}")
check("NE 7.8: its RDATA goes to LAN A only", ca.get(5, 0) >= 1 and cb.get(5, 0) == 0, f"A {ca} B {cb}")
for i in range(3):
    raw_a.sendto(nak(LEAD - 11), (RTR_A, 0))  # before the source's NCF is back (40 ms)
time.sleep(0.3)
b2 = ne_get(nl)
check("NE 7.4: duplicates of a pending NAK are eliminated",
      b2["naks-forwarded"] == b1["naks-forwarded"] + 1 and b2["naks-eliminated"] == b1["naks-eliminated"] + 2,
      f"forwarded +{b2['naks-forwarded'] - b1['naks-forwarded']}, eliminated +{b2['naks-eliminated'] - b1['naks-eliminated']}")
check("NE 7.2: identical NCFs on one interface are rate-limited (10 ms)", b2["ncfs-limited"] > b1["ncfs-limited"],
      f"{b2['ncfs-limited'] - b1['ncfs-limited']}")

# 7.5: an NCF from upstream with no NAK makes state; then a NAK for it is eliminated.
ip_spoof(hdr_s, SRC, GROUP, ncf(LEAD - 20))
time.sleep(0.05)
b3 = ne_get(nl)
raw_a.sendto(nak(LEAD - 20), (RTR_A, 0))
time.sleep(0.05)
b4 = ne_get(nl)
check("NE 7.5: an NCF from upstream anticipates the NAK, which is then eliminated",
      b3["ncfs-anticipated"] == b2["ncfs-anticipated"] + 1 and b4["naks-forwarded"] == b3["naks-forwarded"] and
      b4["naks-eliminated"] == b3["naks-eliminated"] + 1, f"{b3} {b4}")

# Section 10: a false NCF from downstream neither makes state nor stops forwarding.
ip_spoof(hdr_a, SRC, GROUP, ncf(LEAD - 30))
time.sleep(0.1)
b5 = ne_get(nl)
raw_a.sendto(nak(LEAD - 30), (RTR_A, 0))
time.sleep(0.1)
b6 = ne_get(nl)
check("NE 10: a false NCF from downstream is refused, and the NAK it hoped to stop is forwarded",
      b5["ncfs-refused"] == b4["ncfs-refused"] + 1 and b6["naks-forwarded"] == b5["naks-forwarded"] + 1,
      f"{b5['ncfs-refused'] - b4['ncfs-refused']} {b6['naks-forwarded'] - b5['naks-forwarded']}")

# 9.3.3: a NAK with OPT_NAK_LIST gets an NCF with the same list, and is forwarded intact.
ca = {}
sqns = [LEAD - 40, LEAD - 41, LEAD - 42]
s_naks2 = src_stats(sn_, src)["naks-received"]
raw_a.sendto(nak(sqns[0], opts=nak_list(sqns[1:])), (RTR_A, 0))
time.sleep(0.3)
b7 = ne_get(nl)
s_naks3 = src_stats(sn_, src)["naks-received"]
check("NE 9.3.3: a NAK list is forwarded intact (the source counts its 3 sqns)",
      b7["naks-forwarded"] == b6["naks-forwarded"] + 1 and s_naks3 - s_naks2 == 3, f"{s_naks3 - s_naks2}")

# 9.5.3.2: an NNAK is forwarded once, never confirmed.
raw_a.sendto(nak(LEAD - 50, ptype=0x09), (RTR_A, 0))
raw_a.sendto(nak(LEAD - 50, ptype=0x09), (RTR_A, 0))
time.sleep(0.2)
b8 = ne_get(nl)
check("NE 9.5.3.2: NNAKs are forwarded once, not confirmed",
      b8["nnaks"] == b7["nnaks"] + 2 and b8["naks-forwarded"] == b7["naks-forwarded"] + 1 and
      b8["ncfs-sent"] == b7["ncfs-sent"], f"{b7} {b8}")

# 7.3: a NAK no NCF confirms (10 sqns just past the lead, which the source
# cannot repair yet) is repeated until NAK_RPT_IVL, as one packet each time.
ahead = [(LEAD + 100 + i) & 0xFFFFFFFF for i in range(10)]
raw_a.sendto(nak(ahead[0], opts=nak_list(ahead[1:])), (RTR_A, 0))
time.sleep(0.6)
b8b = ne_get(nl)
check("NE 7.3: an unconfirmed NAK is repeated, its 10 sqns as one NAK, at most ne-nak-rpt-ivl x rte (4) times",
      1 <= b8b["nak-repeats"] - b8["nak-repeats"] <= 4 and b8b["naks-unconfirmed"] - b8["naks-unconfirmed"] == 10,
      f"repeats +{b8b['nak-repeats'] - b8['nak-repeats']}, "
      f"unconfirmed +{b8b['naks-unconfirmed'] - b8['naks-unconfirmed']}")
b8 = b8b

# Section 10: a NAK outside the window the SPMs advertise makes no state.
raw_a.sendto(nak((LEAD + 1000000) & 0xFFFFFFFF), (RTR_A, 0))
time.sleep(0.1)
b9 = ne_get(nl)
check("NE 10: a NAK far outside the source's window is refused, no state, nothing forwarded",
      b9["naks-refused"] == b8["naks-refused"] + 1 and b9["naks-forwarded"] == b8["naks-forwarded"], f"{b9}")

# Attack: a NAK flood - 5,000 NAKs for random sqns: half anywhere (refused:
# outside the window), half just past the lead (taken: the source may get
# there), which the source cannot repair, so their state lives until
# ne-nak-rpt-ivl.
random.seed(23)
f0 = ne_get(nl)
peak = 0
for i in range(5000):
    q = (LEAD + 1 + random.randrange(4000)) & 0xFFFFFFFF if i % 2 else random.randrange(1 << 32)
    raw_a.sendto(nak(q), (RTR_A, 0))
    if i % 500 == 0:
        peak = max(peak, ne_get(nl).get("states", 0))
time.sleep(0.3)
f1 = ne_get(nl)
peak = max(peak, f1["states"])
print(f"# flood: NE {({k: f1[k] - f0[k] for k in f1 if isinstance(f1[k], int) and f1[k] != f0[k]})}, peak states {peak}",
      flush=True)
check("attack: a NAK flood's state stays within ne-tsi-states (64), the excess counted",
      peak <= 64 and (SLOW or f1["states-refused"] > f0["states-refused"]) and f1["naks-refused"] > f0["naks-refused"],
      f"peak {peak}")
taken = (f1["naks"] - f0["naks"]) - (f1["naks-refused"] - f0["naks-refused"])
check("attack: each NAK makes at most one NCF and one NAK upstream, repeated at most"
      " ne-nak-rpt-ivl x ne-nak-rpt-rte (4) times",
      f1["ncfs-sent"] - f0["ncfs-sent"] <= taken and f1["naks-forwarded"] - f0["naks-forwarded"] <= taken and
      f1["nak-repeats"] - f0["nak-repeats"] <= 4 * (f1["naks-forwarded"] - f0["naks-forwarded"]) + 4,
      f"{f1['ncfs-sent'] - f0['ncfs-sent']} NCFs, {f1['naks-forwarded'] - f0['naks-forwarded']} forwarded, "
      f"{f1['naks'] - f0['naks']} NAKs")
end = time.time() + (15 if SLOW else 5)
while time.time() < end and ne_get(nl).get("states"):
    time.sleep(0.1)
check("... and the flood's state is gone after NAK_RDATA_IVL", ne_get(nl).get("states") == 0, f"{ne_get(nl)}")

# Section 10: SPMs.  From downstream (LAN A), a false SPM is refused.
r0 = ne_get(nl)
ip_spoof(hdr_a, SRC, GROUP, spm(0x7FFFFFF0, "10.2.0.11", LEAD - 100, LEAD))
time.sleep(0.1)
check("NE 10: a false SPM from downstream (naming a LAN A host the upstream NE) is refused",
      ne_get(nl)["spms-refused"] == r0["spms-refused"] + 1 and upstream() == SRC, f"{upstream()}")
# From upstream, one too far ahead is refused; one just ahead takes the path,
# for at most ne-spm-timeout / 4 (250 ms here) past the true source's next SPM.
sess = [x for x in ne_sessions(nl) if x.get(NS["tsi"]) == TSI]
spm_sqn = u32v(sess[0][NS["spm-sqn"]]) if sess else 0
r1 = ne_get(nl)
ip_spoof(hdr_s, SRC, GROUP, spm((spm_sqn + 0x40000000) & 0xFFFFFFFF, "10.1.0.98", LEAD - 100, LEAD))
time.sleep(0.1)
check("NE 10: an SPM whose sqn jumps far ahead is refused", ne_get(nl)["spms-refused"] == r1["spms-refused"] + 1 and
      upstream() == SRC, f"{upstream()}")
ip_spoof(hdr_s, SRC, GROUP, spm((spm_sqn + 1000) & 0xFFFFFFFF, "10.1.0.99", LEAD - 100, LEAD))
time.sleep(0.1)
moved = upstream()
t0 = time.time()
back = None
while time.time() < t0 + 10:
    src.send(b"h" * 10)  # heartbeat SPMs follow data
    time.sleep(0.05)
    if upstream() == SRC:
        back = time.time() - t0
        break
print(f"# a false SPM from upstream moved the path to {moved}; the source's own was back after {back} s", flush=True)
check("NE 10: a false SPM from upstream misdirects NAKs only until the true SPMs are taken again (< 5 s;"
      " ne-spm-timeout / 4 is 250 ms here)",
      moved == "10.1.0.99" and back is not None and back < 5, f"moved to {moved}, back after {back}")

# The session ends (OPT_FIN): its state goes; ne-set off forgets everything.
src.close()
end = time.time() + (20 if SLOW else 10)  # two NAK_RDATA_IVL after OPT_FIN
while time.time() < end and ne_get(nl).get("tsis"):
    time.sleep(0.1)
check("... that session's state is freed too when it ends", ne_get(nl).get("tsis") == 0)
check("ne-set off", ne_set(nl, False) == 0 and ne_get(nl).get("enabled") == 0)
sys.exit(check.summary("ne"))
