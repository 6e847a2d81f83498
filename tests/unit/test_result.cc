// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/result.h: Error's invariant, Result/Status, TRY().

#include <cerrno>
#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <utility>

// Captured before kern/result.h removes libc's errno macros, to check that
// kern::err agrees with the host (Linux x86_64) value by value.
struct LibcErrno {
	const char *name;
	int value;
};
static const LibcErrno kLibcErrnos[] = {
	{"EPERM", EPERM},         {"ENOENT", ENOENT},
	{"EIO", EIO},             {"ENXIO", ENXIO},
	{"E2BIG", E2BIG},         {"EAGAIN", EAGAIN},
	{"ENOMEM", ENOMEM},       {"EFAULT", EFAULT},
	{"EBUSY", EBUSY},         {"EEXIST", EEXIST},
	{"ENODEV", ENODEV},       {"EINVAL", EINVAL},
	{"ENOSPC", ENOSPC},       {"ERANGE", ERANGE},
	{"ENODATA", ENODATA},     {"ETIME", ETIME},
	{"ENOLINK", ENOLINK},     {"EPROTO", EPROTO},
	{"EOVERFLOW", EOVERFLOW}, {"ENOTUNIQ", ENOTUNIQ},
	{"EOPNOTSUPP", EOPNOTSUPP}, {"ENETDOWN", ENETDOWN},
	{"ENETUNREACH", ENETUNREACH}, {"ENETRESET", ENETRESET},
	{"ECONNRESET", ECONNRESET}, {"ENOBUFS", ENOBUFS},
	{"ETIMEDOUT", ETIMEDOUT}, {"EHOSTUNREACH", EHOSTUNREACH},
	{"ECANCELED", ECANCELED},
};

#include "kapi_user.h"
#include "kern/memory.h"
#include "kern/result.h"

using kern::Error;
using kern::Result;
using kern::Status;
using kern::UniquePtr;
namespace err = kern::err;

namespace {

TEST(Errno, ConstantsMatchLinuxValues)
{
	const int ours[] = {
		err::EPERM,     err::ENOENT,     err::EIO,       err::ENXIO,      err::E2BIG,
		err::EAGAIN,    err::ENOMEM,     err::EFAULT,    err::EBUSY,      err::EEXIST,
		err::ENODEV,    err::EINVAL,     err::ENOSPC,    err::ERANGE,     err::ENODATA,
		err::ETIME,     err::ENOLINK,    err::EPROTO,    err::EOVERFLOW,  err::ENOTUNIQ,
		err::EOPNOTSUPP, err::ENETDOWN,  err::ENETUNREACH, err::ENETRESET, err::ECONNRESET,
		err::ENOBUFS,   err::ETIMEDOUT,  err::EHOSTUNREACH, err::ECANCELED,
	};
	static_assert(sizeof(ours) / sizeof(ours[0]) == sizeof(kLibcErrnos) / sizeof(kLibcErrnos[0]));
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
		EXPECT_EQ(ours[i], kLibcErrnos[i].value) << kLibcErrnos[i].name;
	EXPECT_EQ(err::MAX_ERRNO, 4095);
}

TEST(Error, HoldsValidNegativeErrno)
{
	EXPECT_EQ(Error(-err::ENOMEM).code(), -12);
	EXPECT_EQ(Error(-1).code(), -1);
	EXPECT_EQ(Error(-4095).code(), -4095);
	EXPECT_EQ(Error(-err::EIO), Error(-err::EIO));
	EXPECT_NE(Error(-err::EIO), Error(-err::EINVAL));
	EXPECT_EQ(kapi_test::warn_count(), 0);
}

TEST(Error, ZeroPositiveOrTooNegativeWarnsAndBecomesEinval)
{
	EXPECT_EQ(Error(0).code(), -err::EINVAL);
	EXPECT_EQ(Error(12).code(), -err::EINVAL);
	EXPECT_EQ(Error(-4096).code(), -err::EINVAL);
	const auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 3u);
	// The report names the line that built the bad Error, not result.h.
	for (const auto &w : warnings)
		EXPECT_NE(w.find("test_result.cc"), std::string::npos) << w;
}

TEST(Error, UsableInConstantExpressions)
{
	constexpr Error e(-err::EBUSY);
	static_assert(e.code() == -16);
	SUCCEED();
}

Result<int> parse_digit(char c)
{
	if (c < '0' || c > '9')
		return Error(-err::EINVAL);
	return c - '0';
}

TEST(Result, CarriesValueOrError)
{
	Result<int> good = parse_digit('7');
	ASSERT_TRUE(good.is_ok());
	EXPECT_FALSE(good.is_err());
	EXPECT_EQ(good.value(), 7);

	Result<int> bad = parse_digit('x');
	ASSERT_TRUE(bad.is_err());
	EXPECT_FALSE(bad.is_ok());
	EXPECT_EQ(bad.error().code(), -err::EINVAL);
	EXPECT_EQ(kapi_test::warn_count(), 0);
}

TEST(Result, ValueOnErrorWarnsAndYieldsValueInitialisedT)
{
	Result<int> bad = Error(-err::EIO);
	EXPECT_EQ(bad.value(), 0);
	EXPECT_EQ(bad.release_value(), 0);
	const Result<std::string> bad_str = Error(-err::EIO);
	EXPECT_EQ(bad_str.value(), "");
	const auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 3u);
	EXPECT_NE(warnings[0].find("value() called on a failed Result"), std::string::npos);
	EXPECT_NE(warnings[0].find("test_result.cc"), std::string::npos);
	EXPECT_NE(warnings[1].find("release_value()"), std::string::npos);
	// The error itself is untouched by the misuse.
	EXPECT_EQ(bad.error().code(), -err::EIO);
}

TEST(Result, ErrorOnSuccessWarnsAndYieldsEinval)
{
	Result<int> good = 3;
	EXPECT_EQ(good.error().code(), -err::EINVAL);
	Status st = kern::ok();
	EXPECT_EQ(st.error().code(), -err::EINVAL);
	EXPECT_EQ(kapi_test::take_warnings().size(), 2u);
	EXPECT_TRUE(good.is_ok()); // Still a success.
}

TEST(Result, CopiesAndMovesCopyableValues)
{
	Result<std::string> a = std::string("ipoib");
	Result<std::string> b = a;
	EXPECT_EQ(b.value(), "ipoib");
	Result<std::string> c = kern::move(a);
	EXPECT_EQ(c.value(), "ipoib");
	c = Error(-err::ENOENT);
	EXPECT_TRUE(c.is_err());
	c = b;
	EXPECT_EQ(c.value(), "ipoib");
}

struct Widget {
	explicit Widget(int v) : value(v) {}
	int value;
};

Result<UniquePtr<Widget>> make_widget(int v)
{
	return kern::try_make<Widget>(kern::Gfp::Kernel, v);
}

TEST(Result, HoldsMoveOnlyValues)
{
	static_assert(!std::is_copy_constructible_v<Result<UniquePtr<Widget>>>);
	static_assert(std::is_move_constructible_v<Result<UniquePtr<Widget>>>);

	Result<UniquePtr<Widget>> r = make_widget(5);
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value()->value, 5);

	Result<UniquePtr<Widget>> moved = kern::move(r);
	UniquePtr<Widget> w = moved.release_value();
	ASSERT_TRUE(w);
	EXPECT_EQ(w->value, 5);
	EXPECT_FALSE(moved.value()); // Moved out, no double ownership.
	EXPECT_EQ(kapi_test::live_allocs(), 1);
}

struct Base {
	virtual ~Base() = default;
	virtual int id() const { return 1; }
};
struct Derived : Base {
	int id() const override { return 2; }
};

Result<UniquePtr<Base>> make_base(bool fail)
{
	if (fail)
		return nullptr; // Converting construction from nullptr_t.
	return kern::make<Derived>(kern::Gfp::Kernel); // And from UniquePtr<Derived>.
}

TEST(Result, ConvertsFromRelatedValueTypes)
{
	// Only implicit conversions: a raw pointer cannot become an owner by accident.
	static_assert(!std::is_constructible_v<Result<UniquePtr<Widget>>, Widget *>);
	static_assert(std::is_convertible_v<UniquePtr<Derived>, Result<UniquePtr<Base>>>);
	static_assert(std::is_convertible_v<short, Result<long>>);
	Result<UniquePtr<Base>> r = make_base(false);
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value()->id(), 2);
	Result<UniquePtr<Base>> n = make_base(true);
	ASSERT_TRUE(n.is_ok());
	EXPECT_FALSE(n.value());
}

TEST(Status, OkFromErrnoToErrno)
{
	EXPECT_TRUE(kern::ok().is_ok());
	EXPECT_EQ(kern::to_errno(kern::ok()), 0);
	EXPECT_TRUE(kern::from_errno(0).is_ok());
	EXPECT_TRUE(kern::from_errno(42).is_ok()); // Positive counts are success.
	Status st = kern::from_errno(-err::ETIMEDOUT);
	ASSERT_TRUE(st.is_err());
	EXPECT_EQ(st.error().code(), -err::ETIMEDOUT);
	EXPECT_EQ(kern::to_errno(st), -err::ETIMEDOUT);
	EXPECT_EQ(kern::to_errno(parse_digit('1')), 0);
	EXPECT_EQ(kern::to_errno(parse_digit('z')), -err::EINVAL);
}

TEST(Status, FromErrnoBelowMaxErrnoWarns)
{
	Status st = kern::from_errno(-100000);
	EXPECT_EQ(st.error().code(), -err::EINVAL);
	const auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 1u);
	EXPECT_NE(warnings[0].find("test_result.cc"), std::string::npos) << warnings[0];
}

// ---- TRY ----------------------------------------------------------------

int g_steps;

Status step(bool fail)
{
	g_steps++;
	return fail ? Status(Error(-err::EIO)) : kern::ok();
}

Status run_steps(bool fail_second)
{
	TRY(step(false));
	TRY(step(fail_second));
	TRY(step(false));
	return kern::ok();
}

TEST(Try, StatusPropagatesFirstErrorAndStops)
{
	g_steps = 0;
	EXPECT_TRUE(run_steps(false).is_ok());
	EXPECT_EQ(g_steps, 3);

	g_steps = 0;
	Status st = run_steps(true);
	ASSERT_TRUE(st.is_err());
	EXPECT_EQ(st.error().code(), -err::EIO);
	EXPECT_EQ(g_steps, 2);
}

Result<int> sum_digits(const char *s)
{
	int sum = 0;
	for (; *s; s++)
		sum += TRY(parse_digit(*s));
	return sum;
}

TEST(Try, ResultYieldsValueOrReturnsError)
{
	Result<int> ok = sum_digits("1234");
	ASSERT_TRUE(ok.is_ok());
	EXPECT_EQ(ok.value(), 10);
	Result<int> bad = sum_digits("12a4");
	ASSERT_TRUE(bad.is_err());
	EXPECT_EQ(bad.error().code(), -err::EINVAL);
}

int g_evaluations;

Result<int> counted(int v)
{
	g_evaluations++;
	return v;
}

Result<int> twice(int v)
{
	return TRY(counted(v)) * 2;
}

TEST(Try, EvaluatesExpressionExactlyOnce)
{
	g_evaluations = 0;
	EXPECT_EQ(twice(21).value(), 42);
	EXPECT_EQ(g_evaluations, 1);
}

Result<UniquePtr<Widget>> forward_widget(int v)
{
	UniquePtr<Widget> w = TRY(make_widget(v));
	w->value++;
	return w;
}

TEST(Try, MovesMoveOnlyValuesOut)
{
	Result<UniquePtr<Widget>> r = forward_widget(9);
	ASSERT_TRUE(r.is_ok());
	EXPECT_EQ(r.value()->value, 10);
	EXPECT_EQ(kapi_test::live_allocs(), 1);
}

TEST(Try, ConvertsErrorIntoCallersResultTypeWithoutLeaking)
{
	kapi_test::fail_nth_alloc(1);
	Result<UniquePtr<Widget>> r = forward_widget(9);
	ASSERT_TRUE(r.is_err());
	EXPECT_EQ(r.error().code(), -err::ENOMEM);
	EXPECT_EQ(kapi_test::live_allocs(), 0);
}

Status uses_result_in_status_function(char c)
{
	int digit = TRY(parse_digit(c));
	return digit == 0 ? Status(Error(-err::ERANGE)) : kern::ok();
}

TEST(Try, ResultErrorPropagatesThroughStatusFunction)
{
	EXPECT_TRUE(uses_result_in_status_function('4').is_ok());
	EXPECT_EQ(uses_result_in_status_function('0').error().code(), -err::ERANGE);
	EXPECT_EQ(uses_result_in_status_function('?').error().code(), -err::EINVAL);
}

Result<int> nested(const char *a, const char *b)
{
	return TRY(sum_digits(a)) + TRY(sum_digits(b));
}

TEST(Try, Nests)
{
	EXPECT_EQ(nested("12", "34").value(), 10);
	EXPECT_EQ(nested("12", "3x").error().code(), -err::EINVAL);
}

} // namespace
