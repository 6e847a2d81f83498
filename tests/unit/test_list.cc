// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// Tests for kern/list.h: intrusive list invariants, safe iteration,
// membership on several lists, and misuse reporting.

#include <gtest/gtest.h>

#include <memory>
#include <type_traits>
#include <vector>

#include "kapi_user.h"
#include "kern/list.h"

using kern::List;
using kern::ListNode;

namespace {

// Two nodes, neither at offset 0, so node-to-object conversion is exercised
// with non-zero offsets.
struct Neigh {
	explicit Neigh(int v) : value(v) {}
	int value;
	ListNode path_node;
	long padding[3] = {};
	ListNode hash_node;
};

using PathList = List<Neigh, &Neigh::path_node>;
using HashList = List<Neigh, &Neigh::hash_node>;

std::vector<int> values(const PathList &list)
{
	std::vector<int> out;
	for (const Neigh &n : list)
		out.push_back(n.value);
	return out;
}

std::vector<int> values(HashList &list)
{
	std::vector<int> out;
	for (Neigh &n : list)
		out.push_back(n.value);
	return out;
}

TEST(ListNode, StartsUnlinked)
{
	ListNode n;
	EXPECT_FALSE(n.in_list());
	static_assert(!std::is_copy_constructible_v<ListNode>);
	static_assert(!std::is_move_constructible_v<ListNode>);
	static_assert(!std::is_move_constructible_v<PathList>);
}

TEST(List, EmptyList)
{
	PathList l;
	EXPECT_TRUE(l.empty());
	EXPECT_EQ(l.size(), 0u);
	EXPECT_EQ(l.front(), nullptr);
	EXPECT_EQ(l.back(), nullptr);
	EXPECT_EQ(l.pop_front(), nullptr);
	EXPECT_EQ(l.pop_back(), nullptr);
	EXPECT_TRUE(l.begin() == l.end());
}

TEST(List, PushPopKeepsOrderAndCount)
{
	Neigh a(1), b(2), c(3);
	PathList l;
	l.push_back(b);
	l.push_front(a);
	l.push_back(c);
	EXPECT_EQ(l.size(), 3u);
	EXPECT_FALSE(l.empty());
	EXPECT_EQ(values(l), (std::vector<int>{1, 2, 3}));
	EXPECT_EQ(l.front(), &a);
	EXPECT_EQ(l.back(), &c);
	EXPECT_TRUE(a.path_node.in_list());

	EXPECT_EQ(l.pop_front(), &a);
	EXPECT_FALSE(a.path_node.in_list());
	EXPECT_EQ(l.pop_back(), &c);
	EXPECT_EQ(l.size(), 1u);
	EXPECT_EQ(values(l), (std::vector<int>{2}));
	EXPECT_EQ(l.pop_front(), &b);
	EXPECT_TRUE(l.empty());
	EXPECT_EQ(l.size(), 0u);
}

TEST(List, RemoveFromMiddleFrontAndBack)
{
	Neigh n[5] = {Neigh(0), Neigh(1), Neigh(2), Neigh(3), Neigh(4)};
	PathList l;
	for (auto &x : n)
		l.push_back(x);
	l.remove(n[2]);
	EXPECT_EQ(values(l), (std::vector<int>{0, 1, 3, 4}));
	l.remove(n[0]);
	l.remove(n[4]);
	EXPECT_EQ(values(l), (std::vector<int>{1, 3}));
	EXPECT_EQ(l.size(), 2u);
	EXPECT_FALSE(n[2].path_node.in_list());
	EXPECT_TRUE(l.contains(n[1]));
	EXPECT_FALSE(l.contains(n[2]));
	l.clear();
	EXPECT_TRUE(l.empty());
	EXPECT_EQ(l.size(), 0u);
	EXPECT_FALSE(n[1].path_node.in_list());
	EXPECT_EQ(kapi_test::warn_count(), 0);
}

TEST(List, RemovingCurrentElementDuringIterationIsSafe)
{
	std::vector<std::unique_ptr<Neigh>> owned;
	PathList l;
	for (int i = 0; i < 10; i++) {
		owned.push_back(std::make_unique<Neigh>(i));
		l.push_back(*owned.back());
	}
	std::vector<int> visited;
	for (Neigh &n : l) {
		visited.push_back(n.value);
		if (n.value % 2 == 0)
			l.remove(n);
	}
	EXPECT_EQ(visited, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
	EXPECT_EQ(values(l), (std::vector<int>{1, 3, 5, 7, 9}));
	EXPECT_EQ(l.size(), 5u);

	// Removing everything, then freeing the element inside the loop body.
	for (Neigh &n : l) {
		l.remove(n);
		for (auto &p : owned) {
			if (p.get() == &n)
				p.reset(); // ASan would catch the iterator touching it afterwards.
		}
	}
	EXPECT_TRUE(l.empty());
	EXPECT_EQ(kapi_test::warn_count(), 0);
}

TEST(List, RemovingTheNextElementDuringIterationWarnsAndStops)
{
	Neigh a(1), b(2), c(3);
	PathList l;
	l.push_back(a);
	l.push_back(b);
	l.push_back(c);
	std::vector<int> visited;
	for (Neigh &n : l) {
		visited.push_back(n.value);
		if (n.value == 1)
			l.remove(b); // Not the current element: a bug.
	}
	// The loop ends instead of spinning on b's self-linked node.
	EXPECT_EQ(visited, (std::vector<int>{1}));
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
	l.clear();
}

TEST(List, ObjectCanBeOnTwoListsAtOnce)
{
	Neigh a(1), b(2), c(3);
	PathList path;
	HashList hash;
	path.push_back(a);
	path.push_back(b);
	hash.push_back(c);
	hash.push_back(a);
	EXPECT_EQ(values(path), (std::vector<int>{1, 2}));
	EXPECT_EQ(values(hash), (std::vector<int>{3, 1}));

	path.remove(a);
	EXPECT_FALSE(a.path_node.in_list());
	EXPECT_TRUE(a.hash_node.in_list());
	EXPECT_EQ(values(hash), (std::vector<int>{3, 1}));
	EXPECT_EQ(hash.back(), &a);
	hash.clear();
	path.clear();
}

TEST(List, ConstAccess)
{
	Neigh a(4), b(5);
	PathList l;
	l.push_back(a);
	l.push_back(b);
	const PathList &cl = l;
	const Neigh *f = cl.front();
	ASSERT_NE(f, nullptr);
	EXPECT_EQ(f->value, 4);
	EXPECT_EQ(cl.back()->value, 5);
	int sum = 0;
	for (auto it = cl.begin(); it != cl.end(); ++it)
		sum += it->value;
	EXPECT_EQ(sum, 9);
	static_assert(std::is_same_v<decltype(*cl.begin()), const Neigh &>);
	l.clear();
}

TEST(List, PushingALinkedElementWarnsAndIsIgnored)
{
	Neigh a(1);
	PathList l1, l2;
	l1.push_back(a);
	l1.push_back(a);
	l2.push_front(a);
	EXPECT_EQ(l1.size(), 1u);
	EXPECT_EQ(l2.size(), 0u);
	EXPECT_TRUE(l2.empty());
	EXPECT_EQ(kapi_test::take_warnings().size(), 2u);
	l1.clear();
}

TEST(List, RemovingAnUnlinkedElementWarnsAndIsIgnored)
{
	Neigh a(1), b(2);
	PathList l;
	l.push_back(a);
	l.remove(b);
	EXPECT_EQ(l.size(), 1u);
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
	l.clear();
}

TEST(List, NodeDestroyedWhileLinkedWarnsAndUnlinksItself)
{
	PathList l;
	Neigh keep(1);
	l.push_back(keep);
	{
		Neigh doomed(2);
		l.push_back(doomed);
	}
	auto warnings = kapi_test::take_warnings();
	ASSERT_EQ(warnings.size(), 1u);
	EXPECT_NE(warnings[0].find("ListNode destroyed while still on a list"), std::string::npos);
	// The list is still walkable (ASan would flag a dangling link).
	EXPECT_EQ(values(l), (std::vector<int>{1}));
	l.clear();
}

TEST(List, ListDestroyedWhileNotEmptyWarnsAndUnlinksElements)
{
	Neigh a(1), b(2);
	{
		PathList l;
		l.push_back(a);
		l.push_back(b);
	}
	EXPECT_EQ(kapi_test::take_warnings().size(), 1u);
	// Unlinked, so destroying the elements later reports nothing more.
	EXPECT_FALSE(a.path_node.in_list());
	EXPECT_FALSE(b.path_node.in_list());
}

struct Polymorphic {
	virtual ~Polymorphic() = default;
	virtual int kind() const { return 7; }
	ListNode node;
};

TEST(List, WorksWithPolymorphicElements)
{
	Polymorphic p, q;
	List<Polymorphic, &Polymorphic::node> l;
	l.push_back(p);
	l.push_back(q);
	int sum = 0;
	for (Polymorphic &x : l)
		sum += x.kind();
	EXPECT_EQ(sum, 14);
	EXPECT_EQ(l.front(), &p);
	l.clear();
}

} // namespace
