/// The version every tool prints for `--version`, kept in this one place:
/// a constant, so that a tree without git (a release tarball) builds tools
/// that say the same. Raise it when a release is made.
public let pgmVersion = "0.1.0"
