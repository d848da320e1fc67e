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
import time

from genl import NLM_F_DUMP, Checks, Genl, Spec, attr, csum, parse_attrs, u32

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
    cmds = ["sysctl -qw net.ipv6.conf.default.disable_ipv6=1", "sysctl -qw net.ipv6.conf.all.disable_ipv6=1"]
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


# -- The stream (Tests/interop/stream.h), at most 1,400 bytes a message. ----
def stream_message(i):
    s = (i * 2654435761 + 7) & 0xFFFFFFFF

    def rnd():
        nonlocal s
        s = (s * 1664525 + 1013904223) & 0xFFFFFFFF
        return s >> 8
    n = min(2000 + rnd() % 7001 if i % 5 == 4 else 1 + rnd() % 1400, 1400)
    return bytes(rnd() & 0xFF for _ in range(n))


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
    sn = {"a1": sniffer("a1"), "b1": sniffer("b1"), "s0": sniffer("src", "s0")}
    counts = {"a1": {}, "b1": {}, "s0": {}}
    opgm = None
    if os.access(OPGM, os.X_OK):
        opgm = subprocess.Popen(["ip", "netns", "exec", "a4", OPGM, "recv", GROUP, str(port), LAN_A[3][1],
                                 str(count), "--timeout", "60"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        time.sleep(0.5)
    with In("src"):
        s = socket.socket(socket.AF_INET, socket.SOCK_RDM, IPPROTO_PGM)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 8)
        s.connect((GROUP, port))
        n = Genl()
        n.family("pgm")
    msgs = [stream_message(i) for i in range(count)]
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
    time.sleep(0.3)
    for k, p in sn.items():
        sniff(p, counts[k])
        p.close()
    stats = src_stats(n, s)
    print(f"# packets by type seen on LAN A {counts['a1']}, on LAN B {counts['b1']}, the source's link {counts['s0']}",
          flush=True)
    exact = {st[0]: st[2] and st[1] == count for st in rcvs.values()}
    if not all(exact.values()):
        print("# receivers (netns, APDUs, in order, losses): " + str(list(rcvs.values())), flush=True)
    opgm_ok = None
    if opgm:
        out, err = opgm.communicate(timeout=90)
        want = b"".join(struct.pack("!I", len(m)) + m for m in msgs)
        opgm_ok = hashlib.sha256(out).digest() == hashlib.sha256(want).digest()
        if not opgm_ok:
            print(f"# opgm: {len(out)} of {len(want)} bytes; {err.decode(errors='replace')[-300:]}", flush=True)
    for r in rcvs:
        r.close()
    return exact, stats, counts["a1"].get(5, 0), counts["b1"].get(5, 0), opgm_ok, s, n


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

# -- NE off: the baseline. ---------------------------------------------------
COUNT = 1500
exact, st_off, rd_a_off, rd_b_off, opgm_off, s_off, _ = run_stream(COUNT, 0)
s_off.close()
check("NE off: every receiver's stream is exact", all(exact.values()), f"{exact}")
naks_off = st_off["naks-received"] / max(st_off["rdata-sent"], 1)
print(f"# NE off: source NAKs {st_off['naks-received']}, RDATA {st_off['rdata-sent']} ({naks_off:.2f} a repair);"
      f" RDATA seen on LAN A {rd_a_off}, on LAN B {rd_b_off}", flush=True)
check("NE off: RDATA reaches LAN B too (what the NE is to stop)", rd_b_off > 0, f"{rd_b_off}")

# -- NE on. -----------------------------------------------------------------
check("ne-set on", ne_set(nl, True) == 0 and ne_get(nl).get("enabled") == 1)
exact, st_on, rd_a_on, rd_b_on, opgm_on, s_on, n_src = run_stream(COUNT, 1)
naks_on = st_on["naks-received"] / max(st_on["rdata-sent"], 1)
info = ne_get(nl)
print(f"# NE on: source NAKs {st_on['naks-received']}, RDATA {st_on['rdata-sent']} ({naks_on:.2f} a repair);"
      f" RDATA seen on LAN A {rd_a_on}, on LAN B {rd_b_on}; source {st_on}", flush=True)
print("# NE counters: " + ", ".join(f"{k} {v}" for k, v in info.items()), flush=True)
check("NE on: every kernel receiver's stream is exact (section 7)", all(exact.values()), f"{exact}")
if opgm_on is not None:
    check("NE on: the OpenPGM receiver on LAN A gets the exact stream", opgm_on)
check("NE on: repairs were needed (LAN A loses 5%)", st_on["rdata-sent"] > 0, f"{st_on}")
check("7.4: with the NE the source gets at most ~1 NAK per repaired sqn (<= 1.2)", naks_on <= 1.2,
      f"{naks_on:.2f}")
check("... and fewer than without it", naks_on < naks_off, f"on {naks_on:.2f} off {naks_off:.2f}")
check("7.8: RDATA reaches LAN A", rd_a_on > 0, f"{rd_a_on}")
check("7.8: no RDATA on LAN B, which asked for none", rd_b_on == 0, f"{rd_b_on}")
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

sys.exit(check.summary("ne"))
