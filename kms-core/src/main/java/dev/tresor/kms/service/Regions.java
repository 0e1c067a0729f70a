package dev.tresor.kms.service;

import java.util.Set;

/** The regions a project's KMS instances live in. STACKIT's API knows one. */
public final class Regions {
    public static final String DEFAULT = "eu01";
    public static final Set<String> ALL = Set.of(DEFAULT);

    private Regions() {
    }
}
