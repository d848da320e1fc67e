import PGMWire
import Testing

// Hand-built octets for every option (RFC 3208 section 9 and Appendices A, B,
// E; the PGMCC options), each in a packet type the RFC allows it in.
// Option common header (section 9): E|type, length, reserved(5) F OPX(2),
// U|option-specific(7). OPT_LENGTH (9.1.1) comes first: 0x00, 4, total length
// of all options including OPT_LENGTH. Header Options bits: 0x01 options
// present, 0x02 network-significant, 0x40 variable-length parity, 0x80 parity.

let optionVectors: [PacketVector] = [
    PacketVector(
        name: "OPT_FRAGMENT in ODATA (9.2.4)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x04, 0x01, /*ck*/ 0x2D, 0x1D,  // ODATA, options present (OPT_FRAGMENT is not network-significant)
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x02,  // TSDU length 2
            0x00, 0x00, 0x00, 0x21,  // OD_SQN 33
            0x00, 0x00, 0x00, 0x10,  // OD_TRAIL 16
            0x00, 0x04, 0x00, 0x14,  // OPT_LENGTH, length 4, total 20
            // OPT_FRAGMENT|OPT_END, length 16: the figure's four words. The
            // text's "Option Length = 12 octets" omits the common header that
            // every other option's length includes; the figure wins.
            0x81, 0x10, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x20,  // First Sequence Number 32
            0x00, 0x00, 0x05, 0xDC,  // Offset 1500 (OPT_FRAG_OFF)
            0x00, 0x00, 0x0B, 0xB8,  // Length 3000 (OPT_FRAG_LEN)
            0x01, 0x02,
        ],
        packet: {
            try T.packet(
                .odata(PGMData(sequence: 33, trailingEdge: 16, payload: [1, 2])),
                [PGMOption(.fragment(firstSequence: 32, offset: 1500, length: 3000))])
        }),
    PacketVector(
        name: "OPT_NAK_LIST in NAK (9.3.5)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,
            0x08, 0x03, /*ck*/ 0x87, 0x78,  // NAK, options present + network-significant
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x1F,  // NAK_SQN 31
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,  // NAK_SRC
            0x00, 0x01, 0x00, 0x00, 0xEF, 0x01, 0x02, 0x03,  // NAK_GRP
            0x00, 0x04, 0x00, 0x14,  // OPT_LENGTH total 20
            0x82, 0x10, 0x00, 0x00,  // OPT_NAK_LIST|OPT_END, length 4 + 4 * 3
            0x00, 0x00, 0x00, 0x20,  // 32
            0x00, 0x00, 0x00, 0x21,  // 33
            0x00, 0x00, 0x00, 0x23,  // 35
        ],
        packet: {
            try T.packet(
                .nak(PGMNak(sequence: 31, source: T.source, group: T.group)),
                [PGMOption(.nakList([32, 33, 35]))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_JOIN in SPM (9.4.3)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x01, /*ck*/ 0x7F, 0xEA,  // SPM, options present
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0F,  // SQN, TRAIL, LEAD
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,  // SPM_PATH
            0x00, 0x04, 0x00, 0x0C,  // OPT_LENGTH total 12
            0x83, 0x08, 0x00, 0x00,  // OPT_JOIN|OPT_END, length 8
            0x00, 0x00, 0x00, 0x05,  // Minimum Sequence Number 5
        ],
        packet: {
            try T.packet(
                .spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)),
                [PGMOption(.join(minimumSequence: 5))])
        }),
    PacketVector(
        name: "OPT_NAK_BO_IVL in NCF (15.4.1)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x0A, 0x03, /*ck*/ 0xC0, 0x93,  // NCF, present + network-significant
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x1F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x01, 0x00, 0x00, 0xEF, 0x01, 0x02, 0x03,
            0x00, 0x04, 0x00, 0x10,  // OPT_LENGTH total 16
            0x84, 0x0C, 0x00, 0x00,  // OPT_NAK_BO_IVL|OPT_END, length 12
            0x00, 0x00, 0xC3, 0x50,  // NAK Back-Off Interval 50000 us
            0x00, 0x00, 0x00, 0x00,  // NAK Back-Off Interval SQN 0 (not from polling)
        ],
        packet: {
            try T.packet(
                .ncf(PGMNak(sequence: 31, source: T.source, group: T.group)),
                [PGMOption(.nakBackoffInterval(interval: 50_000, pollSequence: 0))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_NAK_BO_RNG in SPM (15.4.2)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x03, /*ck*/ 0xB5, 0xAD,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x04, 0x00, 0x10,  // OPT_LENGTH total 16
            0x85, 0x0C, 0x00, 0x00,  // OPT_NAK_BO_RNG|OPT_END, length 12
            0x00, 0x07, 0xA1, 0x20,  // Maximum NAK Back-Off Interval 500000 us (first, as drawn)
            0x00, 0x00, 0x27, 0x10,  // Minimum NAK Back-Off Interval 10000 us
        ],
        packet: {
            try T.packet(
                .spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)),
                [PGMOption(.nakBackoffRange(maximum: 500_000, minimum: 10_000))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_REDIRECT IPv4 in POLR (9.5.5)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,
            0x02, 0x03, /*ck*/ 0x79, 0xB5,  // POLR, present + network-significant
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x00,  // POLR_SQN 7, POLR_ROUND 1, reserved
            0x00, 0x04, 0x00, 0x10,  // OPT_LENGTH total 16
            // OPT_REDIRECT|OPT_END, length 12: the figure's header, AFI word
            // and address (the text's "4 + NLA length" leaves out the AFI word).
            0x87, 0x0C, 0x00, 0x00,
            0x00, 0x01, 0x00, 0x00,  // NLA AFI 1, reserved
            0xC0, 0x00, 0x02, 0x4D,  // DLR's NLA 192.0.2.77
        ],
        packet: {
            try T.packet(
                .polr(PGMPolr(sequence: 7, round: 1)),
                [PGMOption(.redirect(.ipv4(IPv4Address(192, 0, 2, 77))))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_REDIRECT IPv6 in POLR (9.5.5)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,
            0x02, 0x03, /*ck*/ 0x0E, 0x30,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x07, 0x00, 0x01, 0x00, 0x00,
            0x00, 0x04, 0x00, 0x1C,  // OPT_LENGTH total 28
            0x87, 0x18, 0x00, 0x00,  // OPT_REDIRECT|OPT_END, length 24
            0x00, 0x02, 0x00, 0x00,  // NLA AFI 2, reserved
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,  // 2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        ],
        packet: {
            try T.packet(.polr(PGMPolr(sequence: 7, round: 1)), [PGMOption(.redirect(T.source6))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_PARITY_PRM in SPM (11.8.1)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x03, /*ck*/ 0x7A, 0xDA,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x04, 0x00, 0x0C,  // OPT_LENGTH total 12
            0x88, 0x08, 0x00, 0x03,  // OPT_PARITY_PRM|OPT_END, length 8, P (0x01) and O (0x02), OpenPGM's bits
            0x00, 0x00, 0x00, 0x10,  // Transmission Group Size 16
        ],
        packet: {
            try T.packet(
                .spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)),
                [PGMOption(.parityParameters(proactive: true, onDemand: true, groupSize: 16))],
                flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_PARITY_GRP in a parity RDATA (11.8.2)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x05, 0x81, /*ck*/ 0xDB, 0x9B,  // RDATA, parity (0x80) + options present
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x02,
            0x00, 0x00, 0x00, 0x41,  // RDATA_TG_SQN | RDATA_PKT_SQN
            0x00, 0x00, 0x00, 0x11,
            0x00, 0x04, 0x00, 0x0C,  // OPT_LENGTH total 12
            0x89, 0x08, 0x00, 0x00,  // OPT_PARITY_GRP|OPT_END, length 8
            0x00, 0x00, 0x00, 0x01,  // Parity Group Number 1
            0x5A, 0xA5,
        ],
        packet: {
            try T.packet(
                .rdata(PGMData(sequence: 0x41, trailingEdge: 17, payload: [0x5A, 0xA5])),
                [PGMOption(.parityGroup(1))], flags: .parity)
        }),
    PacketVector(
        name: "OPT_CURR_TGSIZE in a variable-length parity ODATA (11.8.3)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x04, 0xC1, /*ck*/ 0xBE, 0xF7,  // ODATA, parity + var pktlen + present; not network-significant in ODATA
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x01,
            0x00, 0x00, 0x00, 0x40,
            0x00, 0x00, 0x00, 0x11,
            0x00, 0x04, 0x00, 0x0C,  // OPT_LENGTH total 12
            0x8A, 0x08, 0x00, 0x00,  // OPT_CURR_TGSIZE|OPT_END, length 8
            0x00, 0x00, 0x00, 0x0C,  // Actual Transmission Group Size 12
            0x77,
        ],
        packet: {
            try T.packet(
                .odata(PGMData(sequence: 0x40, trailingEdge: 17, payload: [0x77])),
                [PGMOption(.currentGroupSize(12))], flags: [.parity, .variableLengthParity])
        }),
    PacketVector(
        name: "OPT_NBR_UNREACH and OPT_PATH_NLA in NCF (15.4.3, 15.4.4)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x0A, 0x03, /*ck*/ 0xAD, 0xE5,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x1F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x01, 0x00, 0x00, 0xEF, 0x01, 0x02, 0x03,
            0x00, 0x04, 0x00, 0x10,  // OPT_LENGTH total 16
            0x0B, 0x04, 0x00, 0x00,  // OPT_NBR_UNREACH, length 4 (no OPT_END)
            // OPT_PATH_NLA|OPT_END, length 8: the figure's bare Path NLA word,
            // no AFI; an IPv6 path makes the length 20.
            0x8C, 0x08, 0x00, 0x00,
            0xC0, 0x00, 0x02, 0xFE,  // Path NLA 192.0.2.254
        ],
        packet: {
            try T.packet(
                .ncf(PGMNak(sequence: 31, source: T.source, group: T.group)),
                [PGMOption(.neighborUnreachable), PGMOption(.pathNLA(T.router))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_PATH_NLA IPv6 in NCF (15.4.4)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x0A, 0x03, /*ck*/ 0x4E, 0x1A,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x1F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x01, 0x00, 0x00, 0xEF, 0x01, 0x02, 0x03,
            0x00, 0x04, 0x00, 0x18,  // OPT_LENGTH total 24
            0x8C, 0x14, 0x00, 0x00,  // OPT_PATH_NLA|OPT_END, length 20
            0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00,  // 2001:db8::1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        ],
        packet: {
            try T.packet(
                .ncf(PGMNak(sequence: 31, source: T.source, group: T.group)),
                [PGMOption(.pathNLA(T.source6))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_SYN in ODATA (9.6.4)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x04, 0x01, /*ck*/ 0x34, 0x1E,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,  // no data
            0x00, 0x00, 0x00, 0x00,  // OD_SQN 0
            0x00, 0x00, 0x00, 0x00,  // OD_TRAIL 0
            0x00, 0x04, 0x00, 0x08,  // OPT_LENGTH total 8
            0x8D, 0x04, 0x00, 0x00,  // OPT_SYN|OPT_END, length 4
        ],
        packet: { try T.packet(.odata(PGMData(sequence: 0, trailingEdge: 0)), [PGMOption(.syn)]) }),
    PacketVector(
        name: "OPT_FIN in SPM (9.7.4)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x01, /*ck*/ 0x74, 0xF7,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x04, 0x00, 0x08,
            0x8E, 0x04, 0x00, 0x00,  // OPT_FIN|OPT_END, length 4
        ],
        packet: {
            try T.packet(
                .spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)), [PGMOption(.fin)])
        }),
    PacketVector(
        name: "OPT_RST in SPM (9.8.4)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x01, /*ck*/ 0x73, 0xB2,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x04, 0x00, 0x08,
            0x8F, 0x04, 0x00, 0x45,  // OPT_RST|OPT_END, length 4, U=0 N=1 Error Code 5
        ],
        packet: {
            try T.packet(
                .spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)),
                [PGMOption(.reset(noNAKs: true, errorCode: 5))])
        }),
    PacketVector(
        name: "OPT_CR in NAK (12.7.1)",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,
            0x08, 0x03, /*ck*/ 0xB7, 0x1A,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x1F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x01, 0x00, 0x00, 0xEF, 0x01, 0x02, 0x03,
            0x00, 0x04, 0x00, 0x1C,  // OPT_LENGTH total 28
            0x90, 0x18, 0x00, 0x07,  // OPT_CR|OPT_END, length 20 + 4, L P R set
            0x00, 0x00, 0x00, 0x40,  // Congestion Report Reference SQN 64
            0x00, 0x10, 0x00, 0x20,  // NE Worst Link 16, NE Worst Path 32
            0x00, 0x30, 0x00, 0x00,  // Rcvr Worst Path 48, reserved
            0x00, 0x01, 0x00, 0x00,  // NLA AFI 1, reserved
            0xC0, 0x00, 0x02, 0x09,  // Worst Receiver's NLA 192.0.2.9
        ],
        packet: {
            try T.packet(
                .nak(PGMNak(sequence: 31, source: T.source, group: T.group)),
                [PGMOption(.congestionReport(PGMCongestionReport(
                    flags: .all, referenceSequence: 64, neWorstLink: 16, neWorstPath: 32,
                    receiverWorstPath: 48, worstReceiver: T.receiver)))],
                flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_CRQST in SPM (12.7.2)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x03, /*ck*/ 0x71, 0xF0,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x04, 0x00, 0x08,
            0x91, 0x04, 0x00, 0x05,  // OPT_CRQST|OPT_END, length 4, L (0x04) and R (0x01)
        ],
        packet: {
            try T.packet(
                .spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)),
                [PGMOption(.congestionReportRequest([.neWorstLink, .receiverWorstPath]))], flags: .networkSignificant)
        }),
    PacketVector(
        name: "OPT_PGMCC_DATA in ODATA",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x04, 0x01, /*ck*/ 0xC1, 0x93,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x01,
            0x00, 0x00, 0x00, 0x22,
            0x00, 0x00, 0x00, 0x10,
            0x00, 0x04, 0x00, 0x14,  // OPT_LENGTH total 20
            0x92, 0x10, 0x00, 0x00,  // OPT_PGMCC_DATA|OPT_END, length 16
            0x00, 0x00, 0x12, 0x34,  // TIMESTAMP
            0x00, 0x01, 0x00, 0x00,  // ACKER NLA AFI 1, reserved
            0xC0, 0x00, 0x02, 0x09,  // ACKER 192.0.2.9
            0x99,
        ],
        packet: {
            try T.packet(
                .odata(PGMData(sequence: 0x22, trailingEdge: 16, payload: [0x99])),
                [PGMOption(.pgmccData(timestamp: 0x1234, acker: T.receiver))])
        }),
    PacketVector(
        name: "OPT_PGMCC_FEEDBACK in ACK",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,
            0x0D, 0x01, /*ck*/ 0x4F, 0x97,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x30,  // RX_MAX 48
            0xFF, 0xFF, 0xFF, 0xFF,  // ACK_BITMAP
            0x00, 0x04, 0x00, 0x14,  // OPT_LENGTH total 20
            0x93, 0x10, 0x00, 0x00,  // OPT_PGMCC_FEEDBACK|OPT_END, length 16
            0x00, 0x00, 0x12, 0x34,  // TIMESTAMP echoed
            0x00, 0x01, 0x01, 0x00,  // NLA AFI 1, LOSS RATE 0x0100 (1/256)
            0xC0, 0x00, 0x02, 0x09,  // receiver 192.0.2.9
        ],
        packet: {
            try T.packet(
                .ack(PGMAck(rxMax: 48, bitmap: 0xFFFF_FFFF)),
                [PGMOption(.pgmccFeedback(timestamp: 0x1234, lossRate: 0x100, receiver: T.receiver))])
        }),
    PacketVector(
        name: "OPT_INVALID in SPM (section 9, OPX 01)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x00, 0x01, /*ck*/ 0x7D, 0x07,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x0F,
            0x00, 0x01, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0x00, 0x04, 0x00, 0x0C,  // OPT_LENGTH total 12
            0xFF, 0x08, 0x01, 0x2A,  // OPT_INVALID|OPT_END, length 8, OPX 01 (invalidate), specific 0x2A
            0xCA, 0xFE, 0xBA, 0xBE,  // the invalidated option's value, kept as is
        ],
        packet: {
            try T.packet(
                .spm(PGMSPM(sequence: 16, trailingEdge: 5, leadingEdge: 15, path: T.source)),
                [PGMOption(.invalidated(specific: 0x2A, value: [0xCA, 0xFE, 0xBA, 0xBE]), extensibility: .invalidate)])
        }),
    PacketVector(
        name: "Encoded OPT_FRAGMENT (F bit) in a parity ODATA (Appendix A)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x04, 0x81, /*ck*/ 0x60, 0x75,  // ODATA, parity + options present
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x01,
            0x00, 0x00, 0x00, 0x48,
            0x00, 0x00, 0x00, 0x11,
            0x00, 0x04, 0x00, 0x14,  // OPT_LENGTH total 20
            0x81, 0x10, 0x04,  // OPT_FRAGMENT|OPT_END, length 16, F (OP_ENCODED, 0x04) set, OPX 00
            0x80, 0x00, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89,  // parity from the fourth octet on: here U=1 ...
            0xAB, 0xCD, 0xEF, 0x00, 0x11,  // ... then FEC-encoded First Sequence, Offset, Length
            0x3C,
        ],
        packet: {
            try T.packet(
                .odata(PGMData(sequence: 0x48, trailingEdge: 17, payload: [0x3C])),
                [PGMOption(.encoded(type: PGMOptionType.fragment, parity: [
                    0x80, 0x00, 0x00, 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x00, 0x11,
                ]))],
                flags: .parity)
        }),
    PacketVector(
        name: "Unknown option 0x20 with OPX 10 and several options (section 9)",
        bytes: [
            0x12, 0x34, 0x1F, 0x90,
            0x04, 0x01, /*ck*/ 0x0B, 0x81,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x23,
            0x00, 0x00, 0x00, 0x10,
            0x00, 0x04, 0x00, 0x20,  // OPT_LENGTH total 32
            0x01, 0x10, 0x00, 0x00,  // OPT_FRAGMENT (no OPT_END)
            0x00, 0x00, 0x00, 0x23, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x20, 0x08, 0x02, 0x11,  // type 0x20 (unknown), length 8, OPX 10 (discard), specific 0x11
            0x01, 0x02, 0x03, 0x04,
            0x8E, 0x04, 0x00, 0x00,  // OPT_FIN|OPT_END
        ],
        packet: {
            try T.packet(
                .odata(PGMData(sequence: 0x23, trailingEdge: 16)),
                [
                    PGMOption(.fragment(firstSequence: 0x23, offset: 0, length: 0)),
                    PGMOption(.unknown(type: 0x20, specific: 0x11, value: [1, 2, 3, 4]), extensibility: .discard),
                    PGMOption(.fin),
                ])
        }),
    PacketVector(
        name: "OPT_CONFIRM in ACK",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,
            0x0D, 0x01, /*ck*/ 0x79, 0x11,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x30,  // RX_MAX 48
            0xFF, 0xFF, 0xFF, 0xFE,  // ACK_BITMAP
            0x00, 0x04, 0x00, 0x10,  // OPT_LENGTH total 16
            0xA1, 0x0C, 0x00, 0x01,  // OPT_CONFIRM|OPT_END, length 12, JOIN
            0x00, 0x00, 0x00, 0x2F,  // CONFIRMED 47
            0xDE, 0xAD, 0xBE, 0xEF,  // RECEIVER ID
        ],
        packet: {
            try T.packet(
                .ack(PGMAck(rxMax: 48, bitmap: 0xFFFF_FFFE)),
                [PGMOption(.confirm(confirmed: 47, receiverID: 0xDEAD_BEEF, join: true, bye: false, lost: false))])
        }),
    PacketVector(
        name: "OPT_CONFIRM BYE and LOST in ACK",
        bytes: [
            0x1F, 0x90, 0x12, 0x34,
            0x0D, 0x01, /*ck*/ 0x79, 0x0C,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0x00, 0x00,
            0x00, 0x00, 0x00, 0x30,  // RX_MAX 48
            0xFF, 0xFF, 0xFF, 0xFE,  // ACK_BITMAP
            0x00, 0x04, 0x00, 0x10,  // OPT_LENGTH total 16
            0xA1, 0x0C, 0x00, 0x06,  // OPT_CONFIRM|OPT_END, length 12, BYE | LOST
            0x00, 0x00, 0x00, 0x2F,  // CONFIRMED 47: 48 was lost
            0xDE, 0xAD, 0xBE, 0xEF,  // RECEIVER ID
        ],
        packet: {
            try T.packet(
                .ack(PGMAck(rxMax: 48, bitmap: 0xFFFF_FFFE)),
                [PGMOption(.confirm(confirmed: 47, receiverID: 0xDEAD_BEEF, join: false, bye: true, lost: true))])
        }),
]

@Suite("Option vectors (RFC 3208 section 9, Appendices A, B, E; PGMCC)")
struct OptionVectorTests {
    @Test(arguments: optionVectors)
    func decodes(_ v: PacketVector) throws {
        #expect(try PGMPacket.decode(v.bytes) == (try v.packet()))
    }

    @Test(arguments: optionVectors)
    func encodes(_ v: PacketVector) throws {
        #expect(try v.packet().encoded() == v.bytes)
    }

    @Test(arguments: optionVectors)
    func networkSignificantBitMatchesRFC(_ v: PacketVector) throws {
        let p = try v.packet()
        #expect(p.withComputedNetworkSignificance == p)
    }

    /// OPT_CONFIRM's three bits (docs/confirmed-delivery.md, "On the wire"):
    /// each combination survives encoding and decoding, LOST in bit 0x04.
    @Test(arguments: 0..<8)
    func confirmBitsRoundTrip(_ bits: Int) throws {
        let option = PGMOption(.confirm(confirmed: 0xFFFF_FFFF, receiverID: 7, join: bits & 1 != 0,
                                        bye: bits & 2 != 0, lost: bits & 4 != 0))
        let packet = try T.packet(.ack(PGMAck(rxMax: 0, bitmap: 0)), [option])
        let bytes = try packet.encoded()
        #expect(bytes[31] == UInt8(bits))
        #expect(try PGMPacket.decode(bytes) == packet)
    }

    @Test func everyOptionTypeHasAVector() throws {
        var types = Set<UInt8>()
        for v in optionVectors {
            for o in try PGMPacket.decode(v.bytes).options { types.insert(o.kind.type) }
        }
        let expected = PGMOptionType.known.subtracting([PGMOptionType.length]).union([0x20])
        #expect(types == expected)
    }

    @Test func optionAccessors() throws {
        let odata = try PGMPacket.decode(optionVectors[0].bytes)
        #expect(odata.options.count == 1)
        #expect(odata.options.fragment?.offset == 1500)
        #expect(odata.options.fragment?.length == 3000)
        #expect(odata.options.joinMinimumSequence == nil)
        #expect(odata.options.encodedLength == 20)
        let spm = try PGMPacket.decode(optionVectors[2].bytes)
        #expect(spm.options.joinMinimumSequence == 5)
        let encoded = try PGMPacket.decode(optionVectors[20].bytes)
        // The encoded fragment is not a plain OPT_FRAGMENT.
        #expect(encoded.options.fragment == nil)
        let opt = try #require(encoded.options.all.first)
        #expect(opt.isEncoded)
        #expect(opt.encodedNullBit)
        let unknown = try PGMPacket.decode(optionVectors[21].bytes).options.all
        #expect(unknown.count == 3)
        #expect(unknown[1].extensibility == .discard)
    }
}
