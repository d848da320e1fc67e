import SystemPackage

extension Errno {
    /// What a refusal by the PGM socket API asks for, in words (pgm(7)
    /// SECURITY), or nil for an errno that is not about privilege:
    ///
    /// - `notPermitted` (EPERM) from ``PGMSocket/setGlobalSourceID(_:)`` or
    ///   ``SourceOptions/globalSourceID``: choosing a GSI needs CAP_NET_RAW.
    /// - `permissionDenied` (EACCES) from a receiver's bind or
    ///   ``UDPEncapsulation`` ports: a port below
    ///   net.ipv4.ip_unprivileged_port_start needs CAP_NET_BIND_SERVICE.
    ///
    /// The tools add it to their messages; an application may too.
    public var pgmPrivilegeHint: String? {
        switch self {
        case .notPermitted:
            "setting a GSI (PGM_GSI) needs CAP_NET_RAW in the network namespace"
        case .permissionDenied:
            "a port below net.ipv4.ip_unprivileged_port_start (1024 by default) needs CAP_NET_BIND_SERVICE"
        default:
            nil
        }
    }
}
