/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stream.h - the deterministic message stream of the interop tests.
 *
 * Message i (0-based) of a stream has a length from a small generator
 * (every fifth is 2,000-9,000 bytes, so it travels in several OPT_FRAGMENT
 * packets; the others 1-1,400) and bytes from the same generator seeded by
 * i.  Every peer writes what it sends or receives as "record" lines to
 * stdout: a 4-byte big-endian length and the bytes, so that the SHA-256 of
 * a receiver's output equals the sender's only if every message arrived
 * whole, once and in order.
 */
#ifndef INTEROP_STREAM_H
#define INTEROP_STREAM_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint32_t stream_rand(uint32_t *s)
{
	*s = *s * 1664525u + 1013904223u;
	return *s >> 8;
}

/* Fill @buf (at least 9,000 bytes) with message @i; returns its length. */
static inline size_t stream_message(uint32_t i, unsigned char *buf, size_t max_len)
{
	uint32_t s = i * 2654435761u + 7;
	size_t len, k;

	if (i % 5 == 4)
		len = 2000 + stream_rand(&s) % 7001;
	else
		len = 1 + stream_rand(&s) % 1400;
	if (len > max_len)
		len = max_len;
	for (k = 0; k < len; k++)
		buf[k] = (unsigned char)stream_rand(&s);
	return len;
}

#define STREAM_MAX 9000

static inline void stream_record(FILE *f, const void *p, size_t len)
{
	unsigned char h[4] = { len >> 24, len >> 16, len >> 8, len };

	fwrite(h, 1, 4, f);
	fwrite(p, 1, len, f);
}

/*
 * ZeroMQ's framing inside PGM APDUs (libzmq pgm_sender/pgm_receiver with
 * its v1 encoder): each APDU starts with a 2-byte big-endian offset of the
 * first message that begins in it (0xffff: none does), then the message
 * stream: per message a length (one byte if below 255, else 0xff and 8
 * bytes big-endian) that counts a flags byte (bit 0: more parts follow)
 * and the body.  zmq_frame() writes one message at the start of an APDU.
 */
static inline size_t zmq_frame(unsigned char *out, const unsigned char *body, size_t len)
{
	size_t n = 0, size = len + 1;
	int k;

	out[n++] = 0;		/* offset of the first message: right here */
	out[n++] = 0;
	if (size < 255) {
		out[n++] = (unsigned char)size;
	} else {
		out[n++] = 0xff;
		for (k = 7; k >= 0; k--)
			out[n++] = (unsigned char)(size >> (8 * k));
	}
	out[n++] = 0;		/* flags: last part */
	memcpy(out + n, body, len);
	return n + len;
}

/*
 * A decoder of that framing for one session's APDUs, in order: messages
 * may span APDUs; decoding starts at the first APDU with a message start.
 */
struct zmq_dec {
	unsigned char	*buf;
	size_t		len, cap;
	int		synced;
};

/* Feed one APDU; calls @cb for each whole message; -1 on bad framing. */
static inline int zmq_dec_feed(struct zmq_dec *d, const unsigned char *apdu, size_t n,
			       void (*cb)(const unsigned char *, size_t, void *), void *arg)
{
	size_t off, pos = 0;

	if (n < 2)
		return -1;
	off = (size_t)apdu[0] << 8 | apdu[1];
	apdu += 2;
	n -= 2;
	if (!d->synced) {
		if (off == 0xffff)
			return 0;
		if (off > n)
			return -1;
		apdu += off;
		n -= off;
		d->synced = 1;
	}
	if (d->len + n > d->cap) {
		d->cap = (d->len + n) * 2;
		d->buf = realloc(d->buf, d->cap);
		if (!d->buf)
			return -1;
	}
	memcpy(d->buf + d->len, apdu, n);
	d->len += n;
	for (;;) {
		size_t hl, size;
		int k;

		if (pos + 1 > d->len)
			break;
		if (d->buf[pos] < 0xff) {
			hl = 1;
			size = d->buf[pos];
		} else {
			if (pos + 9 > d->len)
				break;
			hl = 9;
			size = 0;
			for (k = 1; k <= 8; k++)
				size = size << 8 | d->buf[pos + k];
		}
		if (size < 1)
			return -1;
		if (pos + hl + size > d->len)
			break;
		cb(d->buf + pos + hl + 1, size - 1, arg);
		pos += hl + size;
	}
	memmove(d->buf, d->buf + pos, d->len - pos);
	d->len -= pos;
	return 0;
}

#endif
