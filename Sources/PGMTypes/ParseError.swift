/// Text that is not what it was meant to be: an IP address or endpoint,
/// a GSI or a TSI. The description says what was wanted and what is wrong,
/// so that a tool can print it as it is.
public struct VocabularyParseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What the text was meant to be.
    public enum Kind: String, Hashable, Sendable {
        case ipv4Address = "an IPv4 address"
        case ipv4Endpoint = "an IPv4 endpoint"
        case ipv6Address = "an IPv6 address"
        case ipAddress = "an IP address"
        case endpoint = "an endpoint"
        case gsi = "a GSI"
        case tsi = "a TSI"
        case groupRange = "a group range"

        /// The form a user should write, with an example.
        public var form: String {
            switch self {
            case .ipv4Address: "a.b.c.d, e.g. 239.192.0.1"
            case .ipv4Endpoint: "a.b.c.d:port, e.g. 239.192.0.1:7500"
            case .ipv6Address: "RFC 4291 text, e.g. ff15::1 or fe80::1"
            case .ipAddress: "a.b.c.d or RFC 4291 text, e.g. 239.192.0.1 or ff15::1"
            case .endpoint: "a.b.c.d:port or [IPv6]:port, e.g. 239.192.0.1:7500, [ff15::1]:7500 or [fe80::1%eth0]:7500"
            case .gsi: "six octets in dotted decimal (2.0.94.16.32.48) or colon-separated hex (02:00:5e:10:20:30)"
            case .tsi: "GSI.port, e.g. 2.0.94.16.32.48.40000 or 02:00:5e:10:20:30.40000"
            case .groupRange: "address[/prefix length], e.g. 239.192.0.0/16 or ff15::/16"
            }
        }
    }

    /// What the text was meant to be.
    public var kind: Kind
    /// The text.
    public var text: String
    /// What is wrong with it.
    public var problem: String

    /// An error from its parts.
    public init(_ kind: Kind, text: some StringProtocol, problem: String) {
        self.kind = kind
        self.text = String(text)
        self.problem = problem
    }

    /// "'TEXT' is not KIND: PROBLEM (want FORM)".
    public var description: String {
        "'\(text)' is not \(kind.rawValue): \(problem) (want \(kind.form))"
    }
}
