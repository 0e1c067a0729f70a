package dev.tresor.kms.kmip.operation;

import dev.tresor.kms.service.KmsError;
import java.util.function.Supplier;

/**
 * Runs a read-modify-write of attributes again when the core's compare-and-set finds they were
 * changed since the read (by another front-end instance, or an undo): each try reads afresh, so
 * the edit lands on the current attributes. Within one instance the per-object lock already
 * serialises edits, so a conflict is rare and a few tries are enough; the last loss reaches the
 * client (Operation Failed, General Failure: try again).
 */
final class CompareAndSetTries {
    static final int TRIES = 3;

    private CompareAndSetTries() {
    }

    static <T> T run(Supplier<T> readModifyWrite) {
        for (int tried = 1; ; tried++) {
            try {
                return readModifyWrite.get();
            } catch (KmsError error) {
                if (!error.is(KmsError.Detail.CHANGED_MEANWHILE) || tried == TRIES) {
                    throw error;
                }
            }
        }
    }
}
