import PGMNetlink
import Testing

@Suite("Generic netlink client on libmnl")
struct GenericNetlinkTests {
    /// The controller family resolves to its fixed id GENL_ID_CTRL (0x10).
    @Test func resolvesController() throws {
        let nl = try GenericNetlinkSocket()
        let f = try nl.resolve(family: "nlctrl")
        #expect(f.id == 0x10)
        #expect(f.version >= 1)
    }

    /// Names longer than GENL_NAMSIZ - 1 are refused by the controller's policy.
    @Test func overlongNameIsInvalid() throws {
        let nl = try GenericNetlinkSocket()
        #expect(throws: NetlinkError.system(.invalidArgument, "CTRL_CMD_GETFAMILY pgm-name-too-long")) {
            try nl.resolve(family: "pgm-name-too-long")
        }
    }

    @Test func unknownFamilyIsTyped() throws {
        let nl = try GenericNetlinkSocket()
        #expect(throws: NetlinkError.familyNotFound("pgm-nosuchfam")) {
            try nl.resolve(family: "pgm-nosuchfam")
        }
    }
}
