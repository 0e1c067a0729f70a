package dev.tresor.kms.kmip.message;

/** What to do with the rest of a batch once an item fails (Batch Error Continuation Option). */
public enum BatchErrorContinuation {
    CONTINUE(1), STOP(2), UNDO(3);

    private final int code;

    BatchErrorContinuation(int code) {
        this.code = code;
    }

    static BatchErrorContinuation of(int code) {
        for (BatchErrorContinuation option : values()) {
            if (option.code == code) {
                return option;
            }
        }
        throw KmipFailure.invalidMessage("unknown Batch Error Continuation Option " + code);
    }
}
