package dev.tresor.kms.service;

import dev.tresor.kms.key.KeyService;
import dev.tresor.kms.key.KeyVersion;

/**
 * The audit operation of one export: {@code key.export}, or for a revoked version
 * {@code key.export-revoked} / {@code key.export-compromised}, so the audit log shows which
 * exports handed out the material of a version revoked or known compromised. Known once the
 * export has read the version; confined to the thread of its call.
 */
final class ExportOperation {
    private final String base;
    private KeyVersion exported;

    ExportOperation(String base) {
        this.base = base;
    }

    /** Notes what the export read, and gives it back. */
    KeyService.Exported found(KeyService.Exported export) {
        exported = export.version();
        return export;
    }

    /** The version exported; only once {@link #found} was called. */
    KeyVersion exported() {
        if (exported == null) {
            throw new IllegalStateException("nothing was exported");
        }
        return exported;
    }

    String name() {
        return exported == null ? base
                : exported.revocation().map(why -> base + "-" + why.wireName()).orElse(base);
    }
}
