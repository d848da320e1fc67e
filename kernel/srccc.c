// SPDX-License-Identifier: GPL-2.0
/*
 * srccc.c - PGMCC at a source (draft-ietf-rmt-bb-pgmcc-03 sections 2.2-2.7
 * and 3).
 *
 * A source socket with PGM_PGMCC puts OPT_PGMCC_DATA (a timestamp and the
 * acker) on every ODATA and RDATA, chooses as acker the receiver whose
 * feedback shows the lowest throughput by TCP's equation, and clocks its
 * ODATA out by a token window the acker's ACKs open (slow start, then one
 * packet per window) and a loss they show halves.  It is the model's
 * source (Sources/PGMModel/SourcePGMCC.swift) integer for integer, so the
 * conformance scenarios src-pgmcc-* hold on both; docs/pgmcc.md.
 *
 * What a packet can make us do: an ACK or a NAK's feedback is constant
 * work (one option, a 32-bit bitmap); it sends nothing itself.  The most
 * a receiver can do, claiming the worst throughput, is become the acker
 * and slow the source: PGMCC never lets it send faster than
 * PGM_TXW_MAX_RTE, nor does it change what repairs may take.  Feedback is
 * taken only when its receiver NLA is the packet's IP source
 * (feedback_foreign otherwise), so nobody makes another host the acker
 * without spoofing its address.
 *
 * Locking: all under src->lock, as the rest of the source, but
 * pgm_cc_src_writable() (poll), which reads T locklessly.
 */
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/sock.h>
#include <net/checksum.h>

#include "source.h"
#include "wire.h"

#define CC_ONE		((s64)1 << 16)	/* one packet, in W's and T's 16.16 */
#define CC_SWITCH_NUM	9		/* section 2.3: C = 3/4, so C^2 = 9/16 */
#define CC_SWITCH_SHIFT	4

/* The source's clock for OPT_PGMCC_DATA: ms, modulo 2^32 (section 2.5.1). */
static u32 cc_now_ms(void)
{
	return (u32)div_u64(ktime_get_ns(), NSEC_PER_MSEC);
}

/**
 * pgm_cc_src_start - a session's PGMCC state at connect()
 * @src: the new session, not yet visible
 * @on: PGM_PGMCC
 *
 * W = T = 1 (section 2.2), no acker: the first ODATA calls an election.
 */
void pgm_cc_src_start(struct pgm_source *src, bool on)
{
	memset(&src->cc, 0, sizeof(src->cc));
	src->cc.on = on;
	src->cc.window = CC_ONE;
	src->cc.tokens = CC_ONE;
	src->cc.bitmap = ~0U;
}

/* Octets every data TPDU keeps for OPT_PGMCC_DATA: 0 without PGMCC. */
unsigned int pgm_cc_src_optlen(const struct pgm_source *src)
{
	return src->cc.on ? pgm_cc_opt_len(src->sk->sk_family) : 0;
}

/**
 * pgm_cc_src_write - OPT_PGMCC_DATA's value as a data packet leaves
 * @src: the session, its lock held
 * @o: the option, its 4-octet header written
 *
 * The timestamp (ms) and the acker, or the unspecified address of our
 * family to call an election (section 2.3).
 */
void pgm_cc_src_write(const struct pgm_source *src, u8 *o)
	__must_hold(&src->lock)
{
	static const union pgm_addr nobody;

	lockdep_assert_held(&src->lock);
	put_unaligned_be32(cc_now_ms(), o + 4);
	pgm_nla_put(src->sk->sk_family, o + 8, src->cc.has_acker ? &src->cc.acker : &nobody);
}

/**
 * pgm_cc_src_rdata - an RDATA copy's OPT_PGMCC_DATA, made current
 * @src: the session, its lock held
 * @skb: the copy, its checksum final for what it holds now
 *
 * The option was written when the entry left as ODATA; the repair carries
 * its own time and today's acker.  Our own packet: its option sits on a
 * 4-octet boundary of the PGM packet, so the checksum is updated a 32-bit
 * word at a time (RFC 1624).
 */
void pgm_cc_src_rdata(const struct pgm_source *src, struct sk_buff *skb)
	__must_hold(&src->lock)
{
	unsigned int len = pgm_cc_opt_len(src->sk->sk_family), i;
	struct pgm_hdr *ph = (struct pgm_hdr *)skb->data;
	u8 *o = pgm_own_opt(skb, PGM_OPT_PGMCC_DATA);
	u8 old[28];

	lockdep_assert_held(&src->lock);
	if (!o || WARN_ON_ONCE(len > sizeof(old)))
		return;
	memcpy(old, o, len);
	pgm_cc_src_write(src, o);
	for (i = 4; i < len; i += 4) {
		__be32 was, now;

		memcpy(&was, old + i, 4);
		memcpy(&now, o + i, 4);
		if (was != now)
			pgm_csum_replace(ph, (__force __wsum)was, (__force __wsum)now);
	}
}

/*
 * The timeout from now: 3 s before an RTT sample, then SRTT + 4 RTTVAR
 * (2.7), within [PGM_PGMCC_TIMEOUT_MIN_MS, PGM_PGMCC_TIMEOUT_MAX_MS].
 */
static void cc_arm(struct pgm_src_cc *cc)
{
	u64 us = PGM_PGMCC_TIMEOUT_MS * USEC_PER_MSEC;

	if (cc->has_srtt)
		us = clamp_t(u64, cc->srtt + 4 * cc->rttvar,
			     PGM_PGMCC_TIMEOUT_MIN_MS * USEC_PER_MSEC,
			     PGM_PGMCC_TIMEOUT_MAX_MS * USEC_PER_MSEC);
	cc->deadline = ktime_get_ns() + us * NSEC_PER_USEC;
}

/**
 * pgm_cc_src_may_send - may the next ODATA leave (section 3, send_packet)?
 * @src: the session, its lock held
 *
 * With a token, yes.  Held back, the timeout runs even with nothing in
 * flight: a halving can leave T below one with every packet acknowledged,
 * and then no ACK would come to give one back (section 2.7's timeout is
 * there "to prevent stalls").
 *
 * Return: true when the ODATA may leave as far as PGMCC says.
 */
bool pgm_cc_src_may_send(struct pgm_source *src)
	__must_hold(&src->lock)
{
	struct pgm_src_cc *cc = &src->cc;

	lockdep_assert_held(&src->lock);
	if (!cc->on || cc->tokens >= CC_ONE)
		return true;
	if (!cc->blocked) {
		cc->blocked = true;
		src->st.window_limited++;
	}
	if (!cc->deadline) {
		cc_arm(cc);
		pgm_source_arm(src);
	}
	return false;
}

/**
 * pgm_cc_src_sent - @n ODATA of one APDU left on a token
 * @src: the session, its lock held
 * @n: its TPDUs: each spends a token, so T may go below 0
 */
void pgm_cc_src_sent(struct pgm_source *src, unsigned int n)
	__must_hold(&src->lock)
{
	struct pgm_src_cc *cc = &src->cc;

	lockdep_assert_held(&src->lock);
	if (!cc->on)
		return;
	cc->tokens -= n * CC_ONE;
	cc->blocked = false;
	if (!cc->deadline)
		cc_arm(cc);
}

/* A token is there: wake the send()s and pollers that wait for one. */
static void cc_wake(struct pgm_source *src)
	__must_hold(&src->lock)
{
	lockdep_assert_held(&src->lock);
	if (src->cc.tokens >= CC_ONE)
		pgm_source_wake(src, EPOLLOUT | EPOLLWRNORM | EPOLLWRBAND);
}

/* Announce the acker: a new one, or none after the term ended. */
static void cc_acker_event(struct pgm_source *src, u32 rtt_ms)
	__must_hold(&src->lock)
{
	struct pgm_nl_event ev = {
		.acker = src->cc.acker,
		.has_acker = src->cc.has_acker,
		.rtt_us = rtt_ms * USEC_PER_MSEC,
		.loss = src->cc.acker_loss,
	};

	lockdep_assert_held(&src->lock);
	pgm_source_event(src, PGM_CMD_ACKER_CHANGE_NTF, &ev);
}

/* A new acker term (@a NULL: none); what the old acker said is forgotten. */
static void cc_new_acker(struct pgm_source *src, const union pgm_addr *a, u64 m2,
			 u32 loss, u32 rtt_ms)
	__must_hold(&src->lock)
{
	struct pgm_src_cc *cc = &src->cc;

	lockdep_assert_held(&src->lock);
	cc->has_acker = a;
	if (a)
		cc->acker = *a;
	else
		memset(&cc->acker, 0, sizeof(cc->acker));
	cc->acker_m2 = m2;
	cc->acker_loss = loss;
	cc->has_srtt = false;
	cc->srtt = 0;
	cc->rttvar = 0;
	cc->has_rx = false;
	cc->bitmap = ~0U;
	cc->suspended = false;
	if (a)
		src->st.acker_changes++;
	cc_acker_event(src, rtt_ms);
}

/**
 * pgm_cc_src_timer - the source's timer ran: the PGMCC timeout, if due
 * @src: the session, its lock held
 *
 * No ACK within the timeout: W = T = 1; PGM_PGMCC_TIMEOUTS in a row end the
 * acker's term, and the next data calls an election (section 3, "on
 * timeout").  Armed again when the next packet leaves.
 */
void pgm_cc_src_timer(struct pgm_source *src)
	__must_hold(&src->lock)
{
	struct pgm_src_cc *cc = &src->cc;

	lockdep_assert_held(&src->lock);
	if (!cc->on || !cc->deadline || ktime_get_ns() < cc->deadline)
		return;
	src->st.cc_timeouts++;
	cc->window = CC_ONE;
	cc->tokens = CC_ONE;
	cc->suspended = false;
	cc->deadline = 0;
	if (++cc->retries >= PGM_PGMCC_TIMEOUTS) {
		cc->retries = 0;
		cc_new_acker(src, NULL, 0, 0, 0);
	}
	cc_wake(src);
}

/* When the timeout is due (jiffies), if it runs. */
bool pgm_cc_src_next(const struct pgm_source *src, unsigned long *when)
	__must_hold(&src->lock)
{
	u64 now;

	lockdep_assert_held(&src->lock);
	if (!src->cc.on || !src->cc.deadline)
		return false;
	now = ktime_get_ns();
	*when = jiffies + (src->cc.deadline > now ?
			   nsecs_to_jiffies(src->cc.deadline - now) + 1 : 0);
	return true;
}

/*
 * M^2 = (RTT sqrt(p) (1 + 9p (1 + 32p^2)))^2 of section 2.4, constant
 * factors dropped: the larger, the slower a TCP flow to that receiver.
 * RTT in ms up to 32,767, p the 16-bit loss rate in 16.16: fits 64 bits.
 */
static u64 cc_m2(u32 rtt_ms, u16 loss)
{
	u64 p = loss, one = 1ULL << 16;
	u64 p2 = (p * p) >> 16;
	u64 f = one + ((9 * p * (one + 32 * p2)) >> 16);
	u64 f2 = (f * f) >> 16;
	u64 g = (p * f2) >> 16;
	u64 rtt = min_t(u32, rtt_ms, 32767);

	return rtt * rtt * g;
}

/* RFC 6298's smoothing of an RTT sample, us. */
static void cc_sample_rtt(struct pgm_src_cc *cc, s64 us)
{
	if (cc->has_srtt) {
		cc->rttvar = (3 * cc->rttvar + abs(cc->srtt - us)) / 4;
		cc->srtt = (7 * cc->srtt + us) / 8;
	} else {
		cc->srtt = us;
		cc->rttvar = us / 2;
		cc->has_srtt = true;
	}
}

/*
 * Does ACK_BITMAP show a packet not acknowledged with at least three newer
 * ones acknowledged (section 2.2, TCP's three duplicate ACKs)?  Bit 0 is
 * the newest.
 */
static bool cc_loss_shown(u32 bitmap)
{
	u32 holes = ~bitmap;

	while (holes) {
		unsigned int j = __ffs(holes);

		if (hweight32(bitmap & ((1U << j) - 1)) >= 3)
			return true;
		holes &= holes - 1;
	}
	return false;
}

/* T + @add, never above W. */
static void cc_add_tokens(struct pgm_src_cc *cc, s64 add)
{
	cc->tokens = min(cc->window, cc->tokens + add);
}

/* The window after an ACK of the acker (section 2.2). */
static void cc_window(struct pgm_source *src, u32 rx_max, u32 bitmap)
	__must_hold(&src->lock)
{
	struct pgm_src_cc *cc = &src->cc;
	u32 lead = src->next_sqn - 1, incoming = bitmap;
	s64 n, opening, ss = PGM_PGMCC_SSTHRESH * CC_ONE;
	unsigned int fresh;

	lockdep_assert_held(&src->lock);
	/* Line the ACK's bitmap up with what earlier ACKs said. */
	if (cc->has_rx) {
		s32 delta = (s32)(rx_max - cc->rx_max);

		if (delta > 0) {
			cc->bitmap = delta >= 32 ? 0 : cc->bitmap << delta;
			cc->rx_max = rx_max;
		} else if (delta > -32) {
			incoming <<= -delta;
		} else {
			incoming = 0;
		}
	} else {
		/*
		 * The acker's first ACK is the baseline: it acknowledges
		 * RX_MAX, and what came before this acker's term shows no loss.
		 */
		cc->has_rx = true;
		cc->rx_max = rx_max;
		cc->bitmap = ~1U;
		incoming &= 1;
	}
	fresh = hweight32(incoming & ~cc->bitmap);
	cc->bitmap |= incoming;
	if (!fresh)
		return;
	n = fresh * CC_ONE;
	/* Packets wait for ACKs: the timeout restarts, or stops when none do. */
	if ((s32)(lead - cc->rx_max) > 0)
		cc_arm(cc);
	else
		cc->deadline = 0;
	/* After a loss, one RTT without window changes; tokens still come. */
	if (cc->suspended) {
		if ((s32)(cc->rx_max - cc->suspend_until) <= 0) {
			cc_add_tokens(cc, n + div64_s64(n * CC_ONE, cc->window));
			return;
		}
		cc->suspended = false;
	}
	/* A packet not acknowledged, followed by three that are: lost. */
	if (cc_loss_shown(cc->bitmap)) {
		/*
		 * T - W/2 as the draft has it: below zero when more packets
		 * are in flight than the new window holds, so that the ACKs
		 * to come repay it before anything leaves.
		 */
		src->st.congestion_events++;
		cc->tokens -= cc->window / 2;
		cc->window = max(CC_ONE, cc->window / 2);
		cc->tokens = min(cc->tokens, cc->window);
		cc->suspended = true;
		cc->suspend_until = lead;
		cc->bitmap = ~0U;
		return;
	}
	opening = n;
	if (cc->window < ss) {
		s64 d = min(opening, ss - cc->window);

		opening -= d;
		cc->tokens += 2 * d;
		cc->window += d;
	}
	cc->tokens += opening + div64_s64(opening * CC_ONE, cc->window);
	cc->window += div64_s64(opening * CC_ONE, cc->window);
	cc->tokens = min(cc->tokens, cc->window);
}

/* The packet's IP source address, in our family. */
static void cc_ip_source(const struct pgm_source *src, const struct sk_buff *skb,
			 union pgm_addr *a)
{
	if (src->sk->sk_family == AF_INET6) {
		memset(a, 0, sizeof(*a));
		a->in6 = ipv6_hdr(skb)->saddr;
	} else {
		pgm_addr_set_v4(a, ip_hdr(skb)->saddr);
	}
}

/**
 * pgm_cc_src_feedback - an ACK, or a NAK's OPT_PGMCC_FEEDBACK (section 3,
 * "on ACK/NAK reception")
 * @src: the session, its lock held
 * @skb: the packet, at its PGM header; an ACK's 8-octet body validated
 * @info: what validation learnt of it
 *
 * Any receiver's feedback may elect (the first of an election, with one
 * token more) or replace the acker (T_i < 3/4 T_acker); only the acker's
 * ACKs move the window.  The RTT is the echoed timestamp's age, modulo
 * 2^32 ms; one from the future (forged or mangled) counts as 0.
 */
void pgm_cc_src_feedback(struct pgm_source *src, const struct sk_buff *skb,
			 const struct pgm_wire_info *info)
	__must_hold(&src->lock)
{
	sa_family_t f = src->sk->sk_family;
	struct pgm_src_cc *cc = &src->cc;
	bool ack = info->type == PGM_ACK;
	const struct pgm_opt *o;
	union pgm_addr from, ip;
	const u8 *v = NULL;
	u32 elapsed, rtt_ms;
	u16 loss;
	u64 m2;

	lockdep_assert_held(&src->lock);
	if (!cc->on)
		return;
	if (pgm_has_opt(info, PGM_OPT_PGMCC_FEEDBACK)) {
		pgm_for_each_opt(o, skb->data, info) {
			if (pgm_opt_type(o) == PGM_OPT_PGMCC_FEEDBACK) {
				v = (const u8 *)o;
				break;
			}
		}
	}
	if (!v) {
		if (ack)
			src->st.acks_no_feedback++;
		return;
	}
	if (v[1] < pgm_cc_opt_len(f) ||
	    get_unaligned_be16(v + 8) != (f == AF_INET6 ? PGM_AFI_IP6 : PGM_AFI_IP)) {
		src->st.malformed++;
		return;
	}
	pgm_nla_get(f, v + 8, &from);
	cc_ip_source(src, skb, &ip);
	if (!pgm_addr_eq(f, &from, &ip)) {
		src->st.feedback_foreign++;
		return;
	}
	if (ack)
		src->st.acks_received++;
	else
		src->st.feedback_naks++;
	elapsed = cc_now_ms() - get_unaligned_be32(v + 4);
	rtt_ms = elapsed < (1U << 31) ? elapsed : 0;
	/* The NLA's reserved field carries the loss rate (section 2.1.2). */
	loss = get_unaligned_be16(v + 10);
	m2 = cc_m2(rtt_ms, loss);
	cc->retries = 0;
	if (!cc->has_acker) {
		cc_new_acker(src, &from, m2, loss, rtt_ms);
		cc->tokens += CC_ONE;
	}
	if (!pgm_addr_eq(f, &cc->acker, &from)) {
		if (cc->acker_m2 < (m2 >> CC_SWITCH_SHIFT) * CC_SWITCH_NUM)
			cc_new_acker(src, &from, m2, loss, rtt_ms);
		return;
	}
	cc->acker_m2 = m2;
	cc->acker_loss = loss;
	/* Bounded as in the equation: a forged echo cannot stop the timeouts. */
	cc_sample_rtt(cc, (s64)min_t(u32, rtt_ms, 32767) * USEC_PER_MSEC);
	if (ack) {
		const u8 *b = pgm_body(skb->data);

		cc_window(src, get_unaligned_be32(b), get_unaligned_be32(b + 4));
		/*
		 * Left without a token and with nothing waiting for an ACK (a
		 * halving after the last one came), only the timeout gives one
		 * back: it runs whether or not a send() asks (a poller does not).
		 */
		if (cc->tokens < CC_ONE && !cc->deadline)
			cc_arm(cc);
	}
	cc_wake(src);
}

/* PGMCC's part of the counters: the window, the acker. */
void pgm_cc_src_stats(const struct pgm_source *src, struct pgm_source_stats *st)
	__must_hold(&src->lock)
{
	const struct pgm_src_cc *cc = &src->cc;

	lockdep_assert_held(&src->lock);
	if (!cc->on)
		return;
	st->cc_window = clamp_t(s64, cc->window, 0, U32_MAX);
	st->cc_tokens = clamp_t(s64, cc->tokens, S32_MIN, S32_MAX);
	st->cc_rtt_us = cc->has_srtt ? clamp_t(s64, cc->srtt, 1, U32_MAX) : 0;
	st->cc_loss = cc->has_acker ? cc->acker_loss : 0;
	if (cc->has_acker)
		memcpy(st->cc_acker, &cc->acker, sizeof(st->cc_acker));
}

/**
 * pgm_cc_src_writable - may a send() go now, as far as PGMCC says? (poll)
 * @sk: a socket
 *
 * Without a token POLLOUT is clear; the ACK or the timeout that brings one
 * wakes the socket's waiters.  Lockless: a snapshot, as poll is.
 *
 * Return: false for a PGMCC source without a token, else true.
 */
bool pgm_cc_src_writable(struct sock *sk)
{
	struct pgm_source *src;
	bool ok = true;

	rcu_read_lock();
	src = rcu_dereference(pgm_sk(sk)->src);
	if (src && READ_ONCE(src->cc.on))
		ok = READ_ONCE(src->cc.tokens) >= CC_ONE;
	rcu_read_unlock();
	return ok;
}
