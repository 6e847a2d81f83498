// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/rtnl_link.h and the sysfs count check of kern/netdev.h:
// the registration's lifetime, attribute conversion, the extended ack,
// and how a show/store result becomes what sysfs returns.

#include <gtest/gtest.h>

#include "kapi_user.h"
#include "kern/rtnl_link.h"

using kern::Error;
using kern::Result;
using kern::RtnlLinkRegistration;
using kern::usize;
namespace err = kern::err;

TEST(RtnlLinkRegistration, RegistersOnceAndUnregistersOnDestruction)
{
	{
		RtnlLinkRegistration reg;
		EXPECT_FALSE(reg.registered());
		ASSERT_TRUE(reg.enable().is_ok());
		EXPECT_TRUE(reg.registered());
		EXPECT_TRUE(kapi_test::rtnl_link_registered());
		// A second call keeps the one registration.
		EXPECT_TRUE(reg.enable().is_ok());
	}
	EXPECT_FALSE(kapi_test::rtnl_link_registered());
}

TEST(RtnlLinkRegistration, FailureLeavesNothingToUndo)
{
	kapi_test::rtnl_link_fail_register(-err::EEXIST);
	RtnlLinkRegistration reg;
	kern::Status st = reg.enable();
	ASSERT_TRUE(st.is_err());
	EXPECT_EQ(st.error().code(), -err::EEXIST);
	EXPECT_FALSE(reg.registered());
	reg.reset(); // No unregister without a registration (the fake would fail the test).
}

TEST(RtnlLinkRegistration, ResetIsIdempotent)
{
	RtnlLinkRegistration reg;
	ASSERT_TRUE(reg.enable().is_ok());
	reg.reset();
	reg.reset();
	EXPECT_FALSE(kapi_test::rtnl_link_registered());
}

TEST(LinkAttrs, ConvertsPresenceAndValues)
{
	kapi_link_attrs a = {};
	a.has_pkey = 1;
	a.pkey = 0x8001;
	a.has_umcast = 1;
	a.umcast = 0;
	kern::LinkAttrs out = kern::detail::from_kapi(&a);
	EXPECT_TRUE(out.has_pkey);
	EXPECT_EQ(out.pkey, 0x8001);
	EXPECT_FALSE(out.has_mode);
	EXPECT_TRUE(out.has_umcast);
	EXPECT_EQ(out.umcast, 0);
}

TEST(ExtAck, StoresTheMessageAndToleratesNull)
{
	kapi_ext_ack ack;
	kern::ExtAck(&ack).set_msg("P_Key already in use");
	EXPECT_STREQ(ack.msg, "P_Key already in use");
	kern::ExtAck(nullptr).set_msg("ignored");
}

TEST(SysfsCount, PassesCountsAndErrors)
{
	EXPECT_EQ(kern::detail::sysfs_count(Result<usize>(usize(5)), 4096), 5);
	EXPECT_EQ(kern::detail::sysfs_count(Result<usize>(usize(0)), 1), 0);
	EXPECT_EQ(kern::detail::sysfs_count(Result<usize>(Error(-err::EPERM)), 4096), -err::EPERM);
}

TEST(SysfsCount, RejectsCountsBeyondTheBuffer)
{
	EXPECT_EQ(kern::detail::sysfs_count(Result<usize>(usize(4096)), 4096), -err::EIO);
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
}
