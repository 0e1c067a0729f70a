package dev.tresor.kms.crypto;

import java.security.Provider;
import java.security.Security;

/**
 * The JDK providers every operation is pinned to, so a provider another component inserts at the
 * front of the list (BouncyCastle, say) can never move the hot paths off the JDK's intrinsics.
 */
final class Providers {
    static final Provider SUN = require("SUN");
    static final Provider SUN_JCE = require("SunJCE");
    static final Provider SUN_RSA_SIGN = require("SunRsaSign");
    static final Provider SUN_EC = require("SunEC");

    private Providers() {
    }

    private static Provider require(String name) {
        Provider p = Security.getProvider(name);
        if (p == null) {
            throw new IllegalStateException("the JDK provider " + name + " is not installed");
        }
        return p;
    }
}
