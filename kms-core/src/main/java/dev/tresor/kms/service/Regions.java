package dev.tresor.kms.service;

import dev.tresor.kms.tenant.Projects;
import dev.tresor.kms.tenant.TenantId;
import java.util.List;
import java.util.Set;

/** The regions a project's KMS instances live in. STACKIT's API knows one. */
public final class Regions {
    public static final String DEFAULT = "eu01";
    public static final Set<String> ALL = Set.of(DEFAULT);

    private Regions() {
    }

    /** Every tenant: each project in each region (what the system passes go over). */
    static List<TenantId> tenants(Projects projects) {
        return projects.list().stream()
                .flatMap(project -> ALL.stream().map(region -> new TenantId(project.id(), region)))
                .toList();
    }
}
