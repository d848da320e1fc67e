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

/// A growable ring buffer addressed by offset from its first element.
struct Ring<Element> {
    private var storage: [Element] = []
    private var head = 0
    private(set) var count = 0
    private let filler: Element

    init(filler: Element) { self.filler = filler }

    var isEmpty: Bool { count == 0 }

    subscript(offset: Int) -> Element {
        get { storage[(head &+ offset) & (storage.count &- 1)] }
        _modify { yield &storage[(head &+ offset) & (storage.count &- 1)] }
    }

    mutating func append(_ element: Element) {
        if count == storage.count { grow() }
        storage[(head &+ count) & (storage.count &- 1)] = element
        count += 1
    }

    @discardableResult
    mutating func removeFirst() -> Element {
        let element = storage[head]
        storage[head] = filler
        head = (head &+ 1) & (storage.count &- 1)
        count -= 1
        return element
    }

    mutating func removeLast() {
        count -= 1
        storage[(head &+ count) & (storage.count &- 1)] = filler
    }

    mutating func removeAll() {
        while count > 0 { removeFirst() }
    }

    private mutating func grow() {
        let capacity = Swift.max(16, storage.count * 2)
        var bigger = [Element](repeating: filler, count: capacity)
        for i in 0..<count { bigger[i] = self[i] }
        storage = bigger
        head = 0
    }
}

/// A binary min-heap.
struct MinHeap<Element: Comparable> {
    private(set) var elements: [Element] = []

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }
    var first: Element? { elements.first }

    mutating func removeAll() { elements.removeAll(keepingCapacity: true) }

    mutating func insert(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard element < elements[parent] else { break }
            elements[child] = elements[parent]
            child = parent
        }
        elements[child] = element
    }

    mutating func popFirst() -> Element? {
        guard let last = elements.popLast() else { return nil }
        guard !elements.isEmpty else { return last }
        let top = elements[0]
        let n = elements.count
        var parent = 0
        while true {
            var child = 2 * parent + 1
            guard child < n else { break }
            if child + 1 < n && elements[child + 1] < elements[child] { child += 1 }
            guard elements[child] < last else { break }
            elements[parent] = elements[child]
            parent = child
        }
        elements[parent] = last
        return top
    }
}

extension Ring: Sendable where Element: Sendable {}
extension MinHeap: Sendable where Element: Sendable {}
