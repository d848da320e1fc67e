import PGM
import PGMCLISupport

/// The bytes pgm-send makes up when it reads no input: APDU `index` of a
/// stream seeded with `seed`, `size` bytes of xorshift64 output. Anyone can
/// regenerate a stream from its seed, size and count.
public func patternAPDU(seed: UInt64, index: UInt64, size: Int) -> [UInt8] {
    var s = (seed ^ (index &* 0x9E37_79B9_7F4A_7C15)) | 1
    var out = [UInt8](repeating: 0, count: size)
    var i = 0
    while i < size {
        s ^= s << 13
        s ^= s >> 7
        s ^= s << 17
        var v = s
        for _ in 0..<8 where i < size {
            out[i] = UInt8(truncatingIfNeeded: v)
            v >>= 8
            i += 1
        }
    }
    return out
}

/// A source's counters as a JSON object, in the header's names. The PGMCC
/// state is there whether PGMCC runs or not, as the header has it: `cc_window`
/// 0 without PGMCC, `cc_acker` null while there is no acker. So is confirmed
/// delivery's: `confirm_receivers` 0 without it, `confirmed` null while no
/// receiver is live.
public func json(_ s: SourceStatistics) -> JSON {
    let cc = s.pgmcc
    let cf = s.confirm
    return .object([
        ("data_bytes_sent", .uint(s.dataBytesSent)), ("odata_sent", .uint(s.odataSent)),
        ("rdata_sent", .uint(s.rdataSent)), ("rdata_bytes_sent", .uint(s.rdataBytesSent)),
        ("spm_sent", .uint(s.spmSent)), ("ncf_sent", .uint(s.ncfSent)),
        ("naks_received", .uint(s.naksReceived)), ("naks_ignored", .uint(s.naksIgnored)),
        ("spmr_received", .uint(s.spmrReceived)), ("rate_limited", .uint(s.rateLimited)),
        ("malformed", .uint(s.malformed)), ("txw_trail", .uint(UInt64(s.transmitWindowTrail))),
        ("txw_lead", .uint(UInt64(s.transmitWindowLead))),
        ("rdata_deferred", .uint(s.rdataDeferred)), ("rdata_unsent", .uint(s.rdataUnsent)),
        ("naks_pending", .uint(s.naksPending)), ("nak_lists_ignored", .uint(s.nakListsIgnored)),
        ("ncf_dropped", .uint(s.ncfDropped)), ("spm_deferred", .uint(s.spmDeferred)),
        ("rdata_queued", .uint(s.rdataQueued)), ("txw_mem", .uint(s.transmitWindowMemory)),
        ("parity_sent_proactive", .uint(s.paritySentProactive)), ("parity_sent_ondemand", .uint(s.paritySentOnDemand)),
        ("parity_naks_received", .uint(s.parityNaksReceived)), ("parity_naks_refused", .uint(s.parityNaksRefused)),
        ("parity_by_originals", .uint(s.parityByOriginals)), ("rate_wait_ns", .uint(s.rateWaitNanoseconds)),
        ("acks_received", .uint(s.acksReceived)), ("acks_no_feedback", .uint(s.acksWithoutFeedback)),
        ("feedback_naks", .uint(s.feedbackNaks)), ("feedback_foreign", .uint(s.feedbackForeign)),
        ("acker_changes", .uint(s.ackerChanges)), ("congestion_events", .uint(s.congestionEvents)),
        ("cc_timeouts", .uint(s.ccTimeouts)), ("window_limited", .uint(s.windowLimited)),
        ("cc_window", .uint(UInt64(cc?.window ?? 0))), ("cc_tokens", .int(Int64(cc?.tokens ?? 0))),
        ("cc_rtt_us", .uint(UInt64(cc?.rttMicroseconds ?? 0))), ("cc_loss", .uint(UInt64(cc?.lossRate ?? 0))),
        ("cc_acker", cc?.acker.map { .string($0.description) } ?? .null),
        ("confirm_acks", .uint(s.confirmAcks)), ("confirm_joins", .uint(s.confirmJoins)),
        ("confirm_leaves", .uint(s.confirmLeaves)), ("confirm_expired", .uint(s.confirmExpired)),
        ("confirm_lost", .uint(s.confirmLost)), ("confirm_refused", .uint(s.confirmRefused)),
        ("confirm_stale", .uint(s.confirmStale)), ("confirm_future", .uint(s.confirmFuture)),
        ("confirm_behind", .uint(s.confirmBehind)), ("flow_limited", .uint(s.flowLimited)),
        ("confirm_receivers", .uint(UInt64(cf?.receivers ?? 0))),
        ("confirmed", cf?.confirmed.map { .uint(UInt64($0.rawValue)) } ?? .null),
    ])
}

/// A receiver's counters as a JSON object, in the header's names.
public func json(_ s: ReceiverStatistics) -> JSON {
    .object([
        ("data_bytes_received", .uint(s.dataBytesReceived)), ("apdus_delivered", .uint(s.apdusDelivered)),
        ("odata_received", .uint(s.odataReceived)), ("rdata_received", .uint(s.rdataReceived)),
        ("duplicates", .uint(s.duplicates)), ("naks_sent", .uint(s.naksSent)),
        ("ncfs_received", .uint(s.ncfsReceived)), ("spms_received", .uint(s.spmsReceived)),
        ("spmrs_sent", .uint(s.spmrsSent)), ("losses", .uint(s.losses)),
        ("malformed", .uint(s.malformed)), ("outside_window", .uint(s.outsideWindow)),
        ("peers", .uint(UInt64(s.peers))), ("sessions_refused", .uint(s.sessionsRefused)),
        ("mem_refused", .uint(s.memoryRefused)), ("wrong_source", .uint(s.wrongSource)),
        ("naks_deferred", .uint(s.naksDeferred)), ("mem", .uint(s.memory)),
        ("repairs", .uint(s.repairs)), ("repair_us_total", .uint(s.repairMicrosecondsTotal)),
        ("repair_us_max", .uint(s.repairMicrosecondsMax)),
        ("parity_received", .uint(s.parityReceived)), ("parity_dropped", .uint(s.parityDropped)),
        ("parity_unused", .uint(s.parityUnused)), ("groups_rebuilt", .uint(s.groupsRebuilt)),
        ("parity_naks_sent", .uint(s.parityNaksSent)), ("fec_k_refused", .uint(s.fecGroupSizeRefused)),
        ("acks_sent", .uint(s.acksSent)), ("acks_no_path", .uint(s.acksWithoutPath)),
        ("acks_no_credit", .uint(s.acksWithoutCredit)), ("confirm_acks_sent", .uint(s.confirmAcksSent)),
        ("confirm_no_credit", .uint(s.confirmAcksWithoutCredit)), ("windows_shed", .uint(s.windowsShed)),
        ("source_refused", .uint(s.sourceRefused)),
    ])
}
