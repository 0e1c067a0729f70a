package dev.tresor.kms.service;

/** Seal state as the admin API and {@code /readyz} report it. */
public record SealStatus(boolean initialized, boolean sealed, String sealType, int threshold, int sharesProvided) {
}
