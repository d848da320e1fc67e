/*
 * CPGM - packet-socket capture helpers for pgm-dump.
 *
 * An AF_PACKET SOCK_DGRAM socket for IPv4 and IPv6 (cooked: the kernel strips the
 * link-layer header and shows both directions), with the kernel's receive
 * timestamp and PACKET_AUXDATA read from control messages, which need
 * <linux/if_packet.h> and the CMSG_* macros Glibc's Swift overlay does not
 * import. <sys/signalfd.h> is here for the capture loop's signal handling.
 */
#ifndef CPGM_CAPTURE_H
#define CPGM_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <signal.h>
#include <sys/signalfd.h>

/* What the kernel said about one received packet. */
struct cpgm_packet_info {
	uint32_t length;        /* the packet's full length (more than captured when cut) */
	int32_t ifindex;        /* receiving or sending interface */
	int32_t outgoing;       /* 1 for PACKET_OUTGOING, a copy of a packet this host sent */
	int32_t csum_not_ready; /* 1 for TP_STATUS_CSUMNOTREADY: transport checksum left to the device */
	int64_t sec;            /* SO_TIMESTAMPNS receive time; 0 and 0 when absent */
	int64_t nsec;
};

/*
 * Opens a packet socket on interface `ifindex` (0: all interfaces) with
 * SO_TIMESTAMPNS and PACKET_AUXDATA; the receive calls below return IPv4
 * and IPv6 packets only, passing over others. Returns the descriptor or
 * -errno.
 */
int cpgm_packet_open(int ifindex);

/*
 * Receives one packet into buf (len octets) and fills *info. Returns the
 * octets stored (at most len) or -errno.
 */
long cpgm_packet_recv(int fd, void *buf, size_t len, struct cpgm_packet_info *info);

/* The same without waiting: -EAGAIN when nothing is queued. */
long cpgm_packet_recv_nowait(int fd, void *buf, size_t len, struct cpgm_packet_info *info);

#endif /* CPGM_CAPTURE_H */
