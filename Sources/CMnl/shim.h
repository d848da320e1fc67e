#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include <linux/genetlink.h>
