package dev.tresor.kms.audit;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * An {@link AuditEvent} in its tenant's hash chain: {@code sequence} counts from 1 per tenant,
 * {@code previousHash} is the hash of the tenant's record before it ({@link #GENESIS_HASH} for
 * the first), and {@code hash} is the hex SHA-256 of the canonical encoding of everything else
 * (see {@link #computeHash()}).
 */
public record AuditRecord(long sequence, Instant time, String principal, String tenant, String operation,
                          String resource, String result, Map<String, String> details, String previousHash,
                          String hash) {
    public static final String GENESIS_HASH = "0".repeat(64);
    private static final byte[] DOMAIN = "tresor-audit-v1".getBytes(UTF_8);
    private static final MessageDigest SHA256 = sha256();

    public AuditRecord {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(result, "result");
        details = AuditEvent.checkedDetails(details);
        Objects.requireNonNull(previousHash, "previousHash");
        Objects.requireNonNull(hash, "hash");
    }

    /** The record that follows {@code previousHash} as number {@code sequence} of its tenant's chain. */
    static AuditRecord chain(long sequence, AuditEvent e, String previousHash) {
        String hash = hash(sequence, e.time(), new String[] {e.principal(), e.tenant(), e.operation(), e.resource(),
                e.result()}, e.details(), previousHash);
        return new AuditRecord(sequence, e.time(), e.principal(), e.tenant(), e.operation(), e.resource(),
                e.result(), e.details(), previousHash, hash);
    }

    public AuditEvent event() {
        return new AuditEvent(time, principal, tenant, operation, resource, result, details);
    }

    /**
     * SHA-256 over {@code "tresor-audit-v1" ‖ sequence (8) ‖ epoch second (8) ‖ nanos (4) ‖
     * principal ‖ tenant ‖ operation ‖ resource ‖ result ‖ detail count (4) ‖ (key ‖ value)* in
     * key order ‖ previousHash}, each string as its UTF-8 length (4) and bytes; integers
     * big-endian. Every field is length-prefixed, so no two different records encode alike.
     */
    public String computeHash() {
        return hash(sequence, time, new String[] {principal, tenant, operation, resource, result}, details,
                previousHash);
    }

    /** {@link #computeHash()} of the record with these fields; {@code details} sorted by key. */
    private static String hash(long sequence, Instant time, String[] fields, Map<String, String> details,
                               String previousHash) {
        MessageDigest sha256 = newSha256();
        sha256.update(DOMAIN);
        sha256.update(ByteBuffer.allocate(20).putLong(sequence).putLong(time.getEpochSecond()).putInt(time.getNano())
                .array());
        for (String field : fields) {
            update(sha256, field);
        }
        sha256.update(ByteBuffer.allocate(4).putInt(details.size()).array());
        details.forEach((key, value) -> {
            update(sha256, key);
            update(sha256, value);
        });
        update(sha256, previousHash);
        return HexFormat.of().formatHex(sha256.digest());
    }

    /** A copy of a digest made once: cloning skips the provider lookup that every record would pay. */
    private static MessageDigest newSha256() {
        try {
            return (MessageDigest) SHA256.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("this JDK's SHA-256 cannot be cloned", e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void update(MessageDigest sha256, String field) {
        byte[] bytes = field.getBytes(UTF_8);
        sha256.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
        sha256.update(bytes);
    }
}
