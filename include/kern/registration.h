/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * kern/registration.h - a module-wide registration with the kernel (an IB
 * client, the SA client, a netdevice notifier, rtnl_link_ops), undone on
 * destruction: one template instead of a class per registration.
 *
 *     kern::IbClientRegistration m_client;
 *     TRY(m_client.enable());     // ib_register_client
 *     ...                         // ~ or reset(): ib_unregister_client
 *
 * Context: process, for both; the kernel calls may sleep.
 */
#ifndef KERN_REGISTRATION_H
#define KERN_REGISTRATION_H

#include "kern/base.h"
#include "kern/result.h"

namespace kern {

template <int (*Register)(), void (*Unregister)()>
class Registration : NonCopyable {
public:
	Registration() = default;
	~Registration() { reset(); }

	/* Registers once; a second call is a no-op. */
	Status enable() noexcept
	{
		if (m_registered)
			return ok();
		int rc = Register();
		if (rc)
			return Error(rc);
		m_registered = true;
		return ok();
	}
	/* Unregisters if registered; idempotent. */
	void reset() noexcept
	{
		if (m_registered)
			Unregister();
		m_registered = false;
	}
	bool registered() const noexcept { return m_registered; }

private:
	bool m_registered = false;
};

} // namespace kern

#endif /* KERN_REGISTRATION_H */
