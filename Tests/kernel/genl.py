#!/usr/bin/env python3
"""Tests/kernel/genl.py - a small generic-netlink client for the VM's
Python tests of the pgm family (nl_smoke.py, policy_test.py): requests and
dumps with extack messages, attributes, the family's ids from its spec
(kernel/pgm.yaml), and ok/not ok lines with a summary."""
import os
import socket
import struct

import yaml

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_MCAST_GROUPS = 7
NETLINK_ADD_MEMBERSHIP = 1
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10
NLMSGERR_ATTR_MSG = 1


class Checks:
    """Counts ok/not ok lines."""

    def __init__(self):
        self.passed = self.failed = 0

    def __call__(self, name, cond, detail=""):
        if cond:
            self.passed += 1
            print(f"ok - {name}")
        else:
            self.failed += 1
            print(f"not ok - {name} {detail}")

    def summary(self, what):
        print(f"{what}: {self.passed} passed, {self.failed} failed")
        return 1 if self.failed else 0


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * ((4 - n % 4) % 4)


def parse_attrs(b):
    out = {}
    while len(b) >= 4:
        n, t = struct.unpack_from("=HH", b)
        if n < 4:
            break
        out[t & 0x3FFF] = b[4:n]
        b = b[(n + 3) & ~3:]
    return out


class Genl:
    def __init__(self):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        self.s.bind((0, 0))
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.seq = 1

    def request(self, family, cmd, attrs=b"", flags=NLM_F_ACK):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + attrs
        self.s.send(struct.pack("=IHHII", 16 + len(body), family, NLM_F_REQUEST | flags, self.seq, 0) + body)
        replies, err, msg = [], 0, None
        while True:
            data = self.s.recv(65536)
            done = False
            while len(data) >= 16:
                n, typ, fl, _, _ = struct.unpack_from("=IHHII", data)
                payload = data[16:n]
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", payload)[0]
                    if fl & 0x200:  # NLM_F_ACK_TLVS; with CAP_ACK the request is not echoed
                        msg = parse_attrs(payload[20:]).get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode() or None
                    done = True
                elif typ == NLMSG_DONE:
                    err = struct.unpack_from("=i", payload)[0] if len(payload) >= 4 else 0
                    if fl & 0x200:
                        msg = parse_attrs(payload[4:]).get(NLMSGERR_ATTR_MSG, b"").rstrip(b"\0").decode() or None
                    done = True
                else:
                    replies.append(parse_attrs(payload[4:]))
                data = data[(n + 3) & ~3:]
            if done or (not flags & NLM_F_DUMP and replies and not flags & NLM_F_ACK):
                return replies, err, msg

    def family(self, name):
        r, err, _ = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if err:
            return None
        self.groups = {}
        for g in parse_attrs(r[0].get(CTRL_ATTR_MCAST_GROUPS, b"")).values():
            ga = parse_attrs(g)
            self.groups[ga[1].rstrip(b"\0").decode()] = struct.unpack("=I", ga[2][:4])[0]
        return struct.unpack("=H", r[0][CTRL_ATTR_FAMILY_ID][:2])[0]


def u32(v):
    return struct.pack("=I", v)


def csum(b):
    """The Internet checksum of b (PGM's, RFC 3208 section 8)."""
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    c = ~s & 0xFFFF
    return c or 0xFFFF


SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../kernel/pgm.yaml")


class Spec:
    """The family's numbers by name, from kernel/pgm.yaml: attribute ids
    (values from 1, or as given), command ids (from 1, in order) and enum
    values (from 0, or value-start)."""

    def __init__(self, path=SPEC_PATH):
        with open(path) as f:
            self.raw = yaml.safe_load(f)
        self.attrs = {}
        for s in self.raw["attribute-sets"]:
            v = 0
            for a in s["attributes"]:
                v = a.get("value", v + 1)
                self.attrs[(s["name"], a["name"])] = v
        self.cmds = {op["name"]: i + 1 for i, op in enumerate(self.raw["operations"]["list"])}
        self.enums = {}
        for d in self.raw["definitions"]:
            if d["type"] == "enum":
                for i, e in enumerate(d["entries"]):
                    self.enums[(d["name"], e["name"])] = d.get("value-start", 0) + i

    def a(self, set_name, name):
        return self.attrs[(set_name, name)]

