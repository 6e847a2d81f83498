#!/usr/bin/env python3
"""Host test of tests/vm/tools/sibpcap.c (make check, layer "tools").

Builds sibpcap, writes a capture of softib wire frames (a HELLO, UD unicast
without a GRH, UD multicast with one, a MAD to QP1, an RC message in two
segments and its resend, a short frame, another EtherType), converts it
and checks what tcpdump decodes and the GIDs sibpcap put in the GRHs.
Prints TAP-ish "ok"/"not ok" lines and "N passed, N failed".
"""
import os
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
results = []


def check(desc, cond, detail=""):
    results.append(cond)
    print(("ok" if cond else "not ok") + f" {len(results)} sibpcap: {desc}")
    if not cond and detail:
        for line in str(detail).splitlines()[:20]:
            print("#   " + line)


def hdr(t, flags=0, slid=2, dlid=258, sq=0x48, dq=0x49, psn=0, off=0, total=0, ln=0):
    return struct.pack(">BBBBHHIIHBBIIIIII", 1, t, flags, 0, slid, dlid, sq, dq,
                       0xffff, 0, 0, 0x1b, psn, 0, off, total, ln)


def ipv4(src, dst, payload_len, proto=1):
    h = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 1, 0, 64, proto, 0,
                    bytes(src), bytes(dst))
    return h + (b"\x08\x00\x00\x00\x00\x01\x00\x01" + bytes(payload_len - 8))


def main():
    tmp = tempfile.mkdtemp(prefix="sibpcap-")
    exe = os.path.join(tmp, "sibpcap")
    r = subprocess.run(["gcc", "-O2", "-Wall", "-Wextra", "-Werror", "-D_GNU_SOURCE", "-o", exe,
                        os.path.join(TOP, "tests/vm/tools/sibpcap.c")], capture_output=True, text=True)
    check("builds with -Wall -Wextra -Werror", r.returncode == 0, r.stderr)
    if r.returncode:
        return
    eth = b"\xff" * 6 + b"\x52\x54\x00\x00\x00\x0a" + b"\x88\xb5"
    a, b = [10, 77, 0, 1], [10, 77, 0, 2]
    guid_a, guid_b = 0x0002c9fffe500101, 0x0002c9fffe510101
    hello = struct.pack(">BBBB", 0, 2, 0, 0)
    for guid, lid in ((guid_a, 2), (guid_b, 258)):
        hello += struct.pack(">QHBB16H", guid, lid, 4, 0, *([0xffff] + [0] * 15))
    ipoib = lambda pkt: b"\x08\x00\x00\x00" + pkt
    uni = ipoib(ipv4(a, b, 64))
    mgid = bytes.fromhex("ff12401bffff0000000000000000" + "0001")
    grh = struct.pack(">IHBB16s16s", 6 << 28, 0, 0x1b, 1,
                      bytes.fromhex("fe800000000000000002c9fffe510101"), mgid)
    mc = ipoib(ipv4(b, [239, 77, 0, 1], 40, proto=17))
    big = ipoib(ipv4(b, a, 30008))
    frames = [
        eth + hdr(4, ln=len(hello)) + hello,
        eth + hdr(1, ln=len(uni)) + uni,
        eth + hdr(1, flags=1, slid=258, dlid=0xc001, dq=0xffffff, ln=len(mc)) + grh + mc,
        eth + hdr(1, dq=1, ln=256) + bytes(256),
        eth + hdr(2, slid=258, dlid=2, psn=9, off=0, total=len(big), ln=20000) + big[:20000],
        eth + hdr(2, slid=258, dlid=2, psn=9, off=20000, total=len(big), ln=len(big) - 20000) + big[20000:],
        eth + hdr(2, slid=258, dlid=2, psn=9, off=0, total=len(big), ln=len(big)) + big,
        eth + hdr(1)[:20],
        b"\xff" * 12 + b"\x08\x00" + ipv4(a, b, 8),
    ]
    wire = os.path.join(tmp, "wire.pcap")
    with open(wire, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 100, i, len(fr), len(fr)) + fr)
    out = os.path.join(tmp, "ipoib.pcap")
    r = subprocess.run([exe, wire, out], capture_output=True, text=True)
    check("converts the capture", r.returncode == 0, r.stderr)
    check("summary counts 2 UD packets, 1 RC message, 2 ports, 2 frames not softib",
          "2 UD packets, 1 RC messages, 3 records written, 2 frames not softib, 2 ports announced" in r.stderr,
          r.stderr)
    r = subprocess.run(["tcpdump", "-nn", "-r", out], capture_output=True, text=True)
    lines = r.stdout.splitlines()
    check("tcpdump reads it as IPoIB", "link-type IPOIB" in r.stderr, r.stderr)
    check("three records", len(lines) == 3, r.stdout)
    check("UD unicast: the echo request 10.77.0.1 > 10.77.0.2",
          len(lines) > 0 and "10.77.0.1 > 10.77.0.2: ICMP echo request" in lines[0], r.stdout)
    check("UD multicast: UDP to 239.77.0.1",
          len(lines) > 1 and "10.77.0.2" in lines[1] and "239.77.0.1" in lines[1], r.stdout)
    check("RC: one 30008-byte echo request from two segments, the resend left out",
          len(lines) > 2 and "10.77.0.2 > 10.77.0.1: ICMP echo request" in lines[2] and "length 30008" in lines[2],
          r.stdout)
    with open(out, "rb") as f:
        data = f.read()
    rec1 = data[24 + 16:24 + 16 + 40]
    check("GRH of a packet without one: GIDs from the announced GUIDs",
          rec1[8:24] == bytes.fromhex("fe800000000000000002c9fffe500101") and
          rec1[24:40] == bytes.fromhex("fe800000000000000002c9fffe510101"), rec1.hex())
    off2 = 24 + 16 + 40 + len(uni)
    rec2 = data[off2 + 16:off2 + 16 + 40]
    check("GRH of a multicast packet: its own (DGID = MGID)", rec2 == grh, rec2.hex())
    r = subprocess.run([exe, os.path.join(tmp, "missing.pcap"), out], capture_output=True, text=True)
    check("a missing input fails with status 1", r.returncode == 1, r.stderr)


main()
print(f"{sum(results)} passed, {len(results) - sum(results)} failed")
sys.exit(0 if all(results) else 1)
