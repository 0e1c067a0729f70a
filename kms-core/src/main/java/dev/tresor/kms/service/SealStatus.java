package dev.tresor.kms.service;

/**
 * Seal state as the admin API and {@code /readyz} report it; {@code migrating}: unsealed, but the
 * passes the unseal started still run and data calls still answer SEALED.
 */
public record SealStatus(boolean initialized, boolean sealed, String sealType, int threshold, int sharesProvided,
                         boolean migrating) {
}
