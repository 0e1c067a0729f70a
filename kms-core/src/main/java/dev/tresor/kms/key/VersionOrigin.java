package dev.tresor.kms.key;

/**
 * Where a version's material came from: Tresor generated it (create, rotation, KMIP ReKey and
 * Create Key Pair) or a client imported it (REST import, KMIP Register, any BYOK).
 */
public enum VersionOrigin { GENERATED, IMPORTED }
