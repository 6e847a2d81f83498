// expect: OK
// Positive control: the constructs the subset allows build cleanly.
#include "kern/base.h"
#include "kern/memory.h"
#include "kern/result.h"
#include "kern/lock.h"

namespace {
struct Thing {
	explicit Thing(int v) : value(v) {}
	int value;
};

constexpr int kTable[] = { 1, 2, 3 };

kern::Result<int> make_thing(int v)
{
	kern::UniquePtr<Thing> t = kern::make<Thing>(kern::Gfp::Kernel, v);
	if (!t)
		return kern::Error(-kern::err::ENOMEM);
	return t->value + kTable[2];
}
} // namespace

int subset_allowed(int v)
{
	kern::Result<int> r = make_thing(v);
	return r.is_ok() ? r.value() : r.error().code();
}
