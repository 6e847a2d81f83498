// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Out-of-line parts of kern/ib.h: port queries and names. */
#include "kern/ib.h"

namespace kern {

const char *to_string(PortState s)
{
	switch (s) {
	case PortState::Nop: return "NOP";
	case PortState::Down: return "DOWN";
	case PortState::Init: return "INIT";
	case PortState::Armed: return "ARMED";
	case PortState::Active: return "ACTIVE";
	case PortState::ActiveDefer: return "ACTIVE_DEFER";
	}
	return "UNKNOWN";
}

const char *to_string(IbEvent e)
{
	switch (e) {
	case IbEvent::PortActive: return "PORT_ACTIVE";
	case IbEvent::PortErr: return "PORT_ERR";
	case IbEvent::LidChange: return "LID_CHANGE";
	case IbEvent::PkeyChange: return "PKEY_CHANGE";
	case IbEvent::SmChange: return "SM_CHANGE";
	case IbEvent::ClientReregister: return "CLIENT_REREGISTER";
	case IbEvent::GidChange: return "GID_CHANGE";
	}
	return "UNKNOWN";
}

Result<PortAttr> IbDevice::query_port(u32 port) const
{
	struct kapi_ib_port_attr a {};
	int rc = kapi_ib_query_port(m_dev, port, &a);
	if (rc)
		return Error(rc);
	PortAttr out{};
	out.state = static_cast<PortState>(a.state);
	out.max_mtu = a.max_mtu;
	out.active_mtu = a.active_mtu;
	out.active_width = a.active_width;
	out.active_speed = a.active_speed;
	out.lid = a.lid;
	out.sm_lid = a.sm_lid;
	out.pkey_tbl_len = a.pkey_tbl_len;
	out.gid_tbl_len = a.gid_tbl_len;
	out.link_layer_ib = a.link_layer == KAPI_IB_LINK_LAYER_INFINIBAND;
	return out;
}

Result<Gid> IbDevice::query_gid(u32 port, int index) const
{
	Gid gid{};
	int rc = kapi_ib_query_gid(m_dev, port, index, gid.raw);
	if (rc)
		return Error(rc);
	return gid;
}

Result<u16> IbDevice::query_pkey(u32 port, u16 index) const
{
	u16 pkey = 0;
	int rc = kapi_ib_query_pkey(m_dev, port, index, &pkey);
	if (rc)
		return Error(rc);
	return pkey;
}

} // namespace kern
