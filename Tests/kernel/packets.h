/* SPDX-License-Identifier: GPL-2.0 */
/*
 * packets.h - build PGM packets byte by byte (RFC 3208 section 8) for the
 * kernel tests: independent of the module's own code on purpose.
 */
#ifndef PGM_TEST_PACKETS_H
#define PGM_TEST_PACKETS_H

#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

struct pkt {
	uint8_t b[70000];
	size_t len;
};

static inline void put8(struct pkt *p, uint8_t v) { p->b[p->len++] = v; }
static inline void put16(struct pkt *p, uint16_t v) { put8(p, v >> 8); put8(p, v & 0xff); }
static inline void put32(struct pkt *p, uint32_t v) { put16(p, v >> 16); put16(p, v & 0xffff); }

static const uint8_t test_gsi[6] = { 0x02, 0x00, 0x5e, 0x10, 0x20, 0x30 };

/* The 16-byte common header; the checksum is filled in by finish(). */
static inline void hdr(struct pkt *p, uint8_t type, uint8_t opts, uint16_t tsdu)
{
	p->len = 0;
	put16(p, 40000);		/* data-source port */
	put16(p, 7500);			/* data-destination port */
	put8(p, type);
	put8(p, opts);
	put16(p, 0);			/* checksum */
	memcpy(p->b + p->len, test_gsi, 6);
	p->len += 6;
	put16(p, tsdu);
}

static inline void nla4(struct pkt *p, uint32_t addr)
{
	put16(p, 1);			/* AFI IPv4 */
	put16(p, 0);
	put32(p, addr);
}

/* An NLA of AFI 2: @addr (16 bytes), or 2021:2223:...:2e2f when NULL. */
static inline void nla6(struct pkt *p, const uint8_t *addr)
{
	put16(p, 2);			/* AFI IPv6 */
	put16(p, 0);
	for (int i = 0; i < 16; i++)
		put8(p, addr ? addr[i] : (uint8_t)(0x20 + i));
}

/*
 * The family of the NLAs spm(), spm_end() and ncf() write: AF_INET
 * (AFI 1), or AF_INET6 (AFI 2) for a test that runs over IPv6, whose
 * sockets refuse NLAs of the other family.
 */
static int pkt_family = AF_INET;

/* An NLA of pkt_family: IPv4 @v4 (host order) or IPv6 @v6 (text). */
static inline void nla(struct pkt *p, uint32_t v4, const char *v6)
{
	struct in6_addr a;

	if (pkt_family != AF_INET6) {
		nla4(p, v4);
		return;
	}
	inet_pton(AF_INET6, v6, &a);
	nla6(p, a.s6_addr);
}

static inline uint16_t csum16(const uint8_t *b, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Compute and insert the checksum (section 8: a computed 0 is sent as ~0). */
static inline void finish(struct pkt *p)
{
	uint16_t c;

	p->b[6] = p->b[7] = 0;
	c = csum16(p->b, p->len);
	if (!c)
		c = 0xffff;
	p->b[6] = c >> 8;
	p->b[7] = c & 0xff;
}

/* SPM (8.1): sqn, trail, lead, path NLA. */
static inline void spm(struct pkt *p, uint32_t sqn)
{
	hdr(p, 0x00, 0, 0);
	put32(p, sqn);
	put32(p, 1);
	put32(p, sqn);
	nla(p, 0x0a000001, "fd00::1");
	finish(p);
}

/* ODATA (8.2) with @n payload bytes. */
static inline void odata(struct pkt *p, uint32_t sqn, uint16_t n)
{
	hdr(p, 0x04, 0, n);
	put32(p, sqn);
	put32(p, 0);
	for (uint16_t i = 0; i < n; i++)
		put8(p, (uint8_t)(i * 7));
	finish(p);
}

/* ODATA with a chosen trail. */
static inline void odata_trail(struct pkt *p, uint32_t sqn, uint32_t trail, uint16_t n)
{
	hdr(p, 0x04, 0, n);
	put32(p, sqn);
	put32(p, trail);
	for (uint16_t i = 0; i < n; i++)
		put8(p, (uint8_t)(sqn + i));
	finish(p);
}

/* ODATA with OPT_JOIN (9.4) naming @join, and a chosen trail. */
static inline void odata_join(struct pkt *p, uint32_t sqn, uint32_t trail, uint32_t join,
			      uint16_t n)
{
	hdr(p, 0x04, 0x01, n);
	put32(p, sqn);
	put32(p, trail);
	put8(p, 0x00); put8(p, 4); put16(p, 4 + 8);		/* OPT_LENGTH */
	put8(p, 0x80 | 0x03); put8(p, 8); put16(p, 0);		/* OPT_JOIN|END */
	put32(p, join);
	for (uint16_t i = 0; i < n; i++)
		put8(p, (uint8_t)(sqn + i));
	finish(p);
}

/* SPM with trail, lead and optionally OPT_FIN (0x0e) or OPT_RST (0x0f). */
static inline void spm_end(struct pkt *p, uint32_t sqn, uint32_t trail, uint32_t lead,
			   uint8_t endopt)
{
	hdr(p, 0x00, endopt ? 0x01 : 0, 0);
	put32(p, sqn);
	put32(p, trail);
	put32(p, lead);
	nla(p, 0x7f000001, "::1");
	if (endopt) {
		put8(p, 0x00); put8(p, 4); put16(p, 8);		/* OPT_LENGTH */
		put8(p, 0x80 | endopt); put8(p, 4); put16(p, 0);
	}
	finish(p);
}

/* NCF (8.3) for @sqn from a source with GSI @gsi0 in its first byte. */
static inline void ncf(struct pkt *p, uint32_t sqn, uint8_t gsi0)
{
	hdr(p, 0x0a, 0, 0);
	p->b[8] = gsi0;
	put32(p, sqn);
	nla(p, 0x7f000001, "::1");
	nla(p, 0xefc00001, "ff15::1");
	finish(p);
}

/* ODATA with OPT_LENGTH + OPT_FRAGMENT (9.2) + payload. */
static inline void odata_frag(struct pkt *p, uint32_t sqn, uint16_t n)
{
	hdr(p, 0x04, 0x01, n);
	put32(p, sqn);
	put32(p, 0);
	put8(p, 0x00); put8(p, 4); put16(p, 4 + 16);	/* OPT_LENGTH */
	put8(p, 0x80 | 0x01); put8(p, 16);		/* OPT_FRAGMENT|END */
	put16(p, 0);
	put32(p, sqn);					/* first sqn */
	put32(p, 0);					/* offset */
	put32(p, n);					/* APDU length */
	for (uint16_t i = 0; i < n; i++)
		put8(p, (uint8_t)i);
	finish(p);
}

/* NAK (8.3): sqn, source NLA, group NLA. */
static inline void nak(struct pkt *p, uint32_t sqn, int v6)
{
	hdr(p, 0x08, 0, 0);
	put32(p, sqn);
	if (v6)
		nla6(p, NULL);
	else
		nla4(p, 0x0a000001);
	nla4(p, 0xefc00001);
	finish(p);
}

/* SPMR (8.4): the common header only. */
static inline void spmr(struct pkt *p)
{
	hdr(p, 0x0c, 0, 0);
	finish(p);
}

#endif
