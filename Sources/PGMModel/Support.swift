// SequenceNumber and the rest of the vocabulary are part of the model's API.
@_exported import PGMTypes
import PGMWire

/// Where a packet the model sends goes.
public enum Destination: Hashable, Sendable {
    /// The session's multicast group. `linkLocal` is true for packets sent
    /// with a TTL of 1 (the multicast SPMR of RFC 3208 Appendix C).
    case group(linkLocal: Bool)
    /// A unicast address: the source's path NLA for NAKs, the source itself
    /// for SPMRs.
    case unicast(PGMNLA)
}

/// A packet the model hands to the network.
public struct Transmission: Hashable, Sendable {
    public var packet: PGMPacket
    public var destination: Destination

    public init(packet: PGMPacket, destination: Destination) {
        self.packet = packet
        self.destination = destination
    }
}

/// What one step of a state machine produced: packets to send, in order, and
/// events for the application. The caller drains it after every step and may
/// reuse it (`removeAll` keeps the capacity, so a run allocates nothing per
/// step).
public struct Outbox<Event: Sendable>: Sendable {
    public var packets: [Transmission] = []
    public var events: [Event] = []

    public init() {}

    public mutating func removeAll() {
        packets.removeAll(keepingCapacity: true)
        events.removeAll(keepingCapacity: true)
    }
}

/// Octets of the IPv4 header counted for every packet (rate control, the
/// MAX_TPDU budget and the simulator's byte counts).
public let ipv4HeaderLength = 20
