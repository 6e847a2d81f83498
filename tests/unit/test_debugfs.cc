// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/debugfs.h over the debugfs fakes in kapi_user.cc: the two
// fill forms and how they drive the glue's grow-and-retry loop, ownership
// (reset, destructor, move), rename, and carrying on when debugfs is
// missing. kapi_test::debugfs_read() runs the same loop as kapi/debugfs.c.

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kapi_user.h"
#include "ipoib/buf_writer.h"
#include "ipoib/debugfs_fmt.h"
#include "kern/debugfs.h"

using kern::DebugfsDir;
using kern::DebugfsFile;
using kern::Span;
using kern::usize;
namespace err = kern::err;

namespace {

using Strings = std::vector<std::string>;

// An owner in the driver's style: a table printed with BufWriter and the
// in-tree record format.
struct PathTable {
	std::vector<ipoib::PathRecordInfo> paths;
	int fills = 0;

	void show(ipoib::BufWriter &w)
	{
		fills++;
		for (const auto &p : paths)
			if (!ipoib::write_path_record(w, p))
				return; // The rest would not fit either; the glue calls again.
	}

	std::string expected() const
	{
		std::string out;
		for (const auto &p : paths) {
			char buf[256];
			ipoib::BufWriter w(buf);
			EXPECT_TRUE(ipoib::write_path_record(w, p));
			out += buf;
		}
		return out;
	}
};

ipoib::PathRecordInfo path(unsigned i)
{
	ipoib::PathRecordInfo p;
	p.m_dgid = ipoib::Gid::from_parts(0xfe80000000000000ull, 0x0002c90300000000ull + i);
	p.m_dlid = i % 3 ? i : 0; // Some unresolved, printed without DLID/SL/rate.
	p.m_sl = static_cast<kern::u8>(i % 16);
	p.m_rate = 3;
	return p;
}

// The raw form: reports the exact length it needs.
struct Raw {
	std::string text;
	usize claim = 0; // Non-zero: return this instead of the length.

	usize show(Span<char> buf)
	{
		if (claim)
			return claim;
		if (text.size() < buf.size())
			text.copy(buf.data(), text.size());
		return text.size();
	}
};

// Every signature the wrapper accepts must compile.
struct Forms {
	std::string text = "x\n";
	void w_const(ipoib::BufWriter &w) const { w.put_str(text.c_str()); }
	void w_noexcept(ipoib::BufWriter &w) noexcept { w.put_str(text.c_str()); }
	void w_const_noexcept(ipoib::BufWriter &w) const noexcept { w.put_str(text.c_str()); }
	usize r_const(Span<char> buf) const { return text.copy(buf.data(), buf.size() - 1); }
	usize r_noexcept(Span<char> buf) noexcept { return text.copy(buf.data(), buf.size() - 1); }
};

DebugfsDir make_dir(const char *name)
{
	auto r = DebugfsDir::create(name);
	EXPECT_TRUE(r.is_ok());
	return r.is_ok() ? r.release_value() : DebugfsDir();
}

TEST(Debugfs, DirAndFileAppearAndGoInOrder)
{
	PathTable table;
	table.paths = {path(1), path(2), path(3)};
	DebugfsDir root = make_dir("ipoib");
	ASSERT_TRUE(root);
	{
		auto f = DebugfsFile::create<PathTable, &PathTable::show>(root, "ib0_path", &table);
		ASSERT_TRUE(f.is_ok());
		DebugfsFile file = f.release_value();
		EXPECT_TRUE(file);
		EXPECT_EQ(kapi_test::debugfs_entries(), (Strings{"ipoib/", "ipoib/ib0_path"}));

		auto r = kapi_test::debugfs_read("ipoib/ib0_path");
		EXPECT_EQ(r.err, 0);
		EXPECT_EQ(r.text, table.expected());
		EXPECT_EQ(r.fills, 1);
	}
	// The destructor removed the file; no fill can reach the owner now.
	EXPECT_EQ(kapi_test::debugfs_entries(), (Strings{"ipoib/"}));
	EXPECT_EQ(kapi_test::debugfs_read("ipoib/ib0_path").err, -err::ENOENT);
	root.reset();
	EXPECT_FALSE(root);
	EXPECT_TRUE(kapi_test::debugfs_entries().empty());
}

TEST(Debugfs, WriterOverflowRetriesWithDoubledBuffer)
{
	PathTable table;
	for (unsigned i = 0; i < 200; i++)
		table.paths.push_back(path(i));
	const std::string want = table.expected();
	ASSERT_GT(want.size(), 2 * kern::kPageSize);

	DebugfsDir root = make_dir("ipoib");
	auto file = DebugfsFile::create<PathTable, &PathTable::show>(root, "ib0_path", &table).release_value();

	auto r = kapi_test::debugfs_read("ipoib/ib0_path", 64);
	EXPECT_EQ(r.err, 0);
	EXPECT_EQ(r.text, want);
	ASSERT_GE(r.caps.size(), 2u);
	for (usize i = 1; i < r.caps.size(); i++)
		EXPECT_EQ(r.caps[i], 2 * r.caps[i - 1]);
	EXPECT_GT(r.caps.back(), want.size()); // Room for the writer's NUL.
	EXPECT_EQ(table.fills, r.fills);

	// The default first buffer is a page.
	r = kapi_test::debugfs_read("ipoib/ib0_path");
	EXPECT_EQ(r.caps.front(), KAPI_DEBUGFS_FIRST_CAP);
	EXPECT_EQ(r.text, want);
	file.reset();
}

TEST(Debugfs, TextOfExactlyCapMinusOneFitsFirstTime)
{
	Raw raw;
	raw.text = std::string(63, 'a');
	DebugfsDir root = make_dir("d");
	auto file = DebugfsFile::create<Raw, &Raw::show>(root, "f", &raw).release_value();
	auto r = kapi_test::debugfs_read("d/f", 64);
	EXPECT_EQ(r.fills, 1);
	EXPECT_EQ(r.text, raw.text);

	// One more byte and the text plus NUL no longer fit: called again.
	raw.text.push_back('b');
	r = kapi_test::debugfs_read("d/f", 64);
	EXPECT_EQ(r.fills, 2);
	EXPECT_EQ(r.text, raw.text);
	file.reset();
}

TEST(Debugfs, RawFormGrowsStraightToWhatItAsked)
{
	Raw raw;
	raw.text = std::string(1000, 'z');
	DebugfsDir root = make_dir("d");
	auto file = DebugfsFile::create<Raw, &Raw::show>(root, "f", &raw).release_value();
	auto r = kapi_test::debugfs_read("d/f", 16);
	EXPECT_EQ(r.err, 0);
	EXPECT_EQ(r.caps, (std::vector<kapi_size>{16, 1001}));
	EXPECT_EQ(r.text, raw.text);
	file.reset();
}

TEST(Debugfs, TooLargeIsEFBIG)
{
	Raw raw;
	raw.claim = KAPI_DEBUGFS_MAX_TEXT;
	DebugfsDir root = make_dir("d");
	auto file = DebugfsFile::create<Raw, &Raw::show>(root, "f", &raw).release_value();
	auto r = kapi_test::debugfs_read("d/f");
	EXPECT_EQ(r.err, -EFBIG);
	EXPECT_EQ(r.fills, 1); // Known not to fit: no pointless retry.

	// Just under the limit is still served (from a full-size buffer).
	raw.claim = 0;
	raw.text = std::string(KAPI_DEBUGFS_MAX_TEXT - 1, 'q');
	r = kapi_test::debugfs_read("d/f");
	EXPECT_EQ(r.err, 0);
	EXPECT_EQ(r.caps.back(), KAPI_DEBUGFS_MAX_TEXT);
	EXPECT_EQ(r.text.size(), KAPI_DEBUGFS_MAX_TEXT - 1);
	file.reset();
}

// A writer that can never fit ends at the limit rather than looping.
struct Endless {
	void show(ipoib::BufWriter &w)
	{
		for (;;) {
			const usize before = w.size();
			w.put_str("0123456789abcdef");
			if (w.overflowed() || w.size() == before)
				return;
		}
	}
};

TEST(Debugfs, AlwaysOverflowingWriterStopsAtTheLimit)
{
	Endless e;
	DebugfsDir root = make_dir("d");
	auto file = DebugfsFile::create<Endless, &Endless::show>(root, "f", &e).release_value();
	auto r = kapi_test::debugfs_read("d/f");
	EXPECT_EQ(r.err, -EFBIG);
	EXPECT_EQ(r.caps.back(), KAPI_DEBUGFS_MAX_TEXT);
	EXPECT_EQ(r.fills, 11); // 4 KiB, 8 KiB ... 4 MiB.
	file.reset();
}

TEST(Debugfs, EveryFillSignatureBinds)
{
	Forms forms;
	DebugfsDir root = make_dir("d");
	auto a = DebugfsFile::create<Forms, &Forms::w_const>(root, "a", &forms).release_value();
	auto b = DebugfsFile::create<Forms, &Forms::w_noexcept>(root, "b", &forms).release_value();
	auto c = DebugfsFile::create<Forms, &Forms::w_const_noexcept>(root, "c", &forms).release_value();
	auto d = DebugfsFile::create<Forms, &Forms::r_const>(root, "d", &forms).release_value();
	auto e = DebugfsFile::create<Forms, &Forms::r_noexcept>(root, "e", &forms).release_value();
	for (const char *name : {"d/a", "d/b", "d/c", "d/d", "d/e"})
		EXPECT_EQ(kapi_test::debugfs_read(name).text, "x\n") << name;
	a.reset();
	b.reset();
	c.reset();
	d.reset();
	e.reset();
}

// A fill inherited from a base class binds to the derived owner.
struct DerivedTable : PathTable {
	int other = 0;
};

TEST(Debugfs, BaseClassMemberBindsToDerivedOwner)
{
	DerivedTable t;
	t.paths = {path(1)};
	DebugfsDir root = make_dir("d");
	auto f = DebugfsFile::create<DerivedTable, &PathTable::show>(root, "f", &t).release_value();
	EXPECT_EQ(kapi_test::debugfs_read("d/f").text, t.expected());
	f.reset();
}

TEST(Debugfs, NestedDirectories)
{
	Raw raw;
	raw.text = "hi\n";
	DebugfsDir root = make_dir("ipoib");
	auto sub = DebugfsDir::create("ib0", root);
	ASSERT_TRUE(sub.is_ok());
	DebugfsDir ib0 = sub.release_value();
	auto file = DebugfsFile::create<Raw, &Raw::show>(ib0, "stats", &raw).release_value();
	EXPECT_EQ(kapi_test::debugfs_entries(), (Strings{"ipoib/", "ipoib/ib0/", "ipoib/ib0/stats"}));
	EXPECT_EQ(kapi_test::debugfs_read("ipoib/ib0/stats").text, "hi\n");
	file.reset();
	ib0.reset();
	root.reset();
}

TEST(Debugfs, DebugfsMissingIsAnErrorTheDriverCanIgnore)
{
	kapi_test::debugfs_fail_creates(-err::ENODEV);
	auto r = DebugfsDir::create("ipoib");
	ASSERT_TRUE(r.is_err());
	EXPECT_EQ(r.error().code(), -err::ENODEV);
	DebugfsDir root; // What the driver keeps: an empty directory.
	kapi_test::debugfs_fail_creates(0);

	// Everything below an empty directory fails without touching the glue,
	// and never lands in the debugfs root.
	auto sub = DebugfsDir::create("ib0", root);
	ASSERT_TRUE(sub.is_err());
	EXPECT_EQ(sub.error().code(), -err::ENODEV);
	PathTable table;
	auto f = DebugfsFile::create<PathTable, &PathTable::show>(root, "ib0_path", &table);
	ASSERT_TRUE(f.is_err());
	EXPECT_EQ(f.error().code(), -err::ENODEV);

	// Empty objects tear down quietly; rename says there is nothing.
	DebugfsFile file;
	EXPECT_EQ(file.rename(root, "ib1_path").error().code(), -err::ENODEV);
	file.reset();
	root.reset();
	EXPECT_TRUE(kapi_test::debugfs_entries().empty());
	EXPECT_EQ(table.fills, 0);
}

TEST(Debugfs, DisabledAtBootReportsEPERM)
{
	kapi_test::debugfs_fail_creates(-err::EPERM);
	auto r = DebugfsDir::create("ipoib");
	ASSERT_TRUE(r.is_err());
	EXPECT_EQ(r.error().code(), -err::EPERM);
	kapi_test::debugfs_fail_creates(0);
}

TEST(Debugfs, CreateErrors)
{
	DebugfsDir root = make_dir("ipoib");
	Raw raw;
	auto a = DebugfsFile::create<Raw, &Raw::show>(root, "f", &raw).release_value();

	auto dup = DebugfsFile::create<Raw, &Raw::show>(root, "f", &raw);
	ASSERT_TRUE(dup.is_err());
	EXPECT_EQ(dup.error().code(), -err::EEXIST);

	auto dupdir = DebugfsDir::create("ipoib");
	ASSERT_TRUE(dupdir.is_err());
	EXPECT_EQ(dupdir.error().code(), -err::EEXIST);

	auto writable = DebugfsFile::create<Raw, &Raw::show>(root, "w", &raw, 0644);
	ASSERT_TRUE(writable.is_err());
	EXPECT_EQ(writable.error().code(), -err::EINVAL);

	auto owner_only = DebugfsFile::create<Raw, &Raw::show>(root, "o", &raw, 0400);
	EXPECT_TRUE(owner_only.is_ok());

	kapi_test::fail_nth_alloc(1);
	auto oom = DebugfsFile::create<Raw, &Raw::show>(root, "m", &raw);
	ASSERT_TRUE(oom.is_err());
	EXPECT_EQ(oom.error().code(), -err::ENOMEM);

	EXPECT_EQ(kapi_test::debugfs_entries(), (Strings{"ipoib/", "ipoib/f", "ipoib/o"}));
	owner_only.value().reset();
	a.reset();
}

TEST(Debugfs, RenameFollowsTheInterface)
{
	PathTable table;
	table.paths = {path(1)};
	DebugfsDir root = make_dir("ipoib");
	auto file = DebugfsFile::create<PathTable, &PathTable::show>(root, "ib0_path", &table).release_value();
	auto other = DebugfsFile::create<PathTable, &PathTable::show>(root, "ib1_path", &table).release_value();

	EXPECT_TRUE(file.rename(root, "ib5_path").is_ok());
	EXPECT_EQ(kapi_test::debugfs_entries(), (Strings{"ipoib/", "ipoib/ib1_path", "ipoib/ib5_path"}));
	EXPECT_EQ(kapi_test::debugfs_read("ipoib/ib5_path").text, table.expected());

	// An existing target: debugfs says -EINVAL and the old name stays.
	auto clash = file.rename(root, "ib1_path");
	ASSERT_TRUE(clash.is_err());
	EXPECT_EQ(clash.error().code(), -err::EINVAL);
	EXPECT_EQ(kapi_test::debugfs_entries(), (Strings{"ipoib/", "ipoib/ib1_path", "ipoib/ib5_path"}));

	// Only within the directory the file is in.
	DebugfsDir elsewhere = make_dir("elsewhere");
	EXPECT_EQ(file.rename(elsewhere, "x").error().code(), -err::EINVAL);
	elsewhere.reset();

	other.reset();
	file.reset();
}

TEST(Debugfs, MoveTransfersOwnership)
{
	Raw raw;
	raw.text = "a";
	DebugfsDir root = make_dir("ipoib");
	DebugfsFile a = DebugfsFile::create<Raw, &Raw::show>(root, "a", &raw).release_value();
	DebugfsFile b(kern::move(a));
	EXPECT_FALSE(a);
	EXPECT_TRUE(b);
	a.reset(); // Empty: no effect on b's file.
	EXPECT_EQ(kapi_test::debugfs_read("ipoib/a").text, "a");

	// Assigning over a live file removes the old one.
	DebugfsFile c = DebugfsFile::create<Raw, &Raw::show>(root, "c", &raw).release_value();
	c = kern::move(b);
	EXPECT_EQ(kapi_test::debugfs_entries(), (Strings{"ipoib/", "ipoib/a"}));
	c = kern::move(c); // Self-move keeps it.
	EXPECT_TRUE(c);

	DebugfsDir moved(kern::move(root));
	EXPECT_FALSE(root);
	c.reset();
	moved.reset();
	EXPECT_TRUE(kapi_test::debugfs_entries().empty());
}

TEST(Debugfs, RemovingTheDirectoryFirstIsReported)
{
	Raw raw;
	DebugfsDir root = make_dir("ipoib");
	DebugfsFile file = DebugfsFile::create<Raw, &Raw::show>(root, "f", &raw).release_value();
	root.reset(); // Takes the file with it, as debugfs_remove() does ...
	EXPECT_EQ(kapi_test::debugfs_read("ipoib/f").err, -err::ENOENT);
	// ... so the file's own removal would touch freed memory in the kernel.
	EXPECT_NONFATAL_FAILURE(file.reset(), "removed after its directory");
	EXPECT_TRUE(kapi_test::debugfs_entries().empty());
}

} // namespace
