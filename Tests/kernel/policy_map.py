#!/usr/bin/env python3
"""Tests/kernel/policy_map.py - set or delete a logical group of the
netns's multicast policy (docs/governance.md) from the VM's shell tests:

    policy_map.py add LOGICAL --physical GROUP
    policy_map.py add LOGICAL --unicast ADDR [ADDR...]
    policy_map.py del LOGICAL

Exits 0, or 1 with the kernel's message."""
import argparse
import socket
import sys

from genl import Genl, Spec, attr

spec = Spec()
ap = argparse.ArgumentParser()
ap.add_argument("op", choices=["add", "del"])
ap.add_argument("logical")
ap.add_argument("--physical")
ap.add_argument("--unicast", nargs="+")
args = ap.parse_args()


def addr(text):
    v6 = ":" in text
    return v6, socket.inet_pton(socket.AF_INET6 if v6 else socket.AF_INET, text)


def a(name, v6):
    return spec.a("policy-map", name + ("6" if v6 else ""))


v6, logical = addr(args.logical)
req = attr(a("logical", v6), logical)
if args.op == "add":
    if args.physical:
        req += attr(a("physical", v6), addr(args.physical)[1])
    if args.unicast:
        req += attr(a("unicast", v6), b"".join(addr(u)[1] for u in args.unicast))
nl = Genl()
fam = nl.family("pgm")
_, err, msg = nl.request(fam, spec.cmds["policy-map-" + args.op], req)
if err:
    print(f"policy_map.py: {args.op} {args.logical}: errno {-err} {msg or ''}", file=sys.stderr)
sys.exit(1 if err else 0)
