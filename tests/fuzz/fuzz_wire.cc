// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// libFuzzer harness for what a receiver parses from the wire before the
// stack sees it: the encapsulation header, the checksum layout of a packet
// marked checksum-free (ipoib/wire.h) and the CM private data
// (ipoib/cm_proto.h). The input is copied into an exact-size heap block so
// that ASan sees any over-read; a broken invariant aborts.

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "ipoib/cm_proto.h"
#include "ipoib/wire.h"

#include "fuzz_common.h"

using namespace ipoib;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = static_cast<uint8_t *>(malloc(size ? size : 1));
	memcpy(buf, data, size);
	const kern::ByteSpan bytes(buf, size);

	// As the receive path does: the encap header, then the layout after it.
	kern::Result<EncapHeader> enc = parse_encap(bytes);
	CHECK(enc.is_ok() == (size >= kEncapLen));
	if (enc.is_ok()) {
		const kern::ByteSpan l3 = bytes.subspan(kEncapLen);
		const u16 protos[] = {enc.value().m_proto, ethertype::kIpv4, ethertype::kIpv6};
		for (u16 proto : protos) {
			kern::Result<CsumLayout> l = csum_layout(l3, proto);
			if (l.is_ok()) {
				// The checksum field lies inside what was parsed, after an IP header.
				CHECK(l.value().start >= 20);
				CHECK(l.value().off == 16 || l.value().off == 6);
				CHECK(static_cast<usize>(l.value().start) + l.value().off + 2 <= l3.size());
			}
		}
	}

	if (size >= cm::kPrivLen) {
		u8 priv[cm::kPrivLen];
		memcpy(priv, buf, cm::kPrivLen);
		const cm::PrivData p = cm::decode_priv(priv);
		CHECK(p.qpn <= 0xffffffu);
		// Re-encoding what was decoded gives back the fields that carry meaning.
		u8 again[cm::kPrivLen];
		cm::encode_priv(p, again);
		const cm::PrivData q = cm::decode_priv(again);
		CHECK(q.qpn == p.qpn && q.mtu == p.mtu && q.caps == p.caps);
	}
	free(buf);
	return 0;
}
