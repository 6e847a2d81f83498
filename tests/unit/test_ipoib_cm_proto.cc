// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <gtest/gtest.h>

#include "ipoib/cm_proto.h"

using namespace ipoib;
using namespace ipoib::cm;

namespace {
const TxState kTxStates[] = {TxState::Idle, TxState::Connecting, TxState::Connected, TxState::Dead};
const TxEvent kTxEvents[] = {TxEvent::Started, TxEvent::StartFailed, TxEvent::Rep,  TxEvent::RepBad,
			     TxEvent::Rej,     TxEvent::Dreq,        TxEvent::Error, TxEvent::Flush};
const RxState kRxStates[] = {RxState::Live, RxState::Flushing, RxState::Draining, RxState::Gone};
const RxEvent kRxEvents[] = {RxEvent::Dreq,  RxEvent::Rej,     RxEvent::Stale,  RxEvent::Flush,
			     RxEvent::Error, RxEvent::LastWqe, RxEvent::Drained};
} // namespace

TEST(IpoibCmProto, Sizes)
{
	EXPECT_EQ(kMtu, 65520u);
	EXPECT_EQ(kBufSize, 65524u);
	EXPECT_EQ(kHeadSize, 4084u);
	EXPECT_EQ(kMaxFrags, 16u);
	EXPECT_EQ(kHeadSize + (kMaxFrags - 1) * kPageSize, kBufSize);
}

TEST(IpoibCmProto, ServiceId)
{
	EXPECT_EQ(service_id(0x000048), 0x1000000000000048ULL);
	EXPECT_EQ(service_id(0xffffff), 0x1000000000ffffffULL);
	/* The flags byte of a hardware address never leaks into the ID. */
	EXPECT_EQ(service_id(0x80000048), 0x1000000000000048ULL);
}

TEST(IpoibCmProto, PrivDataWireLayout)
{
	u8 buf[kPrivLen] = {};
	encode_priv(PrivData{0x123456, kBufSize, kCapCsumFree}, buf);
	/* RFC 4755 first, then "IPOC" and the capabilities. */
	const u8 want[kPrivLen] = {0x00, 0x12, 0x34, 0x56, 0x00, 0x00, 0xff, 0xf4,
				   'I',  'P',  'O',  'C',  0x00, 0x00, 0x00, 0x01};
	for (usize i = 0; i < kPrivLen; i++)
		EXPECT_EQ(buf[i], want[i]) << i;
	PrivData back = decode_priv(buf);
	EXPECT_EQ(back.qpn, 0x123456u);
	EXPECT_EQ(back.mtu, kBufSize);
	EXPECT_EQ(back.caps, kCapCsumFree);
}

TEST(IpoibCmProto, PrivDataCapsNeedTheMagic)
{
	/* The in-tree driver sends 8 bytes; ib_cm zero-fills the rest. */
	const u8 intree[kPrivLen] = {0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0xff, 0xf4};
	EXPECT_EQ(decode_priv(intree).caps, 0u);
	/* Capability bits without the magic are someone else's bytes. */
	const u8 junk[kPrivLen] = {0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0xff, 0xf4,
				   'I',  'P',  'O',  'X',  0xff, 0xff, 0xff, 0xff};
	EXPECT_EQ(decode_priv(junk).caps, 0u);
}

TEST(IpoibCmProto, PrivDataIgnoresQpnHighByte)
{
	const u8 in[kPrivLen] = {0xab, 0x00, 0x00, 0x48, 0x00, 0x00, 0x08, 0x00};
	PrivData p = decode_priv(in);
	EXPECT_EQ(p.qpn, 0x48u);
	EXPECT_EQ(p.mtu, 2048u);
}

TEST(IpoibCmProto, RepMtu)
{
	EXPECT_TRUE(rep_mtu(0).is_err());
	EXPECT_TRUE(rep_mtu(4).is_err());
	EXPECT_EQ(rep_mtu(5).value(), 1u);
	EXPECT_EQ(rep_mtu(kBufSize).value(), kMtu);
	EXPECT_EQ(rep_mtu(2048 + 4).value(), 2048u);
	/* A peer advertising more than we send is capped. */
	EXPECT_EQ(rep_mtu(0x100000).value(), kMtu);
}

TEST(IpoibCmProto, MaxMtuAndFrags)
{
	EXPECT_EQ(max_mtu(false, 0), 65520u);
	EXPECT_EQ(max_mtu(true, 16), 65520u);
	EXPECT_EQ(max_mtu(true, 32), 65520u);
	EXPECT_EQ(max_mtu(true, 4), 4u * 4096 - 16);
	EXPECT_EQ(rx_frags(false, 0), 16u);
	EXPECT_EQ(rx_frags(true, 4), 4u);
	EXPECT_EQ(rx_frags(true, 64), 16u);
}

TEST(IpoibCmProto, WrIds)
{
	EXPECT_FALSE(wr_is_cm(0));
	EXPECT_FALSE(wr_is_cm(0xffffffffULL)); /* the UD ring's ids stay below 2^32 */
	EXPECT_TRUE(wr_is_cm(wr_cm(7)));
	EXPECT_EQ(wr_slot(wr_cm(7)), 7u);
	EXPECT_EQ(wr_slot(wr_cm(0xffffffffu)), 0xffffffffu);
	EXPECT_FALSE(wr_is_drain(wr_cm(7)));
	EXPECT_TRUE(wr_is_drain(kWrCm | kWrDrain));
	EXPECT_TRUE(wr_is_cm(kWrCm | kWrDrain));
}

TEST(IpoibCmProto, TxHappyPath)
{
	auto s = tx_step(TxState::Idle, TxEvent::Started);
	ASSERT_TRUE(s.is_ok());
	EXPECT_EQ(s.value().next, TxState::Connecting);
	EXPECT_FALSE(s.value().requeue);
	EXPECT_FALSE(s.value().teardown);
	s = tx_step(TxState::Connecting, TxEvent::Rep);
	ASSERT_TRUE(s.is_ok());
	EXPECT_EQ(s.value().next, TxState::Connected);
	EXPECT_TRUE(s.value().requeue);
	EXPECT_FALSE(s.value().teardown);
}

TEST(IpoibCmProto, TxTotalAndDeadIsFinal)
{
	for (TxState st : kTxStates) {
		for (TxEvent ev : kTxEvents) {
			auto s = tx_step(st, ev);
			if (st == TxState::Dead) {
				EXPECT_TRUE(s.is_err());
				continue;
			}
			if (s.is_err())
				continue;
			/* Every move either stays alive without teardown or dies with it. */
			EXPECT_EQ(s.value().next == TxState::Dead, s.value().teardown);
			EXPECT_FALSE(s.value().requeue && s.value().teardown);
		}
	}
}

TEST(IpoibCmProto, TxEndings)
{
	/* A flush kills in every live state; a REJ or error only once a REQ went out. */
	for (TxState st : {TxState::Idle, TxState::Connecting, TxState::Connected})
		EXPECT_EQ(tx_step(st, TxEvent::Flush).value().next, TxState::Dead);
	EXPECT_TRUE(tx_step(TxState::Idle, TxEvent::Rej).is_err());
	EXPECT_TRUE(tx_step(TxState::Idle, TxEvent::Rep).is_err());
	EXPECT_TRUE(tx_step(TxState::Connected, TxEvent::Rep).is_err());
	EXPECT_TRUE(tx_step(TxState::Connected, TxEvent::Started).is_err());
	EXPECT_EQ(tx_step(TxState::Connecting, TxEvent::RepBad).value().next, TxState::Dead);
	EXPECT_TRUE(tx_step(TxState::Connected, TxEvent::RepBad).is_err());
	auto d = tx_step(TxState::Connected, TxEvent::Dreq);
	ASSERT_TRUE(d.is_ok());
	EXPECT_TRUE(d.value().send_drep);
	EXPECT_TRUE(d.value().teardown);
	EXPECT_EQ(tx_step(TxState::Connected, TxEvent::Error).value().next, TxState::Dead);
	EXPECT_EQ(tx_step(TxState::Idle, TxEvent::StartFailed).value().next, TxState::Dead);
	EXPECT_TRUE(tx_step(TxState::Connecting, TxEvent::StartFailed).is_err());
}

TEST(IpoibCmProto, RxWithSrqWaitsForLastWqe)
{
	auto s = rx_step(RxState::Live, RxEvent::Dreq, true);
	ASSERT_TRUE(s.is_ok());
	EXPECT_EQ(s.value().next, RxState::Flushing);
	EXPECT_TRUE(s.value().to_err);
	EXPECT_FALSE(s.value().post_drain);
	EXPECT_TRUE(s.value().send_drep);
	s = rx_step(RxState::Flushing, RxEvent::LastWqe, true);
	EXPECT_EQ(s.value().next, RxState::Draining);
	EXPECT_TRUE(s.value().post_drain);
	EXPECT_FALSE(s.value().to_err);
	s = rx_step(RxState::Draining, RxEvent::Drained, true);
	EXPECT_EQ(s.value().next, RxState::Gone);
	EXPECT_TRUE(s.value().reap);
}

TEST(IpoibCmProto, RxWithoutSrqWaitsForItsRing)
{
	/* No drain WR: the QP's own receives flush back, and the last one is Drained. */
	auto s = rx_step(RxState::Live, RxEvent::Stale, false);
	ASSERT_TRUE(s.is_ok());
	EXPECT_EQ(s.value().next, RxState::Draining);
	EXPECT_TRUE(s.value().to_err);
	EXPECT_FALSE(s.value().post_drain);
	EXPECT_FALSE(s.value().send_drep);
	s = rx_step(RxState::Draining, RxEvent::Drained, false);
	EXPECT_EQ(s.value().next, RxState::Gone);
	EXPECT_TRUE(s.value().reap);
}

TEST(IpoibCmProto, RxRepeatsAreNoOps)
{
	for (bool srq : {false, true}) {
		for (RxState st : kRxStates) {
			for (RxEvent ev : kRxEvents) {
				auto s = rx_step(st, ev, srq);
				if (st == RxState::Gone) {
					EXPECT_TRUE(s.is_err());
					continue;
				}
				if (s.is_err()) {
					/* Only a drain completion nobody asked for is an error. */
					EXPECT_EQ(ev, RxEvent::Drained);
					EXPECT_NE(st, RxState::Draining);
					continue;
				}
				/* Teardown starts once: only Live moves the QP to ERR. */
				if (s.value().to_err) {
					EXPECT_EQ(st, RxState::Live);
				}
				/* The drain WR goes once, and only with an SRQ. */
				if (s.value().post_drain) {
					EXPECT_TRUE(srq);
					EXPECT_EQ(s.value().next, RxState::Draining);
				}
				if (s.value().reap) {
					EXPECT_EQ(s.value().next, RxState::Gone);
				}
			}
		}
	}
	/* A second DREQ while flushing still gets its DREP, and nothing else. */
	auto s = rx_step(RxState::Flushing, RxEvent::Dreq, true);
	EXPECT_EQ(s.value().next, RxState::Flushing);
	EXPECT_TRUE(s.value().send_drep);
	EXPECT_FALSE(s.value().to_err);
}

TEST(IpoibCmProto, Stale)
{
	const StaleTiming intree = stale_timing(0);
	EXPECT_EQ(intree.idle_ms, 512000u);
	EXPECT_EQ(intree.period_ms, 768000u);
	EXPECT_EQ(intree.stamp_ms, 256000u);
	const StaleTiming test = stale_timing(2000);
	EXPECT_EQ(test.idle_ms, 2000u);
	EXPECT_EQ(test.period_ms, 3000u);
	EXPECT_EQ(test.stamp_ms, 1000u);
	EXPECT_FALSE(rx_stale(1000, 500, 2000));
	EXPECT_FALSE(rx_stale(2500, 500, 2000));
	EXPECT_TRUE(rx_stale(2501, 500, 2000));
	EXPECT_FALSE(rx_stale(100, 500, 2000)); /* a stamp from the future is not stale */
}

TEST(IpoibCmProto, TxPath)
{
	/* To a connected RC peer: up to the connection's MTU. */
	EXPECT_EQ(cm_tx_path(true, true, 65524, 65520, 2044), CmTxPath::Connection);
	EXPECT_EQ(cm_tx_path(true, true, 65525, 65520, 2044), CmTxPath::TooBig);
	/* To a datagram peer (or before connected mode): up to the UD MTU, then PMTU emulation. */
	EXPECT_EQ(cm_tx_path(false, true, 2048, 65520, 2044), CmTxPath::Ud);
	EXPECT_EQ(cm_tx_path(false, true, 2049, 65520, 2044), CmTxPath::TooBig);
	EXPECT_EQ(cm_tx_path(true, false, 2049, 65520, 2044), CmTxPath::TooBig);
}
