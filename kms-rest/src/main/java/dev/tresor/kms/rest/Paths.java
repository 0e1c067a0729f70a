package dev.tresor.kms.rest;

/** The route templates of the STACKIT API and Tresor's extensions under the same prefix. */
final class Paths {
    static final String TENANT = "/v1/projects/:projectId/regions/:regionId";
    static final String KEY_RINGS = TENANT + "/keyrings";
    static final String KEY_RING = KEY_RINGS + "/:keyRingId";
    static final String KEYS = KEY_RING + "/keys";
    static final String KEY = KEYS + "/:keyId";
    static final String VERSIONS = KEY + "/versions";
    static final String VERSION = VERSIONS + "/:versionNumber";
    static final String WRAPPING_KEYS = KEY_RING + "/wrappingkeys";
    static final String WRAPPING_KEY = WRAPPING_KEYS + "/:wrappingKeyId";
    static final String EXPORT = TENANT + "/export";

    private Paths() {
    }
}
