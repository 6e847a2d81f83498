/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/list.h - intrusive doubly-linked lists.
 *
 * The data path cannot allocate list cells (xmit and NAPI run in atomic
 * context), so, as with the kernel's list_head, the links live inside the
 * listed object: a ListNode member per list the object can be on. An object
 * with two ListNode members can be on two lists at once (e.g. a neighbour
 * on its path's list and in a hash bucket). List<T, &T::m_node> converts
 * between nodes and objects and keeps an O(1) element count.
 *
 * The list never owns its elements; the caller keeps them alive while they
 * are linked. Both ListNode and List report, through kapi_warn, being
 * destroyed while still linked, and unlink themselves so that no dangling
 * pointer is left behind.
 */
#ifndef KERN_LIST_H
#define KERN_LIST_H

#include "kern/base.h"

namespace kern {

class ListNode;
template <class T, ListNode T::*Member>
class List;

/* Links for one list. Self-linked (and so in_list() == false) when unlinked. */
class ListNode : NonMovable {
public:
	ListNode() noexcept : m_prev(this), m_next(this) {}

	~ListNode()
	{
		if (unlikely(in_list())) {
			KERN_WARN("kern::ListNode destroyed while still on a list");
			unlink();
		}
	}

	bool in_list() const noexcept { return m_next != this; }

private:
	template <class T, ListNode T::*Member>
	friend class List;

	void insert_between(ListNode *prev, ListNode *next) noexcept
	{
		m_prev = prev;
		m_next = next;
		prev->m_next = this;
		next->m_prev = this;
	}

	void unlink() noexcept
	{
		m_prev->m_next = m_next;
		m_next->m_prev = m_prev;
		m_prev = this;
		m_next = this;
	}

	ListNode *m_prev;
	ListNode *m_next;
};

/*
 * A list of T linked through the member `Member`, e.g.
 * List<Neigh, &Neigh::m_path_node>.
 *
 * Iteration tolerates removal of the current element (like
 * list_for_each_entry_safe): the iterator remembers the next node before
 * the loop body runs. Removing any other element during iteration is a bug;
 * if that element was the remembered next one the iterator notices, warns
 * and ends the loop instead of spinning on a self-linked node.
 */
template <class T, ListNode T::*Member>
class List : NonMovable {
	template <class U>
	class Iter {
	public:
		Iter(ListNode *node, ListNode *head) noexcept : m_node(node), m_next(node->m_next), m_head(head) {}

		U &operator*() const noexcept { return *owner_of(m_node); }
		U *operator->() const noexcept { return owner_of(m_node); }

		Iter &operator++() noexcept
		{
			if (unlikely(m_next != m_head && !m_next->in_list())) {
				KERN_WARN("kern::List: element after the current one was removed during iteration");
				m_next = m_head;
			}
			m_node = m_next;
			m_next = m_node->m_next;
			return *this;
		}

		bool operator==(const Iter &other) const noexcept { return m_node == other.m_node; }
		bool operator!=(const Iter &other) const noexcept { return m_node != other.m_node; }

	private:
		ListNode *m_node;
		ListNode *m_next;
		ListNode *m_head;
	};

public:
	using Iterator = Iter<T>;
	using ConstIterator = Iter<const T>;

	List() noexcept : m_size(0) {}

	~List()
	{
		if (unlikely(!empty() || m_size != 0)) {
			KERN_WARN("kern::List destroyed while not empty");
			clear();
		}
	}

	bool empty() const noexcept { return !m_head.in_list(); }
	usize size() const noexcept { return m_size; }

	/* Linking an element that is already on a list is a bug and is ignored. */
	void push_front(T &item) noexcept { insert(item, &m_head, m_head.m_next); }
	void push_back(T &item) noexcept { insert(item, m_head.m_prev, &m_head); }

	/* Unlinks and returns the first/last element, or nullptr if empty. */
	T *pop_front() noexcept { return empty() ? nullptr : take(m_head.m_next); }
	T *pop_back() noexcept { return empty() ? nullptr : take(m_head.m_prev); }

	T *front() noexcept { return empty() ? nullptr : owner_of(m_head.m_next); }
	const T *front() const noexcept { return empty() ? nullptr : owner_of(m_head.m_next); }
	T *back() noexcept { return empty() ? nullptr : owner_of(m_head.m_prev); }
	const T *back() const noexcept { return empty() ? nullptr : owner_of(m_head.m_prev); }

	/*
	 * Unlinks `item`, which must be on this list. An unlinked item is
	 * reported and ignored; being on a different list of the same type
	 * cannot be detected in O(1) and corrupts both counts.
	 */
	void remove(T &item) noexcept
	{
		ListNode &node = item.*Member;
		if (unlikely(!node.in_list())) {
			KERN_WARN("kern::List::remove() of an element that is not on a list");
			return;
		}
		node.unlink();
		m_size--;
	}

	/* O(n); for assertions and slow paths. */
	bool contains(const T &item) const noexcept
	{
		const ListNode *target = &(item.*Member);
		for (const ListNode *n = m_head.m_next; n != &m_head; n = n->m_next) {
			if (n == target)
				return true;
		}
		return false;
	}

	/* Unlinks every element without touching the elements otherwise. */
	void clear() noexcept
	{
		while (!empty())
			m_head.m_next->unlink();
		m_size = 0;
	}

	Iterator begin() noexcept { return Iterator(m_head.m_next, &m_head); }
	Iterator end() noexcept { return Iterator(&m_head, &m_head); }
	ConstIterator begin() const noexcept { return ConstIterator(m_head.m_next, head()); }
	ConstIterator end() const noexcept { return ConstIterator(head(), head()); }

private:
	/*
	 * Byte offset of Member within T. Under the Itanium C++ ABI (GCC on
	 * x86_64) a pointer to data member is represented as exactly that
	 * offset, so reading its bits is both exact and free of the null-object
	 * arithmetic that the offsetof-on-a-member-pointer idiom needs.
	 */
	static usize member_offset() noexcept
	{
		static_assert(sizeof(Member) == sizeof(isize), "unexpected pointer-to-member representation");
		return static_cast<usize>(__builtin_bit_cast(isize, Member));
	}

	static T *owner_of(ListNode *node) noexcept
	{
		return reinterpret_cast<T *>(reinterpret_cast<char *>(node) - member_offset());
	}

	static const T *owner_of(const ListNode *node) noexcept
	{
		return reinterpret_cast<const T *>(reinterpret_cast<const char *>(node) - member_offset());
	}

	/* Const iteration still walks mutable links; the elements are handed out const. */
	ListNode *head() const noexcept { return const_cast<ListNode *>(&m_head); }

	void insert(T &item, ListNode *prev, ListNode *next) noexcept
	{
		ListNode &node = item.*Member;
		if (unlikely(node.in_list())) {
			KERN_WARN("kern::List: element is already on a list");
			return;
		}
		node.insert_between(prev, next);
		m_size++;
	}

	T *take(ListNode *node) noexcept
	{
		node->unlink();
		m_size--;
		return owner_of(node);
	}

	ListNode m_head; /* Sentinel: m_head.m_next is the first element. */
	usize m_size;
};

} /* namespace kern */

#endif /* KERN_LIST_H */
