package dev.tresor.kms.audit;

import java.util.List;

/**
 * Checks an exported chain: sequence numbers without gaps or repeats, each record linked to the
 * hash of the one before, each hash matching its record's content. It finds a removed, altered,
 * reordered or inserted record and names the first sequence where the chain breaks.
 *
 * <p>An export of a time window starts mid-chain: its first record is trusted as the anchor
 * unless it is record 1, whose previous hash must be the genesis hash. Records cut from the end
 * can only be found by comparing the last hash with one noted earlier.
 */
public final class AuditVerifier {

    /** The outcome of a verification. */
    public sealed interface Verdict permits Intact, Broken {
    }

    /** Every record checked out; {@code lastHash} is the head to note for later comparisons. */
    public record Intact(int records, long lastSequence, String lastHash) implements Verdict {
    }

    /** The chain breaks at {@code sequence}, for the reason given. */
    public record Broken(long sequence, String problem) implements Verdict {
    }

    private AuditVerifier() {
    }

    public static Verdict verifyJson(String json) {
        return verify(AuditJson.read(json));
    }

    public static Verdict verify(List<AuditRecord> records) {
        AuditRecord previous = null;
        for (AuditRecord record : records) {
            long expected = previous == null ? Math.max(1, record.sequence()) : previous.sequence() + 1;
            if (record.sequence() != expected) {
                return new Broken(expected, record.sequence() > expected
                        ? "record " + expected + " is missing (the next one is " + record.sequence() + ")"
                        : "expected record " + expected + " but found record " + record.sequence());
            }
            if (previous == null && record.sequence() == 1 && !record.previousHash().equals(AuditRecord.GENESIS_HASH)) {
                return new Broken(1, "record 1 does not start the chain");
            }
            if (previous != null && !record.tenant().equals(previous.tenant())) {
                return new Broken(expected, "record " + expected + " belongs to another tenant");
            }
            if (previous != null && !record.previousHash().equals(previous.hash())) {
                return new Broken(expected, "record " + expected + " does not link to record " + previous.sequence());
            }
            if (!record.hash().equals(record.computeHash())) {
                return new Broken(expected, "record " + expected + " was altered: its hash does not match its content");
            }
            previous = record;
        }
        return previous == null
                ? new Intact(0, 0, AuditRecord.GENESIS_HASH)
                : new Intact(records.size(), previous.sequence(), previous.hash());
    }
}
